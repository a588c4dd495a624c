import { describe, fail } from "../errors.js";
import type { VersionInfo } from "../types.js";
import { hashOfPairs, shortHash } from "./hash.js";

/** Facts `resolveAppVersion` decides from; all gathered at `ready()` / `reload()`. */
export interface AppVersionFacts {
  /** The `appVersion` option (git SHA, semver); "" or null: not set. */
  explicit?: string | null;
  /** Environment; `APP_VERSION` is read when `explicit` is empty. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The Vite plugin's sidecar `buildHash` (64 hex), if any. */
  buildHash?: string | null;
  /** The `hash` of `staticfiles.json` (64 hex), if any. */
  staticHash?: string | null;
  /** Hash (hex) of each registered version component's files, by component name. */
  components?: Record<string, string>;
  /** This process's release id, carried into the result. @default "" */
  release?: string;
}

// What X-App-Version can carry everywhere (RFC 9110 field-value without obs-text: visible
// ASCII, inner spaces only); the same rule the HTTP layer applies to the appVersion option.
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * The app version, in the seed's order:
 * 1. explicit `appVersion`, else the `APP_VERSION` env var;
 * 2. the build hash: the sidecar's `buildHash`, else `staticfiles.json`'s `hash` (both: a hash of both);
 * 3. registered component files (with a build hash: derived from both);
 * 4. `"unknown"`.
 * Derived versions are the first 12 hex digits of a sha256.
 *
 * @example resolveAppVersion({ explicit: "", env: {}, buildHash: sidecar.buildHash }).version // "3f2a9c0b1d4e"
 */
export function resolveAppVersion(facts: AppVersionFacts): VersionInfo {
  const env = facts.env ?? process.env;
  const release = facts.release ?? "";
  const components = Object.fromEntries(
    Object.entries(facts.components ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const buildHash = combinedBuildHash(facts.buildHash ?? null, facts.staticHash ?? null);
  const shortComponents = Object.fromEntries(
    Object.entries(components).map(([name, hash]) => [name, shortHash(hash)]),
  );
  const info = (version: string, source: VersionInfo["source"]): VersionInfo => ({
    version,
    source,
    release,
    buildHash,
    components: shortComponents,
  });

  const explicit = facts.explicit || env.APP_VERSION || "";
  if (explicit) {
    if (!HEADER_SAFE.test(explicit)) {
      fail(
        "version",
        `the app version ${describe(explicit)} cannot be sent in a header (visible ASCII only, no CR/LF, no outer spaces). Set appVersion / APP_VERSION to a plain string such as a git SHA.`,
      );
    }
    return info(explicit, "explicit");
  }
  const hasComponents = Object.keys(components).length > 0;
  const componentPairs = Object.entries(components).map(([name, hash]): [string, string] => [
    `component:${name}`,
    hash,
  ]);
  if (buildHash && hasComponents) {
    return info(
      shortHash(hashOfPairs([["build", buildHash], ...componentPairs])),
      "build+components",
    );
  }
  if (buildHash) return info(shortHash(buildHash), "build");
  if (hasComponents) return info(shortHash(hashOfPairs(componentPairs)), "components");
  return info("unknown", "unknown");
}

/** The sidecar's build hash, the static files' hash, or one hash of both. */
export function combinedBuildHash(
  buildHash: string | null,
  staticHash: string | null,
): string | null {
  if (buildHash && staticHash) {
    return hashOfPairs([
      ["build", buildHash],
      ["static", staticHash],
    ]);
  }
  return buildHash || staticHash || null;
}
