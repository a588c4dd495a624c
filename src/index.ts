export { type CombineBuildsOptions, combineBuilds } from "./combine-builds.js";
export { collectStatic, prune, refresh, status } from "./deploy/on-demand.js";
export { ViteRollingError } from "./errors.js";
export { escapeHtml } from "./html/escape.js";
export { type RegistryVersions, registryVersions } from "./http/registry-versions.js";
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
export { openRegistry } from "./registry/connect.js";
export type { RegistryStore } from "./registry/store.js";
export type {
  ReleaseInfo,
  RenderContext,
  VersionInfo,
  VersionSource,
  ViteRolling,
} from "./types.js";
export { resolveAppVersion } from "./version/app-version.js";
export { immutableCacheControl, setStaticHeaders } from "./version/immutable-cache-control.js";
export { readSidecar, type Sidecar } from "./version/sidecar.js";
export { createStaticUrl } from "./version/static-url.js";
export { cacheBustToken, verifyBearer } from "./version/token.js";
export { createViteRolling } from "./vite-rolling.js";
