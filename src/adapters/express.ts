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

/** Where a response keeps the `send` the injection replaced. */
const SEND: unique symbol = Symbol("vite-rolling.send");
type Injecting = Response & { [SEND]: Response["send"] };

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
  // The response's `send`, made once (node.replaceMethod); the one it replaced is `this[SEND]`.
  function injectingSend(this: Injecting, body?: unknown): Response {
    // A string without a Content-Type is sent as text/html by res.send (res.render's case).
    if (
      typeof body === "string" &&
      core.injectable(this.get("content-type") ?? "text/html", this.get("content-encoding"))
    ) {
      return this[SEND](core.inject(body, nonceOf(this.req, this)));
    }
    return this[SEND](body);
  }
  function proceed(res: Response, next: NextFunction): void {
    res.locals.vite = core.helpersFor(source, res, res.req.headers.host);
    res.locals.appVersion = vr.appVersion();
    node.replaceMethod(res, "send", SEND, injectingSend as Response["send"]);
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
