/**
 * The loop guard shared by every automatic full load the stale-client script causes.
 *
 * Issue 12: behind a round-robin balancer mid-deploy, every reload can land on the other
 * release, whose next response is stale again. One automatic load per URL within the window,
 * whatever version asked for it: keyed by (version, URL), two flapping releases allowed two
 * loads for one user action, which the browser simulation counted as a loop. A navigation the
 * user starts claims its URL too. A later release within the window is not loaded
 * automatically: the tab warns once, and its next link is a full load.
 */

/**
 * Prefix of the sessionStorage keys of automatic loads: `vite-rolling:load:<url>` holds the
 * `Date.now()` of the last one. One key per URL keeps the guard free of JSON; the few keys a
 * deploy leaves die with the tab.
 */
export const GUARD_PREFIX = "vite-rolling:load:";

/** No second automatic load of the same URL within this window. */
export const GUARD_MS = 60_000;

/**
 * Claims the one automatic load of `url` (without fragment): true when none happened within
 * `GUARD_MS` (and records this one), false otherwise. Without sessionStorage there is no
 * guard, so no automatic load either: false.
 */
export function claimLoad(url: string): boolean {
  const now = Date.now();
  const key = GUARD_PREFIX + url;
  try {
    // A missing key reads as undefined: NaN, never below the window.
    if (now - sessionStorage[key] < GUARD_MS) return false;
    sessionStorage[key] = now;
    return true;
  } catch {
    return false;
  }
}
