/**
 * The main entry, for servers that render HTML: the product API and the types its signatures
 * use. Internals (the manifest walker, tag writers, registry stores) stay behind it; tests and
 * benchmarks import them from their own modules.
 */
export { collectStatic, prune, refresh, status } from "./deploy/on-demand.js";
export type { PruneResult } from "./deploy/prune.js";
export type { RefreshResult } from "./deploy/refresh.js";
export type { StatusResult } from "./deploy/status.js";
export { type CombineBuildsOptions, combineBuilds } from "./engine/combine-builds.js";
export { createViteRolling } from "./engine/front.js";
export { type RegistryVersions, registryVersions } from "./engine/registry-versions.js";
export { ERROR_CODES, type ErrorCode, type Logger, ViteRollingError } from "./errors.js";
export type { VersionMap } from "./http/version-router.js";
export type { Manifest, ManifestChunk } from "./manifest/types.js";
export type {
  MismatchAction,
  RedisClientLike,
  ResolvedOptions,
  TagKind,
  ViteRollingOptions,
} from "./options.js";
export type { DeployContext } from "./registry/connect.js";
export type { RegistryStore } from "./registry/store.js";
export type { CollectResult } from "./static/collect.js";
export {
  type HeaderSink,
  immutableCacheControl,
  setStaticHeaders,
} from "./static/immutable-cache-control.js";
export type {
  ReleaseInfo,
  RenderContext,
  RetainedAsset,
  VersionInfo,
  VersionSource,
  ViteRolling,
} from "./types.js";
