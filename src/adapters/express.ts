/**
 * Express 5 adapter: `app.use(viteRolling(vr))`, `app.use(versionRouter(options))`.
 * Translation only; every decision is in src/http/core.ts.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { type AdapterOptions, createHttpCore, type TemplateHelpers } from "../http/core.js";
import { nodeFacts, nodeHints, sendAnswer, setHeaders } from "../http/node-response.js";
import { createRouting, isAnswer, type VersionRouterOptions } from "../http/routing.js";
import type { ViteRolling } from "../types.js";

declare global {
  namespace Express {
    interface Locals {
      /** Template helpers bound to this request (set by `viteRolling`). */
      vite: TemplateHelpers;
      /** The app version this response carries. */
      appVersion: string;
    }
  }
}

export type ExpressAdapterOptions = AdapterOptions<[req: Request, res: Response]>;

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
  function proceed(req: Request, res: Response, next: NextFunction): void {
    const vite = core.helpersFor({
      host: req.headers.host,
      nonce: () => nonceOf(req, res),
      hints: () => nodeHints(req, res),
    });
    res.locals.vite = vite;
    res.locals.appVersion = vr.appVersion();
    const send = res.send;
    res.send = (body?: unknown) => {
      // A string without a Content-Type is sent as text/html by res.send (res.render's case).
      const type = res.get("content-type") ?? "text/html";
      if (typeof body === "string" && core.injectable(type, res.get("content-encoding"))) {
        return send.call(res, core.inject(body, vite.nonce()));
      }
      return send.call(res, body);
    };
    next();
  }
  return function viteRollingMiddleware(req: Request, res: Response, next: NextFunction) {
    setHeaders(res, core.responseHeaders());
    // req.path is relative to the mount point, like the app's own routes.
    const answer = core.handle(nodeFacts(req, req.path));
    if (answer instanceof Promise) {
      answer.then(
        (a) => (a ? sendAnswer(res, a, core.responseHeaders()) : proceed(req, res, next)),
        next,
      );
      return;
    }
    if (answer) return sendAnswer(res, answer, core.responseHeaders());
    proceed(req, res, next);
  };
}

/**
 * Blue/green routing, decided by `createVersionRouter`: a request pinned to a live version
 * (header, `?dpl=`, cookie) gets the target header (`x-backend-target`) on the request and the
 * response;
 * an API or htmx request pinned to a version that is not live is answered 409 with the live
 * versions; a navigation falls back to `defaultVersion` (and a stale pin cookie is expired).
 *
 * @example
 * app.use(versionRouter({ versions: { "v1.0": "blue", "v1.1": "green" }, defaultVersion: "v1.1" }));
 */
export function versionRouter(options: VersionRouterOptions): RequestHandler {
  const route = createRouting(options, "express");
  return function versionRouterMiddleware(req: Request, res: Response, next: NextFunction) {
    const decision = route(nodeFacts(req, req.path));
    if (isAnswer(decision)) return sendAnswer(res, decision, {});
    if (decision) {
      req.headers[decision.header] = decision.target;
      res.setHeader(decision.header, decision.target);
      if (decision.expireCookie) res.append("set-cookie", decision.expireCookie);
    }
    next();
  };
}
