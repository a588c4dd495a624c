/**
 * The server's own loop guard for the automatic navigations it causes (HX-Redirect,
 * HX-Refresh, Inertia's 409) when no stale-client script guards them: htmx and Inertia obey
 * those answers unconditionally, so behind a balancer that flaps between releases each reload
 * could land on the other release and be stale again (issue 12: 30 reloads in 4 s). A
 * short-lived cookie records the (version, target) pairs the browser was recently sent to;
 * a request that would send it to one of them again goes to the application instead.
 */

/** Name of the guard cookie. */
export const GUARD_COOKIE = "vr_nav";
/** Seconds a recorded navigation holds: the guard window. */
export const GUARD_WINDOW_SECONDS = 60;
/** Pairs the cookie remembers (newest last); older ones fall out, keeping the cookie small. */
const GUARD_ENTRIES = 8;
const ENTRY = /^[0-9a-z]{1,7}$/;

/**
 * A short, cookie-safe digest of one (version, target) pair (32-bit FNV-1a, base 36): a
 * collision only costs one skipped navigation, which the next version check makes up for.
 *
 * @example guardKey("v2", "/page") // "1x0q3ab" (7 characters at most)
 */
export function guardKey(version: string, target: string): string {
  let hash = 0x811c9dc5;
  const text = `${version}\n${target}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** The pairs the request's `Cookie` header says were navigated to within the window. */
function recorded(cookie: string | undefined): string[] {
  if (!cookie) return [];
  const at = cookie.indexOf(`${GUARD_COOKIE}=`);
  if (at < 0 || (at > 0 && !/[;\s]/.test(cookie[at - 1]!))) return [];
  const start = at + GUARD_COOKIE.length + 1;
  const end = cookie.indexOf(";", start);
  const value = cookie.slice(start, end < 0 ? undefined : end).trim();
  // Anything but our own entries is ignored: a forged cookie can only skip navigations.
  return value.split(".").filter((entry) => ENTRY.test(entry));
}

/**
 * The `Set-Cookie` value recording a navigation to `key`, or null when the request's cookies
 * show one within the window already: then the request must not navigate again.
 *
 * @example navigationCookie(undefined, "abc") // "vr_nav=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax"
 * @example navigationCookie("vr_nav=abc", "abc") // null
 */
export function navigationCookie(cookie: string | undefined, key: string): string | null {
  const entries = recorded(cookie);
  if (entries.includes(key)) return null;
  entries.push(key);
  const kept = entries.slice(-GUARD_ENTRIES).join(".");
  return `${GUARD_COOKIE}=${kept}; Max-Age=${GUARD_WINDOW_SECONDS}; Path=/; HttpOnly; SameSite=Lax`;
}
