/**
 * Adapter side of version routing: `createVersionRouter` decides (pure, version-router.ts);
 * this turns a decision into what every adapter does, so adapters only set headers.
 */
import { fail } from "../errors.js";
import { isSafeHeaderValue } from "../util/safe-header-value.js";
import { jsonAnswer } from "./answers.js";
import type { Answer, RequestFacts } from "./contract.js";
import { createVersionRouter, type VersionRouterOptions } from "./version-router.js";

export type { VersionRouterOptions };

/**
 * The `versionRouter` every adapter exports, documented once here: editors show the call
 * signature's comment on each adapter's `versionRouter`.
 */
export interface VersionRouterFactory<Middleware> {
  /**
   * Blue/green routing, decided by `createVersionRouter`: a request pinned to a live version
   * (header, `?dpl=`, cookie) gets the target header (`x-backend-target`) on the request and
   * the response (Hono: the request side is `c.get("backendTarget")`); an API or htmx request
   * pinned to a version that is not live is answered 409 with the live versions (node:http:
   * and the handler returns false, stop); a navigation falls back to `defaultVersion` (and a
   * stale pin cookie is expired).
   *
   * @example
   * const options = { versions: { "v1.0": "blue", "v1.1": "green" }, defaultVersion: "v1.1" };
   * app.use(versionRouter(options));                  // Express, Hono, Koa
   * await fastify.register(versionRouter(options));   // Fastify
   * const route = versionRouter(options);             // node:http
   * http.createServer((req, res) => { if (!route(req, res)) return; ... });
   */
  // biome-ignore lint/style/useShorthandFunctionType: a function type would drop the JSDoc above.
  (options: VersionRouterOptions): Middleware;
}

/** Continue, with `header: target` set on the request and the response. */
export interface Routed {
  header: string;
  target: string;
  /**
   * A Set-Cookie expiring a pin cookie that named no live version (the navigation fell back
   * to the default). Without it, every later htmx / fetch request carrying the dead pin
   * would be answered 409: a lockout.
   */
  expireCookie: string | null;
}

/** Per request: route (continue with headers), answer (the 409), or null (continue). */
export type Routing = (req: RequestFacts) => Routed | Answer | null;

/** True when a routing result is an answer to send instead of continuing. */
export function isAnswer(result: Routed | Answer | null): result is Answer {
  return result !== null && "status" in result;
}

/**
 * The routing of one adapter's `versionRouter`: options checked once, here; per request a
 * decision turned into what the adapter applies.
 *
 * @param scope The adapter's name, for error messages.
 */
export function createRouting(options: VersionRouterOptions, scope: string): Routing {
  const router = createVersionRouter(options);
  const expireCookie = `${router.cookie}=; Path=/; Max-Age=0; SameSite=Lax`;
  return function routing(req) {
    const decision = router.decide(req);
    if (decision.action === "pass") return null;
    if (decision.action === "conflict") return jsonAnswer(409, decision.body);
    // A versions function may return anything at runtime; Node would throw (a 500 on every
    // routed request) on CR/LF in a header, so name the bad entry instead.
    if (!isSafeHeaderValue(decision.target)) {
      fail(
        scope,
        `versionRouter: the target of version "${decision.version}", ${JSON.stringify(decision.target)}, is not a valid header value. Fix "versions".`,
        { code: "ERR_HTTP_ROUTE_TARGET" },
      );
    }
    return {
      header: router.targetHeader,
      target: decision.target,
      expireCookie: decision.fallback?.from === "cookie" ? expireCookie : null,
    };
  };
}
