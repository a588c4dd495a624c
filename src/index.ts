export { collectStatic, prune, refresh, status } from "./deploy/on-demand.js";
export { type CombineBuildsOptions, combineBuilds } from "./engine/combine-builds.js";
export { createViteRolling } from "./engine/front.js";
export { type RegistryVersions, registryVersions } from "./engine/registry-versions.js";
export { ViteRollingError } from "./errors.js";
export { escapeHtml } from "./html/escape.js";
export { cacheBustToken, verifyBearer } from "./http/bust-token.js";
export { loadManifestFile, parseManifest } from "./manifest/load.js";
export { readSidecar, type Sidecar } from "./manifest/sidecar.js";
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
export { immutableCacheControl, setStaticHeaders } from "./static/immutable-cache-control.js";
export { createStaticUrl } from "./static/static-url.js";
export type {
  ReleaseInfo,
  RenderContext,
  VersionInfo,
  VersionSource,
  ViteRolling,
} from "./types.js";
export { resolveAppVersion } from "./version/app-version.js";
