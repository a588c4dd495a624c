import { resolve } from "node:path";
import type { Logger } from "../errors.js";
import { loadManifestFile, parseManifest } from "../manifest/load.js";
import type { LoadedManifest } from "../manifest/types.js";
import { assertReleaseId } from "./release-id.js";
import type { RegistryStore } from "./store.js";

/** Input of `loadReleaseManifest`. */
export interface LoadReleaseOptions {
  /** The registry, or null when there is none. */
  registry: RegistryStore | null;
  /** This process's release id ("" = none: only the local file can be trusted). */
  release: string;
  /** The local manifest, used when the registry does not have (or cannot give) this release's. */
  manifestPath: string;
  /** `cache` option: false skips the registry entirely (dev). */
  cache: boolean;
  logger: Logger;
  /** Directory `manifestPath` is relative to. @default process.cwd() */
  cwd?: string;
  /** Most ms one registry call may take before it counts as an outage. @default 5000 */
  timeoutMs?: number;
}

/** Rejects after `ms` so a hung registry never holds up startup; the timer never keeps Node alive. */
function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\[vite-rolling\] \[[^\]]+\] /, "");
}

/** How messages name the registry's copy of a release's manifest (its `source`). */
export function registrySource(release: string): string {
  return `the registry (release "${release}")`;
}

/**
 * Loads and validates this release's manifest: from the registry when it has it (`source` is
 * then `registrySource(release)`), else from the local file (`source` is `manifestPath`), which
 * it then writes through to the registry (only for a listed release). A registry that is down
 * or slow costs one warning and the local file: a page never breaks for it, and the next call
 * tries the registry again (no restart needed once it is back). The local file is read by
 * `loadManifestFile`, so a wrong `manifestPath` gets the same message (and Vite 5+ hint) here.
 * @example
 * const { manifest, text, source } = await loadReleaseManifest({ registry, release, manifestPath, cache: true, logger: console });
 */
export async function loadReleaseManifest(options: LoadReleaseOptions): Promise<LoadedManifest> {
  const { registry, release, cache, logger } = options;
  assertReleaseId(release);
  const timeoutMs = options.timeoutMs ?? 5000;
  // Without a release id every build would share the bare key, and a process starting before
  // `refresh` would read the previous build's manifest: only the local file is this build's.
  const useRegistry = cache && registry !== null && release !== "";
  let registryFailed = false;
  if (useRegistry) {
    try {
      const stored = await bounded(registry.getManifest(release), timeoutMs, "the registry read");
      if (stored) {
        const source = registrySource(release);
        return { manifest: parseManifest(stored.text, source), text: stored.text, source };
      }
    } catch (error) {
      registryFailed = true;
      logger.warn(
        `[vite-rolling] [registry] cannot read release "${release}" from ${registry.location} (${reason(error)}); serving the local manifest ${options.manifestPath}.`,
      );
    }
  }
  // Unresolved when no cwd is given, so a missing file's message shows the path as configured.
  const path =
    options.cwd === undefined ? options.manifestPath : resolve(options.cwd, options.manifestPath);
  const loaded = await loadManifestFile(path);
  if (useRegistry && !registryFailed) {
    try {
      await bounded(registry.writeThrough(release, loaded.text), timeoutMs, "the registry write");
    } catch (error) {
      logger.warn(
        `[vite-rolling] [registry] cannot cache release "${release}" in ${registry.location} (${reason(error)}); serving the local manifest ${options.manifestPath}.`,
      );
    }
  }
  return loaded;
}
