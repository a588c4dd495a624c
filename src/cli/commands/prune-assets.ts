import { pruneAssets } from "../../deploy/prune-assets.js";
import { fail } from "../../errors.js";
import type { Command } from "../command.js";
import { loadCliOptions, REGISTRY_FLAGS_HELP } from "../config.js";

/** `vite-rolling prune-assets <dir>`: deletes built files no kept release references. */
export const pruneAssetsCommand: Command = {
  name: "prune-assets",
  summary: "delete built files in <dir> that no kept release references",
  usage: `Usage: vite-rolling prune-assets <dir> [--dry-run] [flags]

Deletes the content-hashed files in <dir> that no release kept in the registry references.
Build with emptyOutDir: false so old tabs keep finding their chunks during a rolling deploy,
then run this after \`vite-rolling refresh\` to drop what left the keep window. Files without
a content hash (favicon.ico, robots.txt) and .vite/ are never touched; if a kept release's
manifest cannot be read, nothing is deleted.

  --dry-run                    list what would be deleted, delete nothing

${REGISTRY_FLAGS_HELP}`,
  async run(args, io) {
    const { options } = await loadCliOptions(args, io, {
      name: "prune-assets",
      flags: ["dry-run"],
    });
    const [dir, extra] = args.positionals;
    if (!dir || extra !== undefined) {
      fail("cli", "prune-assets takes one directory, e.g. `vite-rolling prune-assets dist`.", {
        code: "ERR_CLI_USAGE",
      });
    }
    const dryRun = args.flags["dry-run"] === true;
    const result = await pruneAssets(options, dir, { dryRun }, { cwd: io.cwd });
    for (const file of result.deleted) io.out(`${dryRun ? "would delete" : "deleted"} ${file}`);
    io.out(
      `${result.deleted.length} file(s) ${dryRun ? "to delete" : "deleted"}, ${result.kept} kept for ${result.releases.join(", ")}`,
    );
    return 0;
  },
};
