/**
 * Express 5 adapter: `app.use(viteRolling(vr))`, `app.use(versionRouter(options))`.
 * Translation only; every decision is in src/http/.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type * as http from "../http/contract.js";
import { createHttpCore } from "../http/core.js";
import * as node from "../http/node-response.js";
import { createRouting, type VersionRouterFactory } from "../http/routing.js";
import { settle } from "../http/settle.js";
import type { ViteRolling } from "../types.js";

declare global {
  namespace Express {
    interface Locals {
      /** Template helpers bound to this request (set by `viteRolling`). */
      vite: http.TemplateHelpers;
      /** The app version this response carries. */
      appVersion: string;
    }
  }
}

/** In `res.locals`: the injection of the middleware the response passed through. */
const INJECT: unique symbol = Symbol("vite-rolling.inject");
/** On an app's response prototype: its `send` injects for the responses marked so. */
const PATCHED: unique symbol = Symbol("vite-rolling.send");
type Inject = (res: Response, html: string) => string;
type MarkedLocals = Response["locals"] & { [INJECT]?: Inject };

/**
 * Makes `send` of this app's response prototype (`app.response`, Express's documented place for
 * response methods; mounted apps inherit it) inject the version tags into a string sent by a
 * response marked in its locals, once per app. Not `res.send` replaced per response: Express
 * gives every response its app's prototype (Object.setPrototypeOf), and V8 then copies the
 * response's whole map for each property added to it, ~35,000 instructions a request for one
 * (valgrind, bench figure 4's Express server, issue 15); a key in `res.locals`, a dictionary,
 * costs next to nothing.
 */
function injectThroughApp(proto: Response): void {
  // Not an Express response (no send to wrap), or done already.
  if (typeof proto.send !== "function" || Object.hasOwn(proto, PATCHED)) return;
  // As resolved now: Express's own, or one the app put on app.response before.
  const send = proto.send;
  function injectingSend(this: Response, body?: unknown): Response {
    const inject = (this.locals as MarkedLocals | undefined)?.[INJECT];
    return send.call(
      this,
      inject !== undefined && typeof body === "string" ? inject(this, body) : body,
    );
  }
  Object.defineProperty(proto, PATCHED, { value: true });
  proto.send = injectingSend as Response["send"];
}

export type ExpressAdapterOptions = http.AdapterOptions<[req: Request, res: Response]>;

/**
 * Sends `X-App-Version` on every response, serves `/version` and `/cache/bust`, redirects
 * stale htmx / Inertia requests, puts the template helpers on `res.locals.vite` (and the
 * version on `res.locals.appVersion`), and injects the version tags into HTML sent as a
 * string (`res.send`, `res.render`). Nonce: `options.nonce(req, res)`, else `res.locals.cspNonce`.
 * `res.locals.vite.preload(entries)` sends 103 Early Hints / the Link header (options
 * `earlyHints`, `linkHeader`).
 *
 * @example
 * app.use(viteRolling(vr));
 * app.get("/", async (req, res) => {
 *   res.locals.vite.preload("src/main.ts"); // 103 Early Hints, before the slow part
 *   res.render("index.njk", await loadData()); // {% vite_scripts "src/main.ts" %}
 * });
 */
export function viteRolling(vr: ViteRolling, options: ExpressAdapterOptions = {}): RequestHandler {
  const core = createHttpCore(vr, options, "express");
  const nonceOf =
    options.nonce ?? ((_req: Request, res: Response) => res.locals.cspNonce as string | undefined);
  const source = node.helperSource(nonceOf);
  const answer = (res: Response, _next: NextFunction, a: http.Answer): void =>
    node.send(res, a, core.responseHeaders());
  const inject: Inject = (res, html) =>
    // A string without a Content-Type is sent as text/html by res.send (res.render's case).
    core.injectable(res.get("content-type") ?? "text/html", res, node.encodingOf)
      ? core.inject(html, nonceOf(res.req, res))
      : html;
  function proceed(res: Response, next: NextFunction): void {
    const locals: MarkedLocals = res.locals;
    locals.vite = core.helpersFor(source, res, res.req.headers.host);
    locals.appVersion = vr.appVersion();
    locals[INJECT] = inject;
    injectThroughApp(Object.getPrototypeOf(res));
    next();
  }
  return function viteRollingMiddleware(req: Request, res: Response, next: NextFunction) {
    node.setHeaders(res, core.responseHeaders());
    // req.path is relative to the mount point, like the app's own routes. A rejection goes
    // to next(error): Express 5 does that with a returned promise.
    return settle(core.handle(node.facts(req, req.path)), res, next, answer, proceed);
  };
}

export const versionRouter: VersionRouterFactory<RequestHandler> = (options) => {
  const route = createRouting(options, "express");
  return function versionRouterMiddleware(req: Request, res: Response, next: NextFunction) {
    if (node.applyRouting(route, req, res, req.path)) next();
  };
};
