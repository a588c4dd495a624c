import { describe, fail } from "../errors.js";
import { VersionTagsCache } from "../html/version-tags.js";
import type { ResolvedOptions } from "../options.js";
import type {
  ReleaseInfo,
  RenderContext,
  RetainedAsset,
  VersionInfo,
  ViteRolling,
} from "../types.js";
import type { RenderTarget } from "./runtime.js";

/**
 * What every front object shares, one build (`createViteRolling`) or several
 * (`combineBuilds`): argument checks, routing a render to the build its context names, and
 * the version tags. A subclass says which target renders (`target`) and how it loads.
 */
export abstract class FrontBase implements ViteRolling {
  abstract readonly options: ResolvedOptions;
  abstract readonly release: string;
  #versionTags: VersionTagsCache | null = null;

  /**
   * The target that renders for `build` (undefined: the default one). A build name this
   * object does not serve throws `ERR_UNKNOWN_BUILD`, naming `method`.
   */
  protected abstract target(build: string | undefined, method: string): RenderTarget;

  abstract ready(): Promise<void>;
  abstract reload(): Promise<VersionInfo>;
  abstract versionInfo(): VersionInfo;
  abstract staticUrl(path: string): string;
  abstract registerVersionComponent(name: string, files: readonly string[]): void;
  abstract retainedAsset(path: string): Promise<RetainedAsset | null> | null;
  abstract releases(): Promise<ReleaseInfo[]>;
  abstract close(): Promise<void>;

  styles(entries: string | readonly string[], ctx: RenderContext = {}): string {
    const list = entryList("styles", entries);
    return this.target(ctx.build, "styles").styles(list, withoutBuild(ctx));
  }

  scripts(entries: string | readonly string[], ctx: RenderContext = {}): string {
    const list = entryList("scripts", entries);
    return this.target(ctx.build, "scripts").scripts(list, withoutBuild(ctx));
  }

  preloadLinks(entries: string | readonly string[], ctx: RenderContext = {}): string[] {
    const list = entryList("preloadLinks", entries);
    return this.target(ctx.build, "preloadLinks").preloadLinks(list, withoutBuild(ctx));
  }

  linkHeader(entries: string | readonly string[], ctx: RenderContext = {}): string {
    const list = entryList("linkHeader", entries);
    return this.target(ctx.build, "linkHeader").preloadLinks(list, withoutBuild(ctx)).join(", ");
  }

  /** In dev mode `ctx.host` picks the dev server's host, as for `scripts`. */
  assetUrl(path: string, ctx: RenderContext = {}): string {
    return this.target(ctx.build, "assetUrl").assetUrl(path, withoutBuild(ctx));
  }

  legacyScripts(entries: string | readonly string[], ctx: RenderContext = {}): string {
    const list = entryList("legacyScripts", entries);
    const target = this.target(ctx.build, "legacyScripts");
    return target.legacyScripts?.(list, withoutBuild(ctx)) ?? "";
  }

  reactRefresh(ctx: RenderContext = {}): string {
    return this.target(ctx.build, "reactRefresh").reactRefresh(withoutBuild(ctx));
  }

  appVersion(): string {
    return this.versionInfo().version;
  }

  versionTags(ctx: RenderContext = {}): string {
    // Built on first use: subclasses set `options` in their constructors, after this one's.
    this.#versionTags ??= versionTagsCache(this.options);
    return this.#versionTags.render(
      this.versionInfo().version,
      this.options.appVersionMismatch,
      ctx.nonce,
    );
  }
}

/**
 * The script's settings from the options: no version checks without the endpoint, or without
 * `X-App-Version`, where the script reads a new release's version from.
 */
function versionTagsCache(o: ResolvedOptions): VersionTagsCache {
  return new VersionTagsCache({
    pollInterval: o.versionEndpoint && o.appVersionHeader ? o.pollInterval : 0,
    versionUrl: o.versionPath,
    formRestore: o.formRestore,
    script: o.staleClientScript,
  });
}

function isEntryName(entry: unknown): boolean {
  return typeof entry === "string" && entry.length > 0;
}

/** The entries of a render call as a list, or an `ERR_RENDER` naming what was received. */
function entryList(method: string, entries: string | readonly string[]): readonly string[] {
  const list = typeof entries === "string" ? [entries] : entries;
  if (!Array.isArray(list) || !list.every(isEntryName)) {
    fail(
      "render",
      `${method}() expects an entry name or a list of them, like "src/main.ts" or ["src/main.ts"], received ${describe(entries)}.`,
      { code: "ERR_RENDER" },
    );
  }
  return list;
}

/** The context a build renders with: the build is chosen, so the name goes (no copy without one). */
function withoutBuild(ctx: RenderContext): RenderContext {
  if (ctx.build === undefined) return ctx;
  const { build: _, ...rest } = ctx;
  return rest;
}
