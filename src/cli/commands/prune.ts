import { prune } from "../../deploy/prune.js";
import { fail } from "../../errors.js";
import { MAX_AGE_LIMIT } from "../../registry/store.js";
import type { Command } from "../command.js";
import { loadCliOptions, REGISTRY_FLAGS_HELP } from "../config.js";

/**
 * A whole-number flag, or `fallback` when it is absent. Only the shape is checked here: the
 * library's own check (`checkKeep`, `checkMaxAge`) names the range of a number out of it.
 */
function wholeFlag(
  flags: Record<string, string | true>,
  name: string,
  expected: string,
  fallback: number,
): number {
  const flag = flags[name];
  if (flag === undefined) return fallback;
  if (flag === true || !/^\d+$/.test(flag)) {
    fail("cli", `--${name} must be ${expected}, received ${JSON.stringify(flag)}.`, {
      code: "ERR_CLI_USAGE",
    });
  }
  return Number(flag);
}

/** `vite-rolling prune`: trims the registry. */
export const pruneCommand: Command = {
  name: "prune",
  summary: "remove releases beyond --versions-to-keep (or --keep N) from the registry",
  usage: `Usage: vite-rolling prune [--keep <n>] [--age <seconds>] [flags]

Removes releases beyond the <n> most recent (default --versions-to-keep) that were also
registered <seconds> ago or more (default --versions-max-age; 0: any age), with their
manifests, metadata and retained assets, in one atomic step.

  --keep <n>                   releases to keep (1 to 1000)
  --age <seconds>              also keep releases younger than this (0 to ${MAX_AGE_LIMIT})

${REGISTRY_FLAGS_HELP}`,
  async run(args, io) {
    const { options } = await loadCliOptions(args, io, { name: "prune", flags: ["keep", "age"] });
    const keep = wholeFlag(
      args.flags,
      "keep",
      "a whole number from 1 to 1000",
      options.versionsToKeep,
    );
    const maxAge = wholeFlag(
      args.flags,
      "age",
      `a whole number of seconds from 0 to ${MAX_AGE_LIMIT}`,
      options.versionsMaxAge,
    );
    const result = await prune(options, io.env, { cwd: io.cwd }, keep, maxAge);
    io.out(`kept: ${result.kept.join(", ") || "(none)"} in ${result.location}`);
    io.out(`removed: ${result.removed.join(", ") || "nothing"}`);
    return 0;
  },
};
