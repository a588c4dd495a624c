import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fail, type Logger } from "../errors.js";
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

/** Where the manifest came from. */
export interface LoadedManifest {
  text: string;
  source: "registry" | "file";
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

/**
 * Loads this release's manifest: from the registry when it has it, else from the local file,
 * which it then writes through to the registry (only for a listed release). A registry that is
 * down or slow costs one warning and the local file: a page never breaks for it, and the next
 * call tries the registry again (no restart needed once it is back).
 * @example
 * const { text, source } = await loadReleaseManifest({ registry, release, manifestPath, cache: true, logger: console });
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
      if (stored) return { text: stored.text, source: "registry" };
    } catch (error) {
      registryFailed = true;
      logger.warn(
        `[vite-rolling] [registry] cannot read release "${release}" from ${registry.location} (${reason(error)}); serving the local manifest ${options.manifestPath}.`,
      );
    }
  }
  const path = resolve(options.cwd ?? process.cwd(), options.manifestPath);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    fail(
      "manifest",
      `no manifest for release "${release}" in the registry and none at ${path} (${(error as NodeJS.ErrnoException).code ?? reason(error)}). Run \`vite build\` with build.manifest: true, or fix manifestPath.`,
      { cause: error },
    );
  }
  if (useRegistry && !registryFailed) {
    try {
      await bounded(registry.writeThrough(release, text), timeoutMs, "the registry write");
    } catch (error) {
      logger.warn(
        `[vite-rolling] [registry] cannot cache release "${release}" in ${registry.location} (${reason(error)}); serving the local manifest ${options.manifestPath}.`,
      );
    }
  }
  return { text, source: "file" };
}
