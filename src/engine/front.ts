import { describe, fail } from "../errors.js";
import { devReactRefresh, devScripts, devUrl } from "../html/dev.js";
import { jsonForScript } from "../html/escape.js";
import { type CompiledLinks, compileLinks, isSafeLinkParam } from "../html/link-header.js";
import type { compilePrefetch } from "../html/prefetch.js";
import {
  type CompiledTags,
  compileTags,
  inlineScript,
  joinUrl,
  type TagOptions,
  type TagSpec,
  toTagSpecs,
} from "../html/tags.js";
import { VersionTagsCache } from "../html/version-tags.js";
import { referencedFiles } from "../manifest/files.js";
import { loadManifestFile, parseManifest } from "../manifest/load.js";
import { type ImportMap, readSidecar, type Sidecar, sidecarPathFor } from "../manifest/sidecar.js";
import type { LoadedManifest, Manifest } from "../manifest/types.js";
import { resolveEntries, resolvePrefetch } from "../manifest/walk.js";
import {
  type ResolvedOptions,
  releaseOf,
  resolveOptions,
  type ViteRollingOptions,
} from "../options.js";
import { openRegistry } from "../registry/connect.js";
import { loadReleaseManifest } from "../registry/load-release.js";
import type { RegistryStore } from "../registry/store.js";
import { immutableCacheControl } from "../static/immutable-cache-control.js";
import { readStaticManifest, type StaticManifest } from "../static/static-manifest.js";
import { createStaticUrl, type StaticUrl } from "../static/static-url.js";
import type {
  ReleaseInfo,
  RenderContext,
  RetainedAsset,
  VersionInfo,
  ViteRolling,
} from "../types.js";
import { closest } from "../util/closest.js";
import { resolveAppVersion } from "../version/app-version.js";
import { VersionComponents } from "../version/version-components.js";

/** What the front object delegates to: one implementation per mode. */
export interface Runtime {
  ready(): Promise<void>;
  /** Loads again and swaps atomically; the previous state stays if loading fails. */
  reload(): Promise<void>;
  styles(entries: readonly string[], ctx: RenderContext): string;
  scripts(entries: readonly string[], ctx: RenderContext): string;
  preloadLinks(entries: readonly string[], ctx: RenderContext): string[];
  assetUrl(path: string, ctx: RenderContext): string;
  reactRefresh(ctx: RenderContext): string;
}

/** Dev mode: tags point at the Vite dev server; nothing to load. */
export class DevRuntime implements Runtime {
  readonly #options: ResolvedOptions;

  constructor(options: ResolvedOptions) {
    this.#options = options;
  }

  async ready(): Promise<void> {}

  async reload(): Promise<void> {}

  /** Nothing: in dev, Vite injects CSS from the modules that import it. */
  styles(): string {
    return "";
  }

  scripts(entries: readonly string[], ctx: RenderContext): string {
    return devScripts(this.#options, entries, ctx);
  }

  /** Nothing: the dev server serves modules one by one, as the browser asks. */
  preloadLinks(): string[] {
    return [];
  }

  assetUrl(path: string, ctx: RenderContext): string {
    return devUrl(this.#options, path, ctx.host);
  }

  reactRefresh(ctx: RenderContext): string {
    return devReactRefresh(this.#options, ctx);
  }
}

/** How a BuildRuntime gets its manifest; the registry plugs in here. */
export type ManifestLoader = () => Promise<{
  manifest: Manifest;
  text: string;
  source?: string;
  /** What the Vite plugin recorded about the build, when it ran. */
  sidecar?: Sidecar | null;
}>;

export interface BuildRuntimeSeams {
  /** @default reads and validates `options.manifestPath` */
  loadManifest?: ManifestLoader;
  /** The walker; tests pass a counting wrapper. @default resolveEntries */
  walk?: typeof resolveEntries;
}

interface Rendered {
  styles: CompiledTags;
  scripts: CompiledTags;
  /** Prefetch tags or the waterfall script; null when `prefetch` is off or nothing is lazy. */
  prefetch: CompiledTags | null;
  /** What `links` compiles from, on first use (most apps never ask). */
  specs: readonly TagSpec[];
  links: CompiledLinks | null;
}

/** Production: tags from the release's manifest, walked once per entry list. */
export class BuildRuntime implements Runtime {
  readonly #options: ResolvedOptions;
  #base: string;
  #sidecar: Sidecar | null = null;
  readonly #loadManifest: ManifestLoader;
  readonly #walk: typeof resolveEntries;
  #loaded: LoadedManifest | null = null;
  #loading: Promise<void> | null = null;
  #failure: unknown = null;
  #rendered = new Map<string, Rendered>();
  /** The last entry list rendered (a copy) and its tags: a page's styles() and scripts() share one. */
  #lastEntries: readonly string[] = [];
  #lastRendered: Rendered | null = null;
  #files: Set<string> | null = null;
  #basePath: string | null = null;
  #importMap: CompiledTags | null = null;
  /** Loaded with the manifest, only when `prefetch` is on: one module less at every start. */
  #compilePrefetch: typeof compilePrefetch | null = null;
  /** The base pair last warned about, so a mismatch is told once, not at every reload. */
  #baseWarned = "";
  #nonceWarned = false;

  constructor(options: ResolvedOptions, seams: BuildRuntimeSeams = {}) {
    this.#options = options;
    this.#base = normalizeBase(options.base ?? "/");
    this.#loadManifest = seams.loadManifest ?? (() => loadManifestFile(options.manifestPath));
    this.#walk = seams.walk ?? resolveEntries;
  }

  /** The URL prefix of built files, ending in "/". */
  get base(): string {
    return this.#base;
  }

  /** The build's sidecar (build hash, integrity, base), when the plugin wrote one. */
  get sidecar(): Sidecar | null {
    return this.#sidecar;
  }

  /** The loaded manifest with its raw text, or null before `ready()`. */
  get manifest(): LoadedManifest | null {
    return this.#loaded;
  }

  ready(): Promise<void> {
    if (this.#loaded) return Promise.resolve();
    // Concurrent callers share one load; a failed load may be retried.
    this.#loading ??= this.#load().finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  async reload(): Promise<void> {
    await this.#load();
  }

  async #load(): Promise<void> {
    try {
      if (this.#options.prefetch && !this.#compilePrefetch) {
        this.#compilePrefetch = (await import("../html/prefetch.js")).compilePrefetch;
      }
      const { manifest, text, source, sidecar = null } = await this.#loadManifest();
      this.#loaded = { manifest, text, source: source ?? this.#options.manifestPath };
      this.#sidecar = sidecar;
      // An explicit base wins; else the base the build was made for (Vite's own `base`).
      this.#base = normalizeBase(this.#options.base ?? sidecar?.base ?? "/");
      this.#warnBaseMismatch(sidecar);
      this.#importMap = sidecar?.importMap
        ? inlineScript(
            jsonForScript(rebaseImportMap(sidecar.importMap, sidecar.base, this.#base)),
            this.#tagOptions(),
            "importmap",
          )
        : null;
      this.#failure = null;
      this.#rendered = new Map();
      this.#lastRendered = null;
      this.#files = null;
      this.#basePath = null;
    } catch (error) {
      this.#failure = error;
      throw error;
    }
  }

  /**
   * Vite writes `base` into the JS it emits (preload URLs of lazy chunks and their CSS); a
   * runtime `base` elsewhere moves the tags but not those. Relative bases ("./", "") resolve
   * against the importing chunk, so they follow wherever the tags point.
   */
  #warnBaseMismatch(sidecar: Sidecar | null): void {
    const option = this.#options.base;
    if (option === null || !sidecar || sidecar.base === "" || sidecar.base.startsWith(".")) return;
    const built = normalizeBase(sidecar.base);
    const pair = `${built}\u0000${this.#base}`;
    if (built === this.#base || pair === this.#baseWarned) return;
    this.#baseWarned = pair;
    this.#options.logger.warn(
      `[vite-rolling] [base] the base option ${JSON.stringify(option)} differs from the base this build was made with (${JSON.stringify(sidecar.base)}, recorded by the vite-rolling/vite plugin). Tags and Link headers use the option, but the lazy chunks and CSS that Vite's own code loads use the build's base, so they will not come from ${JSON.stringify(this.#base)}. Fix: set Vite's base to ${JSON.stringify(this.#base)} in vite.config and rebuild, or drop the base option to use the build's.`,
    );
  }

  #tagOptions(): TagOptions {
    return { turboTrack: this.#options.turboTrack, attributes: this.#options.attributes };
  }

  styles(entries: readonly string[], ctx: RenderContext): string {
    return this.#render("styles", entries).styles.render(ctx.nonce);
  }

  /** The import map first (it must precede every module load), then the tags, then prefetch. */
  scripts(entries: readonly string[], ctx: RenderContext): string {
    const rendered = this.#render("scripts", entries);
    const html = rendered.scripts.render(ctx.nonce);
    const importMap = ctx.importMap === false ? null : this.#importMap;
    if (!importMap && !rendered.prefetch) return html;
    const parts = [importMap?.render(ctx.nonce), html, rendered.prefetch?.render(ctx.nonce)];
    return parts.filter(Boolean).join("\n");
  }

  preloadLinks(entries: readonly string[], ctx: RenderContext): string[] {
    const rendered = this.#render("preloadLinks", entries);
    if (ctx.nonce && !isSafeLinkParam(ctx.nonce)) {
      // The tags still carry it (escaped); a header cannot, and a preload without the page's
      // nonce would be refused by its CSP. No links is the safe answer.
      if (!this.#nonceWarned) {
        this.#nonceWarned = true;
        this.#options.logger.warn(
          `[vite-rolling] [render] the CSP nonce ${describe(ctx.nonce)} cannot go in a Link header (spaces, quotes, commas, semicolons or backslashes); no preload links are sent. Fix: use a base64 nonce, e.g. crypto.randomBytes(16).toString("base64").`,
        );
      }
      return [];
    }
    rendered.links ??= compileLinks(rendered.specs, this.#tagOptions(), {
      maxCount: this.#options.linkHeaderMaxCount,
      maxBytes: this.#options.linkHeaderMaxBytes,
    });
    return rendered.links.render(ctx.nonce);
  }

  /** Walks once per entry list; later renders of the same list only join strings. */
  #render(method: string, entries: readonly string[]): Rendered {
    // Joining a list makes a new key string, which the Map must hash again: with a few entries
    // that was most of a render without a nonce (bench figure 1). One entry is its own key, and
    // the list of the previous call (the same page's styles, then scripts) is compared in place.
    if (this.#lastRendered && sameList(entries, this.#lastEntries)) return this.#lastRendered;
    // NUL never occurs in a manifest key, so joined lists cannot collide with each other or
    // with a single entry.
    const key = entries.length === 1 ? entries[0]! : entries.join("\u0000");
    const hit = this.#rendered.get(key) ?? this.#walkAndCompile(method, entries, key);
    this.#lastEntries = entries.slice();
    this.#lastRendered = hit;
    return hit;
  }

  #walkAndCompile(method: string, entries: readonly string[], key: string): Rendered {
    const loaded = this.#require(method);
    const tags = this.#walk(loaded.manifest, entries, loaded.source);
    const options = this.#tagOptions();
    const specs = toTagSpecs(tags, this.#base, this.#options.integrity, this.#sidecar?.integrity);
    const { prefetch, prefetchConcurrency } = this.#options;
    const rendered: Rendered = {
      styles: compileTags(
        specs.filter((s) => s.kind === "stylesheet"),
        options,
      ),
      scripts: compileTags(
        specs.filter((s) => s.kind !== "stylesheet"),
        options,
      ),
      prefetch:
        prefetch && this.#compilePrefetch
          ? this.#compilePrefetch(
              resolvePrefetch(loaded.manifest, entries, loaded.source).map((file) =>
                joinUrl(this.#base, file),
              ),
              prefetch,
              prefetchConcurrency,
              options,
            )
          : null,
      specs,
      links: null,
    };
    this.#rendered.set(key, rendered);
    return rendered;
  }

  /** Output files of this release's manifest (chunks, their CSS, assets). */
  #outputFiles(manifest: Manifest): Set<string> {
    this.#files ??= referencedFiles(manifest);
    return this.#files;
  }

  /**
   * The output file a request path names when it is under this build's base, carries a
   * content hash, and is NOT one of this release's files: only such a file can belong to
   * another kept release (retained assets). Null otherwise, or before `ready()`.
   */
  retainedCandidate(path: string): string | null {
    if (!this.#loaded) return null;
    this.#basePath ??= basePathOf(this.#base);
    if (!path.startsWith(this.#basePath)) return null;
    let file: string;
    try {
      file = decodeURIComponent(path.slice(this.#basePath.length));
    } catch {
      return null;
    }
    if (this.#outputFiles(this.#loaded.manifest).has(file)) return null;
    return isAssetPath(file) && immutableCacheControl(file) !== null ? file : null;
  }

  assetUrl(path: string): string {
    const { manifest, source } = this.#require("assetUrl");
    const bare = path.replace(/^\.?\/+/, "");
    for (const key of [path, bare]) {
      if (Object.hasOwn(manifest, key)) return joinUrl(this.#base, manifest[key]!.file);
    }
    if (this.#outputFiles(manifest).has(bare)) return joinUrl(this.#base, bare);
    const near = closest(path, Object.keys(manifest), 3).map((k) => JSON.stringify(k));
    return fail(
      "manifest",
      `assetUrl("${path}"): not a key or an output file of the manifest at "${source}".${near.length > 0 ? ` Closest keys: ${near.join(", ")}.` : ""} Pass a source path relative to Vite's root (e.g. "src/logo.svg") or an output file (e.g. "assets/logo-abc123.svg").`,
      { code: "ERR_UNKNOWN_ASSET" },
    );
  }

  reactRefresh(): string {
    return "";
  }

  #require(method: string): LoadedManifest {
    if (this.#loaded) return this.#loaded;
    if (this.#failure) {
      const reason = this.#failure instanceof Error ? this.#failure.message : String(this.#failure);
      fail(
        "render",
        `${method}() has no manifest: loading it failed (${reason}). Fix that, then \`await vr.ready()\` again.`,
        { cause: this.#failure, code: "ERR_NOT_READY" },
      );
    }
    return fail(
      "render",
      `${method}() was called before the manifest was loaded. \`await vr.ready()\` once at startup, before the server renders pages.`,
      { code: "ERR_NOT_READY" },
    );
  }
}

/**
 * The build's import map for pages served from `to`: Vite writes every specifier and URL as
 * the build's base + file, while the chunks import each other by relative URL, which resolves
 * against where the page loaded them (the runtime base). A relative build base ("./") is
 * relative to Vite's own index.html, which a server-rendered page is not: it moves too.
 */
export function rebaseImportMap(map: ImportMap, from: string, to: string): ImportMap {
  const prefix = from === "" ? "" : normalizeBase(from);
  if (prefix === to) return map;
  const move = (url: string) => (url.startsWith(prefix) ? to + url.slice(prefix.length) : url);
  const moveAll = (record: Record<string, string>) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [move(k), move(v)]));
  const out: ImportMap = {};
  if (map.imports) out.imports = moveAll(map.imports);
  if (map.scopes) {
    out.scopes = Object.fromEntries(
      Object.entries(map.scopes).map(([scope, record]) => [move(scope), moveAll(record)]),
    );
  }
  if (map.integrity) out.integrity = moveAll(map.integrity);
  return out;
}

/** The path part of a base ("/static/", or "/app/" of "https://cdn.example/app/"). */
function basePathOf(base: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(base) || base.startsWith("//")
    ? new URL(base, "http://localhost").pathname
    : base;
}

/** A relative output path without "..", as the registry stores retained files. */
function isAssetPath(file: string): boolean {
  return (
    file !== "" &&
    !file.startsWith("/") &&
    !file.split("/").some((p) => p === ".." || p === "." || p === "")
  );
}

/** A base URL always ends in "/", so base + file is a URL (Vite normalizes `base` the same way). */
function normalizeBase(base: string): string {
  return base.endsWith("/") ? base : `${base}/`;
}

function isEntryName(entry: unknown): boolean {
  return typeof entry === "string" && entry.length > 0;
}

/** Whether two entry lists name the same entries in the same order. */
function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function entryList(method: string, entries: string | readonly string[]): readonly string[] {
  const list = typeof entries === "string" ? [entries] : entries;
  if (!Array.isArray(list) || !list.every(isEntryName)) {
    fail(
      "render",
      `${method}() expects an entry name or a list of them, like "src/main.ts" or ["src/main.ts"], received ${describe(entries)}.`,
    );
  }
  return list;
}

/**
 * The context of a single build: naming a build is an error here, since the name would be
 * ignored and the page rendered from whichever build this is.
 */
function single(method: string, ctx: RenderContext): RenderContext {
  if (ctx.build !== undefined) {
    fail(
      "render",
      `${method}() was given build ${describe(ctx.build)}, but this object serves one build. Fix: serve several builds with combineBuilds({ name: createViteRolling(...), ... }), or leave the build out.`,
      { code: "ERR_UNKNOWN_BUILD" },
    );
  }
  return ctx;
}

/**
 * The default loader: this release's manifest from the registry (else the local file, written
 * through), plus the build sidecar next to the local manifest.
 */
function registryLoader(
  options: ResolvedOptions,
  release: string,
  registry: () => RegistryStore | null,
): ManifestLoader {
  return async () => {
    const { text, source } = await loadReleaseManifest({
      registry: registry(),
      release,
      manifestPath: options.manifestPath,
      cache: options.cache,
      logger: options.logger,
    });
    const origin = source === "file" ? options.manifestPath : `the registry (release "${release}")`;
    const sidecar = await readSidecar(sidecarPathFor(options.manifestPath));
    return { manifest: parseManifest(text, origin), text, source: origin, sidecar };
  };
}

class ViteRollingFront implements ViteRolling {
  readonly options: ResolvedOptions;
  readonly release: string;
  readonly #runtime: Runtime;
  readonly #components: VersionComponents;
  #registry: RegistryStore | null = null;
  #version: VersionInfo;
  readonly #versionTags = new VersionTagsCache();
  #staticUrl: StaticUrl;
  #releasesWarned = false;
  readonly #retained = new Map<string, RetainedAsset>();
  #retainedBytes = 0;

  constructor(options: ResolvedOptions, seams: BuildRuntimeSeams = {}) {
    this.options = options;
    this.release = releaseOf(options);
    this.#components = new VersionComponents();
    this.#runtime = options.dev
      ? new DevRuntime(options)
      : new BuildRuntime(options, {
          loadManifest: registryLoader(options, this.release, () => this.#openRegistry()),
          ...seams,
        });
    // Until ready(): an explicit version is already known; a derived one is not yet.
    this.#version = this.#resolveVersion(null, null, {});
    this.#staticUrl = this.#makeStaticUrl(null);
  }

  /** Opened on first use, only when manifests are cached (production). */
  #openRegistry(): RegistryStore | null {
    if (this.options.dev || !this.options.cache) return null;
    this.#registry ??= openRegistry(this.options);
    return this.#registry;
  }

  #resolveVersion(
    buildHash: string | null,
    staticHash: string | null,
    components: Record<string, string>,
  ): VersionInfo {
    return resolveAppVersion({
      explicit: this.options.appVersion,
      buildHash,
      staticHash,
      components,
      release: this.release,
    });
  }

  #makeStaticUrl(manifest: StaticManifest | null): StaticUrl {
    const o = this.options;
    return createStaticUrl({
      dev: o.dev,
      staticRoot: o.staticRoot,
      staticManifestPath: o.staticManifestPath,
      staticBase: o.staticBase,
      staticDevVersionQuery: o.staticDevVersionQuery,
      manifest,
    });
  }

  /** Everything async happens here (and in reload): rendering afterwards is sync lookups. */
  async #load(first: boolean): Promise<void> {
    if (first) await this.#runtime.ready();
    else await this.#runtime.reload();
    const o = this.options;
    const statics =
      !o.dev && o.staticManifestPath ? await readStaticManifest(o.staticManifestPath) : null;
    const sidecar = this.#runtime instanceof BuildRuntime ? this.#runtime.sidecar : null;
    const components = await this.#components.hashes();
    this.#version = this.#resolveVersion(
      sidecar?.buildHash ?? null,
      statics?.hash ?? null,
      components,
    );
    this.#staticUrl = this.#makeStaticUrl(statics);
  }

  ready(): Promise<void> {
    return this.#load(true);
  }

  styles(entries: string | readonly string[], ctx: RenderContext = {}): string {
    return this.#runtime.styles(entryList("styles", entries), single("styles", ctx));
  }

  scripts(entries: string | readonly string[], ctx: RenderContext = {}): string {
    return this.#runtime.scripts(entryList("scripts", entries), single("scripts", ctx));
  }

  preloadLinks(entries: string | readonly string[], ctx: RenderContext = {}): string[] {
    return this.#runtime.preloadLinks(
      entryList("preloadLinks", entries),
      single("preloadLinks", ctx),
    );
  }

  linkHeader(entries: string | readonly string[], ctx: RenderContext = {}): string {
    return this.#runtime
      .preloadLinks(entryList("linkHeader", entries), single("linkHeader", ctx))
      .join(", ");
  }

  /** In dev mode `ctx.host` picks the dev server's host, as for `scripts`. */
  assetUrl(path: string, ctx: RenderContext = {}): string {
    return this.#runtime.assetUrl(path, single("assetUrl", ctx));
  }

  staticUrl(path: string): string {
    return this.#staticUrl(path);
  }

  reactRefresh(ctx: RenderContext = {}): string {
    return this.#runtime.reactRefresh(single("reactRefresh", ctx));
  }

  appVersion(): string {
    return this.#version.version;
  }

  versionInfo(): VersionInfo {
    return this.#version;
  }

  versionTags(ctx: RenderContext = {}): string {
    return this.#versionTags.render(
      this.#version.version,
      this.options.appVersionMismatch,
      ctx.nonce,
    );
  }

  /** Takes effect at the next `ready()` / `reload()`, where the files are hashed. */
  registerVersionComponent(name: string, files: readonly string[]): void {
    this.#components.register(name, files);
  }

  async reload(): Promise<VersionInfo> {
    await this.#load(false);
    return this.#version;
  }

  /** The registry's releases; a registry outage answers [] (with one warning), never throws. */
  async releases(): Promise<ReleaseInfo[]> {
    const registry = this.#openRegistry();
    if (!registry) return [];
    try {
      const list = await registry.releases();
      this.#releasesWarned = false;
      return list;
    } catch (error) {
      if (!this.#releasesWarned) {
        this.#releasesWarned = true;
        const reason = error instanceof Error ? error.message : String(error);
        this.options.logger.warn(`[vite-rolling] [registry] cannot list releases: ${reason}`);
      }
      return [];
    }
  }

  retainedAsset(path: string): Promise<RetainedAsset | null> | null {
    if (!this.options.retainAssets || !(this.#runtime instanceof BuildRuntime)) return null;
    const file = this.#runtime.retainedCandidate(path);
    return file === null ? null : this.#findRetained(file);
  }

  /**
   * Looks `file` up in the other kept releases, newest first. Hits are kept in memory (the
   * bytes of a hashed name never change), bounded in bytes; a registry outage is a miss.
   */
  async #findRetained(file: string): Promise<RetainedAsset | null> {
    const hit = this.#retained.get(file);
    if (hit) return hit;
    const registry = this.#openRegistry();
    if (!registry) return null;
    try {
      for (const { release } of await registry.releases()) {
        if (release === this.release) continue;
        const body = await registry.getAsset(release, file);
        if (!body) continue;
        const asset = { file, release, body };
        this.#rememberRetained(asset);
        return asset;
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logger.warn(`[vite-rolling] [registry] cannot read retained ${file}: ${reason}`);
    }
    return null;
  }

  #rememberRetained(asset: RetainedAsset): void {
    this.#retainedBytes += asset.body.length;
    this.#retained.set(asset.file, asset);
    // Oldest first out (a Map iterates in insertion order).
    for (const [file, old] of this.#retained) {
      if (this.#retainedBytes <= RETAINED_CACHE_BYTES) break;
      this.#retained.delete(file);
      this.#retainedBytes -= old.body.length;
    }
  }

  async close(): Promise<void> {
    await this.#registry?.close();
    this.#registry = null;
  }
}

/** Memory for retained files served to old tabs (the hot ones are few: a page's chunks). */
const RETAINED_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Creates the integration. Options are validated here, once; `await vr.ready()` before
 * rendering, then `styles` / `scripts` are synchronous lookups.
 *
 * @example
 * const vr = createViteRolling({ manifestPath: "dist/.vite/manifest.json", base: "/static/" });
 * await vr.ready();
 * vr.styles("src/main.ts", { nonce });
 * vr.scripts("src/main.ts", { host: req.headers.host, nonce });
 */
export function createViteRolling(
  options: ViteRollingOptions,
  seams?: BuildRuntimeSeams,
): ViteRolling {
  return new ViteRollingFront(resolveOptions(options), seams);
}
