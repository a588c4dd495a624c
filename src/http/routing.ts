/**
 * Adapter side of version routing: `createVersionRouter` decides (pure, version-router.ts);
 * this turns a decision into what every adapter does, so adapters only set headers.
 */
import { fail } from "../errors.js";
import { type Answer, isSafeHeaderValue, jsonAnswer, type RequestFacts } from "./core.js";
import { createVersionRouter, type VersionRouterOptions } from "./version-router.js";

export type { VersionRouterOptions };

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
      );
    }
    return {
      header: router.targetHeader,
      target: decision.target,
      expireCookie: decision.fallback?.from === "cookie" ? expireCookie : null,
    };
  };
}
