/**
 * Koa 3 adapter: `app.use(viteRolling(vr))`, `app.use(versionRouter(options))`.
 * Translation only; decisions are in src/http/.
 */
import type { Context, Middleware, Next } from "koa";
import type * as http from "../http/contract.js";
import { createHttpCore } from "../http/core.js";
import * as node from "../http/node-response.js";
import { createRouting, isAnswer, type VersionRouterFactory } from "../http/routing.js";
import { settle } from "../http/settle.js";
import type { ViteRolling } from "../types.js";

declare module "koa" {
  interface DefaultState {
    /** Template helpers bound to this request (set by `viteRolling`). */
    vite: http.TemplateHelpers;
    /** The app version this response carries. */
    appVersion: string;
  }
}

export type KoaAdapterOptions = http.AdapterOptions<[ctx: Context]>;

function facts(ctx: Context): http.RequestFacts {
  return { method: ctx.method, path: ctx.path, url: ctx.originalUrl, headers: ctx.headers };
}

/** Koa writes its own headers at the end: Link goes through ctx, not the raw response. */
function appendLink(ctx: Context, value: string): void {
  if (!ctx.headerSent) ctx.append("link", value);
}

function send(ctx: Context, answer: http.Answer, always: Readonly<Record<string, string>>): void {
  ctx.status = answer.status;
  ctx.set({ ...always, ...answer.headers });
  ctx.body = answer.body;
}

/** The response's Content-Encoding, for `core.injectable`. */
function encodingOf(response: Context["response"]): unknown {
  return response.get("content-encoding");
}

/**
 * Sends `X-App-Version` on every response (404s and thrown errors too), serves `/version`
 * and `/cache/bust`, redirects stale htmx / Inertia requests, sets `ctx.state.vite`
 * (template helpers) and `ctx.state.appVersion`, and injects the version tags into string
 * bodies of type html. Nonce: `options.nonce(ctx)`, else `ctx.state.cspNonce`.
 * `ctx.state.vite.preload(entries)` sends 103 Early Hints / the Link header (options
 * `earlyHints`, `linkHeader`).
 *
 * @example
 * app.use(viteRolling(vr));
 * app.use((ctx) => { ctx.body = `<head>${ctx.state.vite.styles("src/main.ts")}</head>`; });
 */
export function viteRolling(vr: ViteRolling, options: KoaAdapterOptions = {}): Middleware {
  const core = createHttpCore(vr, options, "koa");
  const source: http.HelperSource<Context> = {
    nonce: options.nonce ?? ((ctx) => ctx.state.cspNonce as string | undefined),
    hints: (ctx) => ({
      link: appendLink.bind(null, ctx),
      earlyHints: node.earlyHintsOf(ctx.req, ctx.res),
    }),
  };
  const answer = (ctx: Context, _next: Next, a: http.Answer): void =>
    send(ctx, a, core.responseHeaders());
  async function proceed(ctx: Context, next: Next): Promise<void> {
    ctx.state.vite = core.helpersFor(source, ctx, ctx.get("host"));
    ctx.state.appVersion = vr.appVersion();
    // What ctx.set(record) does, without its arrays: Node's setHeader per header.
    if (!ctx.res.headersSent) node.setHeaders(ctx.res, core.responseHeaders());
    try {
      await next();
    } catch (error) {
      // Koa's error response removes every header, then sets `error.headers`.
      if (error instanceof Error) {
        const own = (error as { headers?: Record<string, string> }).headers;
        Object.assign(error, { headers: { ...own, ...core.responseHeaders() } });
      }
      throw error;
    }
    const body = ctx.body;
    if (
      typeof body === "string" &&
      core.injectable(ctx.response.get("content-type"), ctx.response, encodingOf)
    ) {
      const html = core.inject(body, source.nonce(ctx));
      // Koa's body setter measures and types the body again: only for a page that changed.
      if (html !== body) ctx.body = html;
    }
  }
  return function viteRollingMiddleware(ctx: Context, next: Next) {
    return settle<Context, Next, void | Promise<void>>(
      core.handle(facts(ctx)),
      ctx,
      next,
      answer,
      proceed,
    );
  };
}

export const versionRouter: VersionRouterFactory<Middleware> = (options) => {
  const route = createRouting(options, "koa");
  return function versionRouterMiddleware(ctx: Context, next: Next) {
    const routed = route(facts(ctx));
    if (isAnswer(routed)) return send(ctx, routed, {});
    if (routed) {
      ctx.request.headers[routed.header] = routed.target;
      ctx.set(routed.header, routed.target);
      if (routed.expireCookie) ctx.append("set-cookie", routed.expireCookie);
    }
    return next();
  };
};
