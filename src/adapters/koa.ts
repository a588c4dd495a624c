/**
 * Koa 3 adapter: `app.use(viteRolling(vr))`, `app.use(versionRouter(options))`.
 * Translation only; decisions are in src/http/core.ts.
 */
import type { Context, Middleware, Next } from "koa";
import {
  type AdapterOptions,
  type Answer,
  createHttpCore,
  type RequestFacts,
  type TemplateHelpers,
} from "../http/core.js";
import { nodeHints } from "../http/node-response.js";
import { createRouting, isAnswer, type VersionRouterOptions } from "../http/routing.js";
import type { ViteRolling } from "../types.js";

declare module "koa" {
  interface DefaultState {
    /** Template helpers bound to this request (set by `viteRolling`). */
    vite: TemplateHelpers;
    /** The app version this response carries. */
    appVersion: string;
  }
}

export type KoaAdapterOptions = AdapterOptions<[ctx: Context]>;

function facts(ctx: Context): RequestFacts {
  return { method: ctx.method, path: ctx.path, url: ctx.originalUrl, headers: ctx.headers };
}

function send(ctx: Context, answer: Answer, always: Readonly<Record<string, string>>): void {
  ctx.status = answer.status;
  ctx.set({ ...always, ...answer.headers });
  ctx.body = answer.body;
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
  const nonceOf = options.nonce ?? ((ctx: Context) => ctx.state.cspNonce as string | undefined);
  return async function viteRollingMiddleware(ctx: Context, next: Next) {
    const handled = core.handle(facts(ctx));
    const answer = handled instanceof Promise ? await handled : handled;
    if (answer) return send(ctx, answer, core.responseHeaders());
    const vite = core.helpersFor({
      host: ctx.get("host"),
      nonce: () => nonceOf(ctx),
      // Koa writes its own headers at the end: Link goes through ctx, not the raw response.
      hints: () => ({
        link: (value) => {
          if (!ctx.headerSent) ctx.append("link", value);
        },
        earlyHints: nodeHints(ctx.req, ctx.res).earlyHints,
      }),
    });
    ctx.state.vite = vite;
    ctx.state.appVersion = vr.appVersion();
    ctx.set(core.responseHeaders());
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
    if (
      typeof ctx.body === "string" &&
      core.injectable(ctx.response.get("content-type"), ctx.response.get("content-encoding"))
    ) {
      ctx.body = core.inject(ctx.body, vite.nonce());
    }
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
export function versionRouter(options: VersionRouterOptions): Middleware {
  const route = createRouting(options, "koa");
  return async function versionRouterMiddleware(ctx: Context, next: Next) {
    const decision = route(facts(ctx));
    if (isAnswer(decision)) return send(ctx, decision, {});
    if (decision) {
      ctx.request.headers[decision.header] = decision.target;
      ctx.set(decision.header, decision.target);
      if (decision.expireCookie) ctx.append("set-cookie", decision.expireCookie);
    }
    await next();
  };
}
