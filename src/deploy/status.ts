import type { ResolvedOptions } from "../options.js";
import { type DeployContext, withRegistry } from "../registry/connect.js";
import type { ReleaseInfo } from "../types.js";

/** What the registry holds. */
export interface StatusResult {
  location: string;
  /** `versionsToKeep` of the options read. */
  versionsToKeep: number;
  /** `versionsMaxAge` of the options read (0: no age window). */
  versionsMaxAge: number;
  /** Live releases, current (most recently registered) first. */
  releases: ReleaseInfo[];
}

/**
 * Lists the registry's releases, current first, with their metadata.
 * `_env` is ignored and kept so existing calls work: the options carry the environment,
 * read once by `resolveOptions` (`vr.options` is resolved).
 * @example
 * const { releases } = await status(resolveOptions({ manifestPath }));
 */
export async function status(
  options: ResolvedOptions,
  _env?: NodeJS.ProcessEnv,
  context: DeployContext = {},
): Promise<StatusResult> {
  return withRegistry(options, context, async (registry) => ({
    location: registry.location,
    versionsToKeep: options.versionsToKeep,
    versionsMaxAge: options.versionsMaxAge,
    releases: await registry.releases(),
  }));
}
