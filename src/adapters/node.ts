/**
 * Plain node:http adapter. `viteRolling(vr)` returns a handler to call first in the request
 * listener: it answers what the library owns (null) or hands back the template helpers.
 * Translation only; decisions are in src/http/.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type * as http from "../http/contract.js";
import { createHttpCore } from "../http/core.js";
import * as node from "../http/node-response.js";
import { createRouting, type VersionRouterFactory } from "../http/routing.js";
import { settle } from "../http/settle.js";
import type { ViteRolling } from "../types.js";

export type NodeAdapterOptions = http.AdapterOptions<[req: IncomingMessage, res: ServerResponse]>;

/** Where a response keeps the `end` the injection replaced. */
const END: unique symbol = Symbol("vite-rolling.end");
type Injecting = ServerResponse & { [END]: ServerResponse["end"] };
type Ends = (this: ServerResponse, ...args: unknown[]) => ServerResponse;

/** Resolves to the request's template helpers, or null when the response was sent. */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<http.TemplateHelpers | null>;

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
  const source = node.helperSource(nonceOf);
  function answer(_req: IncomingMessage, res: ServerResponse, a: http.Answer): null {
    node.send(res, a, core.responseHeaders());
    return null;
  }
  // The response's `end`, made once (node.replaceMethod); the one it replaced is `this[END]`.
  // Node's end(chunk, encoding, callback) reads its arguments by type, not by count: passed on
  // as three parameters, it is the same call without an array per response.
  function injectingEnd(this: Injecting, chunk?: unknown, encoding?: unknown, callback?: unknown) {
    if (
      typeof chunk === "string" &&
      !this.headersSent &&
      core.injectable(this.getHeader("content-type"), this, node.encodingOf)
    ) {
      chunk = core.inject(chunk, nonceOf(this.req, this));
      if (this.hasHeader("content-length"))
        this.setHeader("content-length", Buffer.byteLength(chunk as string));
    }
    return (this[END] as Ends).call(this, chunk, encoding, callback);
  }
  function proceed(req: IncomingMessage, res: ServerResponse): http.TemplateHelpers {
    node.setHeaders(res, core.responseHeaders());
    node.replaceMethod(res, "end", END, injectingEnd as ServerResponse["end"]);
    return core.helpersFor(source, res, req.headers.host);
  }
  return async function viteRollingHandler(req, res) {
    return settle<IncomingMessage, ServerResponse, http.TemplateHelpers | null>(
      core.handle(node.facts(req)),
      req,
      res,
      answer,
      proceed,
    );
  };
}

export const versionRouter: VersionRouterFactory<
  (req: IncomingMessage, res: ServerResponse) => boolean
> = (options) => {
  const route = createRouting(options, "node");
  return function versionRouterHandler(req, res) {
    return node.applyRouting(route, req, res);
  };
};
