import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, fail } from "../errors.js";
import { parseManifest } from "../manifest/load.js";
import { type ResolvedOptions, releaseOf } from "../options.js";
import { type DeployContext, withRegistry } from "../registry/connect.js";
import { assertReleaseId } from "../registry/release-id.js";
import { sha256 } from "../registry/store.js";
import { readReleaseAssets } from "./release-assets.js";

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
}

/** Reads the manifest to register and checks it is a Vite manifest (a JSON object). */
async function readManifest(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(
      "refresh",
      code === "ENOENT"
        ? `no manifest at ${path}. Run \`vite build\` with build.manifest: true first, or pass --manifest-path.`
        : `cannot read the manifest ${path} (${code ?? String(error)}).`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(
      "refresh",
      `${path} is not valid JSON (${(error as Error).message}); pass the .vite/manifest.json Vite wrote.`,
      { cause: error },
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    fail(
      "refresh",
      `${path} is not a Vite manifest: expected an object of chunks, received ${describe(parsed)}.`,
    );
  }
  return text;
}

/**
 * The post-deploy step: registers this release's manifest and prunes releases beyond
 * `versionsToKeep`, in one atomic registry step. Idempotent: running it again (or on every
 * instance start) moves the release to the front and pushes no other live release out. Every
 * check (release id, manifest) runs before the registry is touched, so a failure changes nothing.
 * @example
 * const result = await refresh(resolveOptions({ manifestPath: "dist/.vite/manifest.json" }));
 */
export async function refresh(
  options: ResolvedOptions,
  env: NodeJS.ProcessEnv = process.env,
  context: DeployContext = {},
): Promise<RefreshResult> {
  const release = releaseOf(options, env);
  assertReleaseId(release, `release id (${options.versionSetting})`);
  const manifestPath = resolve(context.cwd ?? process.cwd(), options.manifestPath);
  const manifestText = await readManifest(manifestPath);
  // Read before the registry is touched, so a missing file changes nothing.
  const assets = options.retainAssets
    ? await readReleaseAssets(manifestPath, parseManifest(manifestText, manifestPath))
    : null;
  return withRegistry(options, env, context, async (registry) => {
    const result = await registry.register({
      release,
      manifestText,
      assets,
      upstream: options.upstream,
      appVersion: options.appVersion || env.APP_VERSION || null,
    });
    return {
      release,
      location: registry.location,
      ...result,
      manifestHash: sha256(manifestText),
      size: Buffer.byteLength(manifestText, "utf8"),
    };
  });
}
