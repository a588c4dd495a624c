import { resolve } from "node:path";
import {
  configuredDevServer,
  type DevServer,
  devReactRefresh,
  devScripts,
  devServerAt,
  devServerUrl,
  devStyles,
  devUrl,
} from "../html/dev.js";
import type { TagOptions } from "../html/tags.js";
import type { Sidecar } from "../manifest/sidecar.js";
import type { ResolvedOptions } from "../options.js";
import type { RenderContext } from "../types.js";
import { BuildRuntime } from "./build-runtime.js";
import { type HotFile, HotFileWatch } from "./hot-file.js";
import { localBuildLoader } from "./manifest-loader.js";
import type { Runtime } from "./runtime.js";

/** What renders while no dev server runs: the local build once it loaded, else the options. */
type BuildState = "unloaded" | "loading" | "loaded" | "missing";

/**
 * Dev mode, as Laravel does it: while the plugin's hot file exists the tags point at the dev
 * server it names; without one they come from the local build (production-like tags), and
 * without a build either from the devServer* options. Each switch is said once.
 */
export class DevRuntime implements Runtime {
  readonly #options: ResolvedOptions;
  readonly #tagOptions: TagOptions;
  readonly #configured: DevServer;
  readonly #hot: HotFileWatch;
  readonly #build: BuildRuntime;
  #buildState: BuildState = "unloaded";
  #loading: Promise<void> | null = null;
  #lastHot: HotFile | null = null;
  #server: DevServer;
  /** The fallback last told about; cleared when a dev server is found again. */
  #warned: "build" | "options" | null = null;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#tagOptions = { turboTrack: options.turboTrack, attributes: options.attributes };
    this.#configured = configuredDevServer(options);
    this.#server = this.#configured;
    this.#hot = new HotFileWatch(resolve(options.hotFile), (reason) =>
      options.logger.warn(
        `[vite-rolling] [dev] the hot file ${JSON.stringify(options.hotFile)} is not one the vite-rolling/vite plugin wrote: ${reason}. It is ignored. Fix: delete it, or point the hotFile option elsewhere.`,
      ),
    );
    this.#build = new BuildRuntime(options, {
      loadManifest: localBuildLoader(options.manifestPath),
    });
  }

  /** The local build's sidecar while dev mode renders from it; null with a dev server. */
  get sidecar(): Sidecar | null {
    return this.#buildState === "loaded" && !this.#lastHot ? this.#build.sidecar : null;
  }

  async ready(): Promise<void> {
    this.#lastHot = this.#hot.refresh();
    if (this.#lastHot) this.#server = devServerAt(this.#lastHot, true);
    else await this.#loadBuild();
  }

  async reload(): Promise<void> {
    this.#buildState = "unloaded";
    await this.ready();
  }

  /** Loads the local build once at a time; failing is not an error in dev, only a warning. */
  #loadBuild(): Promise<void> {
    this.#loading ??= this.#build
      .reload()
      .then(
        () => {
          this.#buildState = "loaded";
          this.#warn(
            "build",
            `, so dev mode renders from the build at ${JSON.stringify(this.#options.manifestPath)} (production-like tags)`,
          );
        },
        (error: unknown) => {
          this.#buildState = "missing";
          const why = error instanceof Error ? error.message : String(error);
          this.#warn(
            "options",
            `, and the build cannot be read (${why.replace(/^\[vite-rolling\] \[[^\]]+\] /, "")}), so the tags point at the devServer* options: ${devServerUrl(this.#configured)}/`,
          );
        },
      )
      .finally(() => {
        this.#loading = null;
      });
    // A build already loaded keeps rendering while it loads again.
    if (this.#buildState !== "loaded") this.#buildState = "loading";
    return this.#loading;
  }

  #warn(kind: "build" | "options", what: string): void {
    if (this.#warned === kind) return;
    this.#warned = kind;
    this.#options.logger.warn(
      `[vite-rolling] [dev] no Vite dev server runs (no hot file at ${JSON.stringify(this.#options.hotFile)})${what}. Fix: start \`vite\` with viteRolling() from "vite-rolling/vite" in vite.config's plugins (it writes the hot file while it runs), or set the hotFile option to where the plugin writes it.`,
    );
  }

  /** The dev server of the newest hot file, else the build, else the configured dev server. */
  #target(): DevServer | BuildRuntime {
    const hot = this.#hot.current();
    if (hot) {
      if (hot !== this.#lastHot) {
        this.#lastHot = hot;
        this.#server = devServerAt(hot, true);
        this.#warned = null;
      }
      return this.#server;
    }
    if (this.#lastHot) {
      // The dev server stopped: the build takes over once it loaded.
      this.#lastHot = null;
      this.#server = this.#configured;
      void this.#loadBuild();
    }
    return this.#buildState === "loaded" ? this.#build : this.#server;
  }

  styles(entries: readonly string[], ctx: RenderContext): string {
    const target = this.#target();
    if (target instanceof BuildRuntime) return target.styles(entries, ctx);
    return devStyles(target, entries, ctx, this.#tagOptions);
  }

  scripts(entries: readonly string[], ctx: RenderContext): string {
    const target = this.#target();
    if (target instanceof BuildRuntime) return target.scripts(entries, ctx);
    return devScripts(target, entries, ctx, this.#tagOptions);
  }

  /** From the build only: the dev server serves modules one by one, as the browser asks. */
  preloadLinks(entries: readonly string[], ctx: RenderContext): string[] {
    const target = this.#target();
    return target instanceof BuildRuntime ? target.preloadLinks(entries, ctx) : [];
  }

  assetUrl(path: string, ctx: RenderContext): string {
    const target = this.#target();
    if (target instanceof BuildRuntime) return target.assetUrl(path);
    return devUrl(target, path, ctx.host);
  }

  /** From the build only: the dev server serves modern modules only. */
  legacyScripts(entries: readonly string[], ctx: RenderContext): string {
    const target = this.#target();
    return target instanceof BuildRuntime ? target.legacyScripts(entries, ctx) : "";
  }

  reactRefresh(ctx: RenderContext): string {
    const target = this.#target();
    if (target instanceof BuildRuntime) return "";
    return devReactRefresh(target, ctx, this.#tagOptions);
  }

  /** Dev mode serves no other release's files. */
  retainedCandidate(): null {
    return null;
  }
}
