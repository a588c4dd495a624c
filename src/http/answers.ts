/**
 * The answers the library sends itself: JSON that no cache keeps, another release's retained
 * file, and the same-origin target a stale client is sent to.
 */
import { contentTypeOf } from "../assets/content-type.js";
import { IMMUTABLE_CACHE_CONTROL } from "../static/immutable-cache-control.js";
import type { RetainedAsset } from "../types.js";
import { isSafeHeaderValue } from "../util/safe-header-value.js";
import type { Answer } from "./contract.js";

const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

/** A JSON answer that no cache keeps. */
export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Answer {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** 405 naming the methods a path of the library takes. */
export function methodNotAllowed(allow: string): Answer {
  return jsonAnswer(405, { error: "method not allowed" }, { allow });
}

/** A retained file of another release: immutable, typed by its extension, never sniffed. */
export function retainedAnswer(asset: RetainedAsset): Answer {
  return {
    status: 200,
    headers: {
      "content-type": contentTypeOf(asset.file),
      "cache-control": IMMUTABLE_CACHE_CONTROL,
      "x-content-type-options": "nosniff",
      // Release ids may hold any non-control character; only a header-safe one is named.
      ...(isSafeHeaderValue(asset.release) ? { "x-vite-rolling-release": asset.release } : {}),
    },
    body: asset.body,
  };
}

/**
 * Where a stale client goes: the requested path and query, reduced to a same-origin path.
 * A request target `//evil.example/x` is a valid path, but as a Location-like header it
 * would be protocol-relative: an open redirect. So are the paths dot segments reduce to one
 * (`/a/..//evil.example/x`, `/%2e%2e//evil.example/x`): leading slashes collapse to one after
 * the URL parser has resolved them, so the target always starts with exactly one "/".
 *
 * @example redirectTarget("//evil.example/x?y=1") // "/evil.example/x?y=1"
 * @example redirectTarget("/a/..//evil.example/x") // "/evil.example/x"
 */
export function redirectTarget(url: string): string {
  let u: URL;
  try {
    u = new URL(url.replace(/^[/\\]+/, "/"), "http://localhost");
  } catch {
    // An absolute-form target that does not parse (`http://[`): the site's root.
    return "/";
  }
  // Another scheme (`javascript:/x`, absolute-form) keeps backslashes and may lack a "/"
  // path: the site's root then. http(s) paths start with "/" and hold no backslash.
  if (u.protocol !== "http:" && u.protocol !== "https:") return "/";
  const path = u.pathname;
  return (path.charCodeAt(1) === 47 ? path.replace(/^\/+/, "/") : path) + u.search;
}
