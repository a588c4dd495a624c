import { BucketAssets } from "../assets/bucket-assets.js";
import { describe, fail } from "../errors.js";
import { type ResolvedOptions, resolveOptions, type ViteRollingOptions } from "../options.js";
import type { ReleaseInfo, RetainedAsset, VersionInfo, ViteRolling } from "../types.js";
import { AppVersionState } from "./app-version-state.js";
import { BuildRuntime, type BuildRuntimeSeams } from "./build-runtime.js";
import { DevRuntime } from "./dev-runtime.js";
import { FrontBase } from "./front-base.js";
import { registryLoader } from "./manifest-loader.js";
import { missingSidecarWarning } from "./missing-sidecar.js";
import { RegistryClient } from "./registry-client.js";
import { RetainedCache } from "./retained-cache.js";
import type { Runtime } from "./runtime.js";
import { WithoutViteRuntime } from "./without-vite-runtime.js";

/**
 * One build: renders through its runtime (dev server or built files), and delegates the app
 * version, the registry and retained files to one object each.
 */
export class ViteRollingFront extends FrontBase {
  readonly options: ResolvedOptions;
  readonly release: string;
  readonly #runtime: Runtime;
  readonly #version: AppVersionState;
  readonly #registry: RegistryClient;
  readonly #retained: RetainedCache | BucketAssets;
  #sidecarWarned = false;

  constructor(options: ResolvedOptions, seams: BuildRuntimeSeams = {}) {
    super();
    this.options = options;
    this.release = options.release;
    this.#registry = new RegistryClient(options);
    this.#runtime = options.withoutVite
      ? new WithoutViteRuntime(options)
      : options.dev
        ? new DevRuntime(options)
        : new BuildRuntime(options, {
            loadManifest: registryLoader(options, () => this.#registry.store()),
            ...seams,
          });
    this.#version = new AppVersionState(options);
    // With an asset store, other releases' files come from the bucket, not the registry.
    this.#retained = options.assetStore
      ? new BucketAssets(options, options.logger)
      : new RetainedCache(this.#registry, this.release, options.logger);
  }

  /**
   * One build serves no build names: a template written for several builds (combineBuilds)
   * must not render from whichever build this is.
   */
  protected target(build: string | undefined, method: string): Runtime {
    if (build !== undefined) {
      fail(
        "render",
        `${method}() was given build ${describe(build)}, but this object serves one build. Fix: serve several builds with combineBuilds({ name: createViteRolling(...), ... }), or leave the build out.`,
        { code: "ERR_UNKNOWN_BUILD" },
      );
    }
    return this.#runtime;
  }

  /** Everything async happens here: rendering afterwards is synchronous lookups. */
  async ready(): Promise<void> {
    await this.#runtime.ready();
    const version = await this.#version.update(this.#runtime.sidecar);
    if (this.#sidecarWarned || this.options.dev || this.options.withoutVite) return;
    if (this.#runtime.sidecar) return;
    const warning = missingSidecarWarning(this.options, version);
    if (!warning) return;
    this.#sidecarWarned = true;
    this.options.logger.warn(warning);
  }

  async reload(): Promise<VersionInfo> {
    await this.#runtime.reload();
    return this.#version.update(this.#runtime.sidecar);
  }

  versionInfo(): VersionInfo {
    return this.#version.version;
  }

  staticUrl(path: string): string {
    return this.#version.staticUrl(path);
  }

  /** Takes effect at the next `ready()` / `reload()`, where the files are hashed. */
  registerVersionComponent(name: string, files: readonly string[]): void {
    this.#version.registerComponent(name, files);
  }

  retainedAsset(path: string): Promise<RetainedAsset | null> | null {
    if (!this.options.retainAssets && !this.options.assetStore) return null;
    const file = this.#runtime.retainedCandidate(path);
    return file === null ? null : this.#retained.find(file);
  }

  /** The registry's releases; a registry outage answers [] (with one warning), never throws. */
  releases(): Promise<ReleaseInfo[]> {
    return this.#registry.releases();
  }

  async close(): Promise<void> {
    await this.#registry.close();
  }
}

/**
 * Creates the integration. Options are validated and the environment read here, once (a bad
 * option or release id throws now); `await vr.ready()` before rendering, then `styles` /
 * `scripts` are synchronous lookups.
 *
 * @example
 * const vr = createViteRolling({ manifestPath: "dist/.vite/manifest.json", base: "/static/" });
 * await vr.ready();
 * vr.styles("src/main.ts", { nonce });
 * vr.scripts("src/main.ts", { host: req.headers.host, nonce });
 */
export function createViteRolling(options: ViteRollingOptions): ViteRolling {
  return new ViteRollingFront(resolveOptions(options));
}
