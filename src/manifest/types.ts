/**
 * One entry of Vite's `.vite/manifest.json`: a chunk or an asset, keyed by its source path
 * (or by `_name-hash.js` for shared chunks without a source).
 */
export interface ManifestChunk {
  /** Output file, relative to the build's outDir (`assets/main-abc123.js`). */
  file: string;
  /** Source path relative to Vite's root, when the chunk has one. */
  src?: string;
  /** CSS files this chunk imports, in import order. */
  css?: string[];
  /** Non-CSS assets this chunk imports. */
  assets?: string[];
  /** Manifest keys of the chunks this chunk imports statically. */
  imports?: string[];
  /** Manifest keys of the chunks this chunk imports with `import()`. */
  dynamicImports?: string[];
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  name?: string;
  names?: string[];
  /** Subresource Integrity hash (`sha384-...`), written by plugins that compute one. */
  integrity?: string;
}

/** Vite's manifest: manifest key (source path) to chunk. */
export type Manifest = Record<string, ManifestChunk>;

/** A manifest as loaded: the parsed object, its exact bytes as text, and where it came from. */
export interface LoadedManifest {
  manifest: Manifest;
  /** Raw text, kept so a registry can store and hash exactly what the build wrote. */
  text: string;
  /** File path or registry key the manifest was read from; errors name it. */
  source: string;
}

/** A stylesheet the page must link: a chunk's CSS, or a CSS entry. */
export interface StylesheetTag {
  kind: "stylesheet";
  file: string;
  integrity?: string;
}

/** A statically imported JS chunk the page should preload. */
export interface ModulePreloadTag {
  kind: "modulepreload";
  file: string;
  /** Manifest key of the chunk. */
  chunk: string;
  integrity?: string;
}

/** The module script of a JS entry. */
export interface ScriptTag {
  kind: "script";
  file: string;
  /** Manifest key of the entry. */
  chunk: string;
  integrity?: string;
}

/** One tag an entry needs, before it becomes HTML (URLs and attributes come later). */
export type ResolvedTag = StylesheetTag | ModulePreloadTag | ScriptTag;
