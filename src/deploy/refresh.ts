import { resolve } from "node:path";
import { openAssetStore } from "../assets/open-asset-store.js";
import { type UploadResult, uploadRelease } from "../assets/upload-release.js";
import { loadManifestFile } from "../manifest/load.js";
import type { ResolvedOptions } from "../options.js";
import { type DeployContext, withRegistry } from "../registry/connect.js";
import { assertReleaseId } from "../registry/release-id.js";
import { sha256 } from "../registry/store.js";
import { errnoReason } from "../util/errno.js";
import { outDirOf, readReleaseAssets } from "./release-assets.js";
import { releaseFiles, writeReleaseRecord } from "./release-files.js";

/** What `refresh` did. */
export interface RefreshResult {
  /** The release registered ("" = bare prefix, no cleanup). */
  release: string;
  /** Where the registry lives. */
  location: string;
  /** Live releases after the step, most recent first. */
  kept: string[];
  /** Releases pruned by this step. */
  removed: string[];
  /** The release was registered before with other manifest bytes, now replaced. */
  replaced: boolean;
  manifestHash: string;
  size: number;
  /** What was uploaded to the asset store (`assetStore`), else null. */
  upload: UploadResult | null;
}

/**
 * The post-deploy step: registers this release's manifest and prunes releases beyond
 * `versionsToKeep` (and older than `versionsMaxAge`, when set), in one atomic registry step. Idempotent: running it again (or on every
 * instance start) moves the release to the front and pushes no other live release out. Every
 * check (release id, manifest) runs before the registry is touched, so a failure changes nothing.
 * `_env` is ignored and kept so existing calls work: the options carry the environment,
 * read once by `resolveOptions` (`vr.options` is resolved).
 * @example
 * const result = await refresh(resolveOptions({ manifestPath: "dist/.vite/manifest.json" }));
 */
export async function refresh(
  options: ResolvedOptions,
  _env?: NodeJS.ProcessEnv,
  context: DeployContext = {},
): Promise<RefreshResult> {
  const { release } = options;
  assertReleaseId(release, `release id (${options.versionSetting})`);
  const manifestPath = resolve(context.cwd ?? process.cwd(), options.manifestPath);
  // Read and checked before the registry is touched, so a bad file changes nothing.
  const { manifest, text: manifestText } = await loadManifestFile(manifestPath);
  const assets = options.retainAssets ? await readReleaseAssets(manifestPath, manifest) : null;
  if (release !== "") {
    // What `prune-assets` must keep while this release is live: the registry holds only its
    // Vite manifest, not its sidecar or staticfiles.json (issue 14).
    const outDir = outDirOf(manifestPath);
    const root = context.cwd ?? process.cwd();
    const staticManifest = options.staticManifestPath
      ? resolve(root, options.staticManifestPath)
      : null;
    const files = await releaseFiles(outDir, manifestPath, manifest, staticManifest);
    await writeReleaseRecord(outDir, release, files).catch((error: unknown) =>
      options.logger.warn(
        `[vite-rolling] [refresh] cannot record the files of release ${release} in ${outDir}/.vite/releases (${errnoReason(error)}); prune-assets will keep only what its manifest and the current staticfiles.json name.`,
      ),
    );
  }
  // Uploaded before anything is registered: a failed upload registers nothing (issue 16).
  const store = await openAssetStore(options);
  const upload = store
    ? await uploadRelease(
        store,
        release,
        assets ?? (await readReleaseAssets(manifestPath, manifest)),
      )
    : null;
  return withRegistry(options, context, async (registry) => {
    const result = await registry.register({
      release,
      manifestText,
      assets,
      upstream: options.upstream,
      appVersion: options.appVersion || null,
    });
    return {
      release,
      location: registry.location,
      ...result,
      manifestHash: sha256(manifestText),
      size: Buffer.byteLength(manifestText, "utf8"),
      upload,
    };
  });
}
