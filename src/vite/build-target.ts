import type { Logger, ResolvedConfig } from "vite";

/** The resolved build options the plugin reads; the same shape on Vite 5, 6, 7 and 8. */
export interface TargetBuildOptions {
  outDir: string;
  write: boolean;
  emptyOutDir: boolean | null;
  manifest: boolean | string;
  chunkImportMap?: boolean;
  /** `build.rolldownOptions` on Vite 8, `build.rollupOptions` on Vite 5 to 7. */
  bundler: { output?: unknown; experimental?: { chunkImportMap?: unknown } };
}

/** What the plugin reads of the build in progress: one Vite environment (or, on Vite 5, the build). */
export interface BuildTarget {
  /** `client`, `ssr` or a custom environment's name; keys per-environment state. */
  name: string;
  root: string;
  base: string;
  build: TargetBuildOptions;
  logger: Logger;
}

/** The parts of a Vite 6+ environment the plugin reads (absent on Vite 5). */
interface EnvironmentLike {
  name: string;
  config: Pick<ResolvedConfig, "root" | "base" | "build">;
  logger: Logger;
}

/**
 * The build a hook runs for. Vite 6 added `this.environment` (per-environment config and
 * logger); Vite 5 has none, and a hook reading `this.environment.name` there throws
 * "Cannot read properties of undefined (reading 'name')". Vite 8 renamed
 * `build.rollupOptions` to `build.rolldownOptions` (keeping the old name as an alias); Vite 5
 * to 7 know only `rollupOptions`. Null before Vite resolved its config.
 */
export function buildTargetOf(
  environment: EnvironmentLike | undefined,
  resolved: ResolvedConfig | undefined,
): BuildTarget | null {
  const config = environment?.config ?? resolved;
  // Null only before configResolved, when no Vite version runs a build hook.
  const logger = environment?.logger ?? resolved?.logger;
  if (!config || !logger) return null;
  const { build } = config;
  const bundler: TargetBuildOptions["bundler"] = build.rolldownOptions ?? build.rollupOptions ?? {};
  return {
    name: environment?.name ?? (build.ssr ? "ssr" : "client"),
    root: config.root,
    base: config.base,
    build: {
      outDir: build.outDir,
      write: build.write,
      emptyOutDir: build.emptyOutDir,
      manifest: build.manifest,
      chunkImportMap: build.chunkImportMap,
      bundler,
    },
    logger,
  };
}
