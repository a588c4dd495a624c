import type { ResolvedOptions } from "../options.js";
import { type DeployContext, withRegistry } from "../registry/connect.js";
import type { ReleaseInfo } from "../types.js";

/** What the registry holds. */
export interface StatusResult {
  location: string;
  /** `versionsToKeep` of the options read. */
  versionsToKeep: number;
  /** Live releases, current (most recently registered) first. */
  releases: ReleaseInfo[];
}

/**
 * Lists the registry's releases, current first, with their metadata.
 * @example
 * const { releases } = await status(resolveOptions({ manifestPath }));
 */
export async function status(
  options: ResolvedOptions,
  env: NodeJS.ProcessEnv = process.env,
  context: DeployContext = {},
): Promise<StatusResult> {
  return withRegistry(options, env, context, async (registry) => ({
    location: registry.location,
    versionsToKeep: options.versionsToKeep,
    releases: await registry.releases(),
  }));
}
