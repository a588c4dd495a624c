import { DEFAULT_GRACE_SECONDS, pruneBucket } from "../../assets/prune-bucket.js";
import { pruneAssets } from "../../deploy/prune-assets.js";
import { fail } from "../../errors.js";
import type { Command } from "../command.js";
import { loadCliOptions, REGISTRY_FLAGS_HELP } from "../config.js";

/** `vite-rolling prune-assets <dir>`: deletes built files no kept release references. */
export const pruneAssetsCommand: Command = {
  name: "prune-assets",
  summary: "delete built files in <dir> that no kept release references",
  usage: `Usage: vite-rolling prune-assets [<dir>] [--dry-run] [--grace-period <s>] [flags]

Deletes the content-hashed files in <dir> that no release kept in the registry references.
Build with emptyOutDir: false so old tabs keep finding their chunks during a rolling deploy,
then run this after \`vite-rolling refresh\` to drop what left the keep window. Files without
a content hash (favicon.ico, robots.txt) and .vite/ are never touched; if a kept release's
manifest cannot be read, nothing is deleted.

With an asset store (--asset-store s3://bucket/prefix, env VITE_ROLLING_ASSET_STORE or
assetStore in the config file), it also deletes the bucket's objects that no kept release
references and that are older than --grace-period; <dir> may then be left out.

  --dry-run                    list what would be deleted, delete nothing
  --grace-period <seconds>     bucket objects younger than this stay (default ${DEFAULT_GRACE_SECONDS})

${REGISTRY_FLAGS_HELP}`,
  async run(args, io) {
    const { options } = await loadCliOptions(args, io, {
      name: "prune-assets",
      flags: ["dry-run", "grace-period"],
    });
    const [dir, extra] = args.positionals;
    if ((!dir && !options.assetStore) || extra !== undefined) {
      fail("cli", "prune-assets takes one directory, e.g. `vite-rolling prune-assets dist`.", {
        code: "ERR_CLI_USAGE",
      });
    }
    const dryRun = args.flags["dry-run"] === true;
    const grace = args.flags["grace-period"];
    if (grace !== undefined && (grace === true || !/^\d+$/.test(grace))) {
      fail(
        "cli",
        `--grace-period takes whole seconds, e.g. --grace-period 86400, received ${JSON.stringify(grace)}.`,
        {
          code: "ERR_CLI_USAGE",
        },
      );
    }
    if (options.assetStore) {
      const bucket = await pruneBucket(
        options,
        { dryRun, ...(grace === undefined ? {} : { gracePeriod: Number(grace) }) },
        { cwd: io.cwd },
      );
      for (const file of bucket.deleted)
        io.out(`${dryRun ? "would delete" : "deleted"} ${options.assetStore}/${file}`);
      io.out(
        `${bucket.deleted.length} object(s) ${dryRun ? "to delete" : "deleted"} from ${bucket.location}, ${bucket.young} unreferenced kept for the grace period, ${bucket.kept} kept for ${bucket.releases.join(", ")}`,
      );
    }
    if (!dir) return 0;
    const result = await pruneAssets(options, dir, { dryRun }, { cwd: io.cwd });
    for (const file of result.deleted) io.out(`${dryRun ? "would delete" : "deleted"} ${file}`);
    io.out(
      `${result.deleted.length} file(s) ${dryRun ? "to delete" : "deleted"}, ${result.kept} kept for ${result.releases.join(", ")}`,
    );
    return 0;
  },
};
