import type { Sidecar } from "../manifest/sidecar.js";
import type { ResolvedOptions } from "../options.js";
import { readStaticManifest, type StaticManifest } from "../static/static-manifest.js";
import { createStaticUrl, type StaticUrl } from "../static/static-url.js";
import type { VersionInfo } from "../types.js";
import { resolveAppVersion } from "../version/app-version.js";
import { VersionComponents } from "../version/version-components.js";

/**
 * The app version of one build and the static-file URLs that share its inputs: resolved from
 * the options at creation (an explicit version is known at once), again from the loaded
 * build's hashes at every `ready()` / `reload()`. Reads are synchronous.
 */
export class AppVersionState {
  readonly #options: ResolvedOptions;
  readonly #components = new VersionComponents();
  #version: VersionInfo;
  #staticUrl: StaticUrl;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#version = this.#resolve(null, null, {});
    this.#staticUrl = this.#makeStaticUrl(null);
  }

  get version(): VersionInfo {
    return this.#version;
  }

  staticUrl(path: string): string {
    return this.#staticUrl(path);
  }

  /** Takes effect at the next `update()`, where the files are hashed. */
  registerComponent(name: string, files: readonly string[]): void {
    this.#components.register(name, files);
  }

  /** Resolves the version again from what the runtime just loaded (its sidecar's build hash). */
  async update(sidecar: Sidecar | null): Promise<VersionInfo> {
    const o = this.#options;
    const statics =
      !o.dev && o.staticManifestPath ? await readStaticManifest(o.staticManifestPath) : null;
    const components = await this.#components.hashes();
    this.#version = this.#resolve(sidecar?.buildHash ?? null, statics?.hash ?? null, components);
    this.#staticUrl = this.#makeStaticUrl(statics);
    return this.#version;
  }

  #resolve(
    buildHash: string | null,
    staticHash: string | null,
    components: Record<string, string>,
  ): VersionInfo {
    return resolveAppVersion({
      explicit: this.#options.appVersion,
      buildHash,
      staticHash,
      components,
      release: this.#options.release,
    });
  }

  #makeStaticUrl(manifest: StaticManifest | null): StaticUrl {
    const o = this.#options;
    return createStaticUrl({
      dev: o.dev,
      staticRoot: o.staticRoot,
      staticManifestPath: o.staticManifestPath,
      staticBase: o.staticBase,
      staticDevVersionQuery: o.staticDevVersionQuery,
      manifest,
    });
  }
}
