/**
 * The loop guard shared by every automatic full load the stale-client script causes.
 *
 * Issue 12: behind a round-robin balancer mid-deploy, every reload can land on the other
 * release, whose next response is stale again. Remembering every load of the window (not only
 * the last) bounds A→B→A flapping: each (version, URL) pair loads at most once.
 */

/**
 * Prefix of the sessionStorage keys of automatic loads: `vite-rolling:load:<version> <url>`
 * holds the `Date.now()` of the last one (version "null" after a failed lazy import). One key
 * per pair keeps the guard free of JSON; the few keys a deploy leaves die with the tab.
 */
export const GUARD_PREFIX = "vite-rolling:load:";

/** No second automatic load of the same (version, URL) within this window. */
export const GUARD_MS = 60_000;

/**
 * Claims the one automatic load of `url` (without fragment) for `version`: true when none
 * happened within `GUARD_MS` (and records this one), false otherwise. Without sessionStorage
 * there is no guard, so no automatic load either: false.
 */
export function claimLoad(version: string | null, url: string): boolean {
  const now = Date.now();
  const key = `${GUARD_PREFIX}${version} ${url}`;
  try {
    // A missing key reads as undefined: NaN, never below the window.
    if (now - sessionStorage[key] < GUARD_MS) return false;
    sessionStorage[key] = now;
    return true;
  } catch {
    return false;
  }
}
