import { isHashedBuildFile } from "../assets/hashed-name.js";
import { describe, fail } from "../errors.js";
import { jsonForScript } from "../html/escape.js";
import { normalizeBase, rebaseImportMap } from "../html/import-map.js";
import { compileLegacyScripts, resolveLegacy } from "../html/legacy.js";
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
import { referencedFiles } from "../manifest/files.js";
import type { Sidecar } from "../manifest/sidecar.js";
import type { LoadedManifest, Manifest } from "../manifest/types.js";
import { resolveEntries, resolvePrefetch } from "../manifest/walk.js";
import type { ResolvedOptions } from "../options.js";
import type { RenderContext } from "../types.js";
import { isAssetPath } from "../util/asset-path.js";
import { closest } from "../util/closest.js";
import { fileLoader, type ManifestLoader } from "./manifest-loader.js";
import type { Runtime } from "./runtime.js";

/** What a BuildRuntime can be given instead of its defaults (tests, `src/internal.ts`). */
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
  /** Legacy tags per entry list (NUL-joined); null: the build has none for them. */
  #legacy = new Map<string, CompiledTags | null>();
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
    this.#loadManifest = seams.loadManifest ?? fileLoader(options.manifestPath);
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
      this.#legacy = new Map();
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
    // Vite's own hash pattern: the word filter of immutableCacheControl would miss a few
    // percent of old chunks ("main-CaRtYaOf.js"), which no store could then answer.
    return isAssetPath(file) && isHashedBuildFile(file) ? file : null;
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

  /** Compiled once per entry list, like the other tags; a render only splices the nonce. */
  legacyScripts(entries: readonly string[], ctx: RenderContext): string {
    const key = entries.join("\u0000");
    let compiled = this.#legacy.get(key);
    if (compiled === undefined) {
      const { manifest, source } = this.#require("legacyScripts");
      const plan = resolveLegacy(manifest, entries, source);
      const sri = this.#options.integrity ? (this.#sidecar?.integrity ?? null) : null;
      compiled = plan && compileLegacyScripts(plan, this.#base, sri, this.#tagOptions());
      this.#legacy.set(key, compiled);
    }
    return compiled ? compiled.render(ctx.nonce) : "";
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

/** The path part of a base ("/static/", or "/app/" of "https://cdn.example/app/"). */
function basePathOf(base: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(base) || base.startsWith("//")
    ? new URL(base, "http://localhost").pathname
    : base;
}

/** Whether two entry lists name the same entries in the same order. */
function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
