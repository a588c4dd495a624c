import { prune } from "../../deploy/prune.js";
import { fail } from "../../errors.js";
import type { Command } from "../command.js";
import { loadCliOptions, REGISTRY_FLAGS_HELP } from "../config.js";

/** `vite-rolling prune`: trims the registry. */
export const pruneCommand: Command = {
  name: "prune",
  summary: "remove releases beyond --versions-to-keep (or --keep N) from the registry",
  usage: `Usage: vite-rolling prune [--keep <n>] [flags]

Removes releases beyond the <n> most recent (default --versions-to-keep), with their
manifests, metadata and retained assets, in one atomic step.

  --keep <n>                   releases to keep (1 to 1000)

${REGISTRY_FLAGS_HELP}`,
  async run(args, io) {
    const { options } = await loadCliOptions(args, io, { name: "prune", flags: ["keep"] });
    const flag = args.flags.keep;
    let keep = options.versionsToKeep;
    if (flag !== undefined) {
      if (flag === true || !/^\d+$/.test(flag)) {
        fail(
          "cli",
          `--keep must be a whole number from 1 to 1000, received ${JSON.stringify(flag)}.`,
          { code: "ERR_CLI_USAGE" },
        );
      }
      keep = Number(flag);
    }
    const result = await prune(options, io.env, { cwd: io.cwd }, keep);
    io.out(`kept: ${result.kept.join(", ") || "(none)"} in ${result.location}`);
    io.out(`removed: ${result.removed.join(", ") || "nothing"}`);
    return 0;
  },
};
