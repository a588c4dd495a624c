import type { Sidecar } from "../manifest/sidecar.js";
import type { RenderContext } from "../types.js";

/**
 * What renders tags for one build: a runtime, or (in `combineBuilds`) a whole front object.
 * Entries arrive validated as a list; the context no longer names a build.
 */
export interface RenderTarget {
  styles(entries: readonly string[], ctx: RenderContext): string;
  scripts(entries: readonly string[], ctx: RenderContext): string;
  preloadLinks(entries: readonly string[], ctx: RenderContext): string[];
  assetUrl(path: string, ctx: RenderContext): string;
  reactRefresh(ctx: RenderContext): string;
  /** The `@vitejs/plugin-legacy` scripts of the entries; absent (rendering "") where there are none. */
  legacyScripts?(entries: readonly string[], ctx: RenderContext): string;
}

/** What the front object delegates to: one implementation per mode (dev server, built files). */
export interface Runtime extends RenderTarget {
  ready(): Promise<void>;
  /** Loads again and swaps atomically; the previous state stays if loading fails. */
  reload(): Promise<void>;
  /** What the Vite plugin recorded about the loaded build; null in dev or without the plugin. */
  readonly sidecar: Sidecar | null;
  /**
   * The output file a request path names when it may belong to another kept release
   * (retained assets); null when it cannot, and always null in dev.
   */
  retainedCandidate(path: string): string | null;
}
