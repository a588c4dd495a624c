import type { ResolvedOptions } from "../options.js";
import { type DeployContext, withRegistry } from "../registry/connect.js";
import { checkKeep } from "../registry/store.js";

/** What `prune` did. */
export interface PruneResult {
  location: string;
  kept: string[];
  removed: string[];
}

/**
 * Removes releases beyond the `keep` most recent (default `versionsToKeep`), with their
 * manifests, metadata and assets, in one atomic registry step.
 * `_env` is ignored and kept so existing calls work: the options carry the environment,
 * read once by `resolveOptions` (`vr.options` is resolved).
 * @example
 * await prune(resolveOptions({ manifestPath }), undefined, {}, 2);
 */
export async function prune(
  options: ResolvedOptions,
  _env?: NodeJS.ProcessEnv,
  context: DeployContext = {},
  keep: number = options.versionsToKeep,
): Promise<PruneResult> {
  checkKeep(keep, "keep");
  return withRegistry(options, context, async (registry) => {
    const { kept, removed } = await registry.prune(keep);
    return { location: registry.location, kept, removed };
  });
}
