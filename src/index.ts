export { ViteRollingError } from "./errors.js";
export { escapeHtml } from "./html/escape.js";
export { loadManifestFile, parseManifest } from "./manifest/load.js";
export type {
  LoadedManifest,
  Manifest,
  ManifestChunk,
  ModulePreloadTag,
  ResolvedTag,
  ScriptTag,
  StylesheetTag,
} from "./manifest/types.js";
export { resolveEntries } from "./manifest/walk.js";
export {
  DEFAULTS,
  type MismatchAction,
  type RedisClientLike,
  type ResolvedOptions,
  type TagKind,
  type ViteRollingOptions,
} from "./options.js";
export type {
  ReleaseInfo,
  RenderContext,
  VersionInfo,
  VersionSource,
  ViteRolling,
} from "./types.js";
export { createViteRolling } from "./vite-rolling.js";
