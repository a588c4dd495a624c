import { loadManifestFile } from "../manifest/load.js";
import { readSidecar, type Sidecar, sidecarPathFor } from "../manifest/sidecar.js";
import type { Manifest } from "../manifest/types.js";
import type { ResolvedOptions } from "../options.js";
import { loadReleaseManifest } from "../registry/load-release.js";
import type { RegistryStore } from "../registry/store.js";

/** How a BuildRuntime gets its manifest; the registry plugs in here. */
export type ManifestLoader = () => Promise<{
  manifest: Manifest;
  text: string;
  source?: string;
  /** What the Vite plugin recorded about the build, when it ran. */
  sidecar?: Sidecar | null;
}>;

/** The plain loader: the local manifest file only (no registry, no sidecar). */
export function fileLoader(manifestPath: string): ManifestLoader {
  return () => loadManifestFile(manifestPath);
}

/**
 * The local build only, with its sidecar: what dev mode falls back to when no dev server runs
 * (a dev process registers nothing and reads no registry).
 */
export function localBuildLoader(manifestPath: string): ManifestLoader {
  return async () => ({
    ...(await loadManifestFile(manifestPath)),
    sidecar: await readSidecar(sidecarPathFor(manifestPath)),
  });
}

/**
 * The default loader: this release's manifest from the registry (else the local file, written
 * through), plus the build sidecar next to the local manifest.
 */
export function registryLoader(
  options: ResolvedOptions,
  registry: () => RegistryStore | null,
): ManifestLoader {
  return async () => {
    const loaded = await loadReleaseManifest({
      registry: registry(),
      release: options.release,
      manifestPath: options.manifestPath,
      cache: options.cache,
      logger: options.logger,
    });
    const sidecar = await readSidecar(sidecarPathFor(options.manifestPath));
    return { ...loaded, sidecar };
  };
}
