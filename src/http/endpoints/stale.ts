import { SCRIPT_HEADER } from "../../client/protocol.js";
import type { ViteRolling } from "../../types.js";
import { redirectTarget } from "../answers.js";
import type { Answer, Endpoint, RequestFacts } from "../contract.js";
import { firstHeader } from "../first-header.js";
import { guardKey, navigationCookie } from "../navigation-guard.js";

const SCRIPT = SCRIPT_HEADER.toLowerCase();

/**
 * A stale htmx or Inertia request: a client still on an older release asks for a page or a
 * fragment; it is sent to one full navigation instead (DESIGN principle 6). Null when
 * `staleRedirect` is off or `appVersionMismatch` is "warn" / "ignore" (those never navigate,
 * on either side).
 *
 * The server answers only for pages without the stale-client script: a request carrying
 * `X-Vite-Rolling: 1` comes from a page whose script decides, under its own guard. Without
 * it, each (version, target) pair is navigated to at most once per guard window
 * (navigation-guard.ts); a repeat goes to the application, so a flapping release never
 * loops.
 */
export function staleEndpoint(vr: ViteRolling): Endpoint | null {
  const o = vr.options;
  if (!o.staleRedirect || o.appVersionMismatch !== "reload") return null;
  return function stale(req) {
    // Only GETs: a stale client's POST still reaches the app (refusing it would lose what
    // the user submitted); the redirect that usually follows it is a GET and lands here.
    if (req.method !== "GET") return null;
    const inertia = firstHeader(req.headers, "x-inertia") === "true";
    if (!inertia && firstHeader(req.headers, "hx-request") !== "true") return null;
    if (firstHeader(req.headers, SCRIPT) === "1") return null;
    return inertia ? inertiaAnswer(vr, req) : htmxAnswer(vr, req);
  };
}

/** Inertia protocol: 409 + X-Inertia-Location makes the client do a full visit. */
function inertiaAnswer(vr: ViteRolling, req: RequestFacts): Answer | null {
  const client = firstHeader(req.headers, "x-inertia-version");
  const version = vr.appVersion();
  if (!client || client === version) return null;
  const target = redirectTarget(req.url);
  const cookie = navigationCookie(firstHeader(req.headers, "cookie"), guardKey(version, target));
  if (!cookie) return null;
  return {
    status: 409,
    headers: {
      "x-inertia-location": target,
      "set-cookie": cookie,
      vary: "X-Inertia, X-Inertia-Version",
      "cache-control": "no-store",
    },
    body: "",
  };
}

function htmxAnswer(vr: ViteRolling, req: RequestFacts): Answer | null {
  const client = firstHeader(req.headers, "x-client-version");
  const version = vr.appVersion();
  if (!client || client === version) return null;
  // A boosted navigation, a history restore or an htmx 4 "full" request asked for a page:
  // navigate there. A partial (hx-get into a div, polling) asked for a fragment: reload the
  // page the user is on (HX-Current-URL) instead of navigating to the fragment's URL.
  const page =
    firstHeader(req.headers, "hx-boosted") === "true" ||
    firstHeader(req.headers, "hx-history-restore-request") === "true" ||
    firstHeader(req.headers, "hx-request-type") === "full";
  const target = redirectTarget(
    page ? req.url : (firstHeader(req.headers, "hx-current-url") ?? req.url),
  );
  const cookie = navigationCookie(firstHeader(req.headers, "cookie"), guardKey(version, target));
  if (!cookie) return null;
  return {
    status: 200,
    headers: {
      ...(page ? { "hx-redirect": target } : { "hx-refresh": "true" }),
      "set-cookie": cookie,
      // Never let a cache hand this empty answer to a normal browser.
      vary: "HX-Request, X-Client-Version, Cookie",
      "cache-control": "no-store",
    },
    body: "",
  };
}
