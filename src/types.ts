import type { ResolvedOptions } from "./options.js";

/** Per-request facts a render needs. */
export interface RenderContext {
  /** The request's Host header; in dev mode it names the dev server's host. */
  host?: string;
  /** CSP nonce; goes on every tag, preloads included. */
  nonce?: string;
  /**
   * Which build renders, when the object serves several (`combineBuilds`); a single build
   * refuses a name, so a template written for several builds cannot render the wrong one.
   */
  build?: string;
  /**
   * `false` leaves the build's `<script type="importmap">` out of `scripts()`: the page has it
   * already (the template helpers set this after a request's first `scripts()`).
   * @default true
   */
  importMap?: boolean;
}

/** One release as the registry knows it. */
export interface ReleaseInfo {
  release: string;
  /** ISO time the release was registered. */
  registeredAt: string;
  /** sha256 (hex) of the manifest's bytes. */
  manifestHash: string;
  /** Bytes of the stored manifest. */
  size: number;
  /** Upstream name serving this release (version routing), if registered with one. */
  upstream?: string | null;
  /** App version of the release, if known at registration. */
  appVersion?: string | null;
}

/** A built file of another kept release, served to a tab still on that release. */
export interface RetainedAsset {
  /** Output path, as in the manifest ("assets/index-4f2a.js"). */
  file: string;
  /** The release it belongs to. */
  release: string;
  body: Buffer;
}

/** How the app version was resolved, in the seed's order. */
export type VersionSource = "explicit" | "build" | "components" | "build+components" | "unknown";

export interface VersionInfo {
  version: string;
  source: VersionSource;
  release: string;
  buildHash: string | null;
  components: Record<string, string>;
}

/**
 * The public front object returned by `createViteRolling`. Load async (`ready`), render sync.
 */
export interface ViteRolling {
  readonly options: ResolvedOptions;
  /** This process's release id ("" when none is set). */
  readonly release: string;
  /** With several builds (`combineBuilds`): the one a context without `build` renders. */
  readonly defaultBuild?: string;
  /** Loads this release's manifest (registry, else local file) and resolves the app version. */
  ready(): Promise<void>;
  /**
   * `<link rel="stylesheet">` tags for the entries. In dev mode: CSS entries, and (with the
   * plugin's dev server) one link to the CSS the other entries' modules import.
   */
  styles(entries: string | readonly string[], ctx?: RenderContext): string;
  /**
   * modulepreload links and module scripts for the entries; first the build's import map when
   * it has one (`build.chunkImportMap`), then `<link rel="prefetch">` tags (or the waterfall
   * script) for their lazy chunks when `prefetch` is on.
   */
  scripts(entries: string | readonly string[], ctx?: RenderContext): string;
  /**
   * The entries' stylesheets and module scripts as `Link` header values (`rel=preload; as=style`,
   * `rel=modulepreload`), one per file, with the nonce, crossorigin and integrity their tags
   * carry, within `linkHeaderMaxCount` / `linkHeaderMaxBytes`. For `res.writeEarlyHints({ link })`.
   * Empty in dev mode.
   */
  preloadLinks(entries: string | readonly string[], ctx?: RenderContext): string[];
  /** `preloadLinks(entries, ctx)` as one `Link` header value ("" when there is none). */
  linkHeader(entries: string | readonly string[], ctx?: RenderContext): string;
  /** URL of one built file, by source path (manifest key) or output file; `ctx.host` in dev mode. */
  assetUrl(path: string, ctx?: RenderContext): string;
  /** URL of a static file Vite does not process (hashed name in production, ?v= in dev). */
  staticUrl(path: string): string;
  /** React Refresh preamble (dev mode only; empty string in production). */
  reactRefresh(ctx?: RenderContext): string;
  /**
   * The `@vitejs/plugin-legacy` scripts for the entries, for the end of `<body>`: the
   * modern-browser detection and fallback, the Safari 10.1 `nomodule` fix, the `nomodule`
   * polyfills (SystemJS) and each entry's legacy chunk through `System.import`, as the plugin
   * writes them into Vite's own HTML, with the nonce on every script and the polyfills'
   * integrity. Empty when the build has no legacy chunks, and in dev mode.
   */
  legacyScripts(entries: string | readonly string[], ctx?: RenderContext): string;
  /** The app version `X-App-Version` carries. */
  appVersion(): string;
  versionInfo(): VersionInfo;
  /** The page's version meta tag and the stale-client script, for <head>. */
  versionTags(ctx?: RenderContext): string;
  /** Adds files whose bytes contribute to the app version. */
  registerVersionComponent(name: string, files: readonly string[]): void;
  /** Reloads manifest and app version from the registry / disk (used by /cache/bust). */
  reload(): Promise<VersionInfo>;
  /**
   * With `retainAssets`: the built file a request path names when it is under `base`, not
   * this release's, and retained by another kept release. Null at once (no promise) when
   * the path cannot be one, so the common request pays nothing.
   */
  retainedAsset(path: string): Promise<RetainedAsset | null> | null;
  /** The releases the registry holds, current first. */
  releases(): Promise<ReleaseInfo[]>;
  /** Closes registry connections the library opened. */
  close(): Promise<void>;
}
