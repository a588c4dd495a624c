import { describe, fail } from "../errors.js";
import type { VersionInfo } from "../types.js";
import { isSafeHeaderValue } from "../util/safe-header-value.js";
import { hashOfPairs, shortHash } from "./hash.js";

/** Facts `resolveAppVersion` decides from; all gathered at `ready()` / `reload()`. */
export interface AppVersionFacts {
  /** The resolved `appVersion` option (the option, else `APP_VERSION`); "" or null: not set. */
  explicit?: string | null;
  /** The Vite plugin's sidecar `buildHash` (64 hex), if any. */
  buildHash?: string | null;
  /** The `hash` of `staticfiles.json` (64 hex), if any. */
  staticHash?: string | null;
  /** Hash (hex) of each registered version component's files, by component name. */
  components?: Record<string, string>;
  /** This process's release id, carried into the result. @default "" */
  release?: string;
}

/**
 * The app version, in the seed's order:
 * 1. explicit `appVersion` (`resolveOptions` falls back to `APP_VERSION`);
 * 2. the build hash: the sidecar's `buildHash`, else `staticfiles.json`'s `hash` (both: a hash of both);
 * 3. registered component files (with a build hash: derived from both);
 * 4. `"unknown"`.
 * Derived versions are the first 12 hex digits of a sha256.
 *
 * @example resolveAppVersion({ explicit: "", buildHash: sidecar.buildHash }).version // "3f2a9c0b1d4e"
 */
export function resolveAppVersion(facts: AppVersionFacts): VersionInfo {
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

  const explicit = facts.explicit || "";
  if (explicit) {
    if (!isSafeHeaderValue(explicit)) {
      fail(
        "version",
        `the app version ${describe(explicit)} cannot be sent in a header (visible ASCII only, no CR/LF, no outer spaces). Set appVersion / APP_VERSION to a plain string such as a git SHA.`,
        { code: "ERR_OPTIONS" },
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
