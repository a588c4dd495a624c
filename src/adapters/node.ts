/**
 * Plain node:http adapter. `viteRolling(vr)` returns a handler to call first in the request
 * listener: it answers what the library owns (null) or hands back the template helpers.
 * Translation only; decisions are in src/http/core.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AdapterOptions, createHttpCore, type TemplateHelpers } from "../http/core.js";
import { nodeFacts, nodeHints, sendAnswer, setHeaders } from "../http/node-response.js";
import { createRouting, isAnswer, type VersionRouterOptions } from "../http/routing.js";
import type { ViteRolling } from "../types.js";

export type NodeAdapterOptions = AdapterOptions<[req: IncomingMessage, res: ServerResponse]>;

/** Resolves to the request's template helpers, or null when the response was sent. */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<TemplateHelpers | null>;

/**
 * Sets `X-App-Version`, serves `/version` and `/cache/bust`, redirects stale htmx / Inertia
 * requests, and injects the version tags into an HTML page sent in one `res.end(string)`
 * after `res.setHeader("content-type", "text/html")` (a page whose headers were already
 * written, by `writeHead` or `write`, is left alone). Nonce: `options.nonce(req, res)`.
 *
 * @example
 * const handle = viteRolling(vr);
 * http.createServer(async (req, res) => {
 *   const vite = await handle(req, res);
 *   if (!vite) return; // answered: /version, /cache/bust or a stale client
 *   vite.preload("src/main.ts"); // 103 Early Hints / Link header (earlyHints, linkHeader)
 *   res.setHeader("content-type", "text/html");
 *   res.end(`<head>${vite.styles("src/main.ts")}</head><body>${vite.scripts("src/main.ts")}</body>`);
 * });
 */
export function viteRolling(vr: ViteRolling, options: NodeAdapterOptions = {}): NodeHandler {
  const core = createHttpCore(vr, options, "node");
  const nonceOf = options.nonce ?? (() => undefined);
  return async function viteRollingHandler(req, res) {
    const handled = core.handle(nodeFacts(req));
    const answer = handled instanceof Promise ? await handled : handled;
    if (answer) {
      sendAnswer(res, answer, core.responseHeaders());
      return null;
    }
    setHeaders(res, core.responseHeaders());
    const vite = core.helpersFor({
      host: req.headers.host,
      nonce: () => nonceOf(req, res),
      hints: () => nodeHints(req, res),
    });
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      const [chunk] = args;
      if (
        typeof chunk === "string" &&
        !this.headersSent &&
        core.injectable(this.getHeader("content-type"), this.getHeader("content-encoding"))
      ) {
        args[0] = core.inject(chunk, vite.nonce());
        if (this.hasHeader("content-length"))
          this.setHeader("content-length", Buffer.byteLength(args[0] as string));
      }
      return Reflect.apply(end, this, args);
    } as typeof res.end;
    return vite;
  };
}

/**
 * Blue/green routing, decided by `createVersionRouter`: a request pinned to a live version
 * (header, `?dpl=`, cookie) gets the target header (`x-backend-target`) on the request and the
 * response; an API or htmx request pinned to a version that is not live is answered 409 with
 * the live versions (and false is returned: stop); a navigation falls back to `defaultVersion`
 * (and a stale pin cookie is expired).
 *
 * @example
 * const route = versionRouter({ versions: { "v1.0": "blue", "v1.1": "green" }, defaultVersion: "v1.1" });
 * http.createServer((req, res) => { if (!route(req, res)) return; ... });
 */
export function versionRouter(
  options: VersionRouterOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const route = createRouting(options, "node");
  return function versionRouterHandler(req, res) {
    const decision = route(nodeFacts(req));
    if (isAnswer(decision)) {
      sendAnswer(res, decision, {});
      return false;
    }
    if (decision) {
      req.headers[decision.header] = decision.target;
      res.setHeader(decision.header, decision.target);
      if (decision.expireCookie) res.appendHeader("set-cookie", decision.expireCookie);
    }
    return true;
  };
}
