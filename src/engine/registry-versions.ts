import type { VersionMap } from "../http/version-router.js";
import type { ViteRolling } from "../types.js";

/** A version map kept in step with the registry, for `versionRouter({ versions })`. */
export interface RegistryVersions {
  /** The live releases registered with an upstream (`refresh --upstream`), as last read. */
  (): VersionMap;
  /** Settles after the first read. */
  readonly ready: Promise<void>;
  /** Reads the registry now. */
  refresh(): Promise<void>;
  /** Stops the background refresh. */
  stop(): void;
}

/**
 * The registry's releases as a version map, refreshed in the background every `intervalMs`
 * so routing decisions stay synchronous (no registry round trip per request). A failed read
 * keeps the last map: an outage never empties the routes.
 *
 * @example
 * app.use(versionRouter({ versions: registryVersions(vr), defaultVersion: vr.release }));
 */
export function registryVersions(
  vr: Pick<ViteRolling, "releases">,
  { intervalMs = 10_000 }: { intervalMs?: number } = {},
): RegistryVersions {
  let map: VersionMap = {};
  const refresh = async () => {
    const releases = await vr.releases();
    // releases() answers [] during an outage (and warns): keep what routing already knows.
    if (releases.length === 0) return;
    map = Object.freeze(
      Object.fromEntries(releases.flatMap((r) => (r.upstream ? [[r.release, r.upstream]] : []))),
    );
  };
  const timer = setInterval(() => void refresh().catch(() => {}), intervalMs);
  // A background refresh never keeps the process alive.
  timer.unref();
  return Object.assign(() => map, {
    ready: refresh().catch(() => {}),
    refresh,
    stop: () => clearInterval(timer),
  });
}
