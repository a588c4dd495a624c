/**
 * Seams for tests and benchmarks: not part of the package's public entry (package.json
 * `exports` does not list it), so it may change in any release.
 */
import type { BuildRuntimeSeams } from "./engine/build-runtime.js";
import { ViteRollingFront } from "./engine/front.js";
import { resolveOptions, type ViteRollingOptions } from "./options.js";
import type { ViteRolling } from "./types.js";

export type { BuildRuntimeSeams } from "./engine/build-runtime.js";
export type { ManifestLoader } from "./engine/manifest-loader.js";

/** What `createViteRollingWith` can replace. */
export interface ViteRollingSeams extends BuildRuntimeSeams {
  /** The environment options resolve against. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * `createViteRolling` with its parts replaced: a manifest loader (no file, no registry), a
 * counting walker, an environment of the test's own.
 * @example
 * const vr = createViteRollingWith({ manifestPath: "m.json", dev: false }, { env: { APP_VERSION: "v1" } });
 */
export function createViteRollingWith(
  options: ViteRollingOptions,
  { env, ...seams }: ViteRollingSeams,
): ViteRolling {
  return new ViteRollingFront(resolveOptions(options, env), seams);
}
