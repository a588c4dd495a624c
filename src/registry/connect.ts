import { resolve } from "node:path";
import type { ResolvedOptions } from "../options.js";
import { createFileStore } from "./file-store.js";
import { createRedisStore } from "./redis/store.js";
import type { RegistryStore } from "./store.js";

/**
 * Opens the registry the options name: Redis when `options.redis` is set (resolveOptions
 * fills it from `REDIS_URL`), else the file registry at `options.registryDir` (relative to
 * `cwd`). Nothing connects until the first call; `close()` the store when done.
 * @example
 * const registry = openRegistry(resolveOptions({ manifestPath }));
 */
export function openRegistry(options: ResolvedOptions, cwd: string = process.cwd()): RegistryStore {
  const common = {
    prefix: options.cacheKeyPrefix,
    versionsKey: options.versionsRedisKey,
    versionsToKeep: options.versionsToKeep,
    versionsMaxAge: options.versionsMaxAge,
    logger: options.logger,
  };
  const { redis } = options;
  if (redis !== null) return createRedisStore({ ...common, redis });
  return createFileStore({ ...common, dir: resolve(cwd, options.registryDir) });
}

/** Where a deploy step runs: the cwd paths resolve against, and optionally an open registry. */
export interface DeployContext {
  /** @default process.cwd() */
  cwd?: string;
  /** Use this registry instead of opening one (it is then left open). */
  registry?: RegistryStore;
}

/** Runs `fn` with the context's registry, or with one opened for it and closed after. */
export async function withRegistry<T>(
  options: ResolvedOptions,
  context: DeployContext,
  fn: (registry: RegistryStore) => Promise<T>,
): Promise<T> {
  if (context.registry) return fn(context.registry);
  const registry = openRegistry(options, context.cwd);
  try {
    return await fn(registry);
  } finally {
    await registry.close();
  }
}
