import { immutableCacheControl } from "../static/immutable-cache-control.js";

// Vite's default `[name]-[hash].ext` (also `.js.map`): 8+ base64url characters after a "-".
const VITE_HASH = /-[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9]+){1,2}$/;

/**
 * Whether a file a build emitted carries a content hash in its name. `immutableCacheControl`
 * alone is made for hand-placed static files and refuses hashes that read like camelCased
 * words ("main-CaRtYaOf.js", a few percent of Vite's hashes); a file the manifest or the
 * plugin's record lists is Vite's own output, so Vite's pattern is enough.
 *
 * @example isHashedBuildFile("assets/main-CaRtYaOf.js") // true
 * @example isHashedBuildFile("assets/logo.svg") // false
 */
export function isHashedBuildFile(file: string): boolean {
  return (
    immutableCacheControl(file) !== null || VITE_HASH.test(file.slice(file.lastIndexOf("/") + 1))
  );
}
