import type { ResolvedOptions } from "../options.js";
import { type DeployContext, withRegistry } from "../registry/connect.js";
import { checkKeep, checkMaxAge } from "../registry/store.js";

/** What `prune` did. */
export interface PruneResult {
  location: string;
  kept: string[];
  removed: string[];
}

/**
 * Removes releases outside the keep window, with their manifests, metadata and assets, in one
 * atomic registry step: a release goes only when it is beyond the `keep` most recent (default
 * `versionsToKeep`) and was registered `maxAge` seconds ago or more (default
 * `versionsMaxAge`; 0: count only).
 * `_env` is ignored and kept so existing calls work: the options carry the environment,
 * read once by `resolveOptions` (`vr.options` is resolved).
 * @example
 * await prune(resolveOptions({ manifestPath }), undefined, {}, 2, 86_400);
 */
export async function prune(
  options: ResolvedOptions,
  _env?: NodeJS.ProcessEnv,
  context: DeployContext = {},
  keep: number = options.versionsToKeep,
  maxAge: number = options.versionsMaxAge,
): Promise<PruneResult> {
  checkKeep(keep, "keep");
  checkMaxAge(maxAge, "maxAge");
  return withRegistry(options, context, async (registry) => {
    const { kept, removed } = await registry.prune(keep, maxAge);
    return { location: registry.location, kept, removed };
  });
}
