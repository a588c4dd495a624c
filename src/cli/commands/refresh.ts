import { refresh } from "../../deploy/refresh.js";
import type { Command } from "../command.js";
import { DEFAULT_MANIFEST_PATH, loadCliOptions, REGISTRY_FLAGS_HELP } from "../config.js";
import { formatSize } from "./status.js";

/** `vite-rolling refresh`: the post-deploy step. */
export const refreshCommand: Command = {
  name: "refresh",
  summary: "register this release's manifest and prune stale releases (post-deploy)",
  usage: `Usage: vite-rolling refresh [flags]

Registers this release's manifest in the registry and prunes releases beyond
--versions-to-keep, in one atomic step. Safe to run twice, concurrently, or on every
instance start: re-registering a release moves it to the front and pushes nothing live out.

Release:
  --manifest-path <file>       Vite's manifest (default ${DEFAULT_MANIFEST_PATH})
  --release <id>               release id (env RELEASE_VERSION, or the variable --version-setting names)
  --version-setting <NAME>     environment variable holding the release id (default RELEASE_VERSION)
  --upstream <name>            upstream serving this release (version routing)
  --app-version <version>      app version of this release (env APP_VERSION)
  --retain-assets              also store this release's built files in the registry, so
                               pages of older releases keep loading them (default false)
  --asset-store <s3://bucket/prefix>
                               first upload this release's hashed files to object storage
                               (env VITE_ROLLING_ASSET_STORE; endpoint and credentials from
                               AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)

${REGISTRY_FLAGS_HELP}

Example:
  RELEASE_VERSION=$(git rev-parse --short HEAD) npx vite-rolling refresh`,
  async run(args, io) {
    const { options } = await loadCliOptions(args, io, { name: "refresh" });
    const result = await refresh(options, io.env, { cwd: io.cwd });
    const name = result.release === "" ? "the bare prefix (no release id)" : result.release;
    if (result.replaced) {
      io.err(
        `vite-rolling refresh: warning: release ${result.release} was registered with other manifest bytes; replaced them. Give every build its own release id.`,
      );
    }
    if (result.upload) {
      const { uploaded, skipped } = result.upload;
      io.out(
        `uploaded ${uploaded.length} file(s) to ${options.assetStore} (${skipped.length} already there)`,
      );
    }
    io.out(
      `registered ${name} in ${result.location} (sha256 ${result.manifestHash.slice(0, 12)}, ${formatSize(result.size)})`,
    );
    io.out(
      `live: ${result.kept.join(", ") || "(none)"}${result.removed.length > 0 ? `; pruned: ${result.removed.join(", ")}` : ""}`,
    );
    return 0;
  },
};
