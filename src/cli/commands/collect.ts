import { resolve } from "node:path";
import { fail } from "../../errors.js";
import { collectStatic } from "../../static/collect.js";
import type { Command } from "../command.js";

/** `vite-rolling collect <src> <out>`: content-hashed static files and `staticfiles.json`. */
const collect: Command = {
  name: "collect",
  summary: "copy static files under content-hashed names and write staticfiles.json",
  usage: [
    "Usage: vite-rolling collect <src> <out>",
    "",
    "Copies every file of <src> into <out> under its own name and under a content-hashed",
    "name (css/styles.css -> css/styles.a1b2c3d4e5f6.css), then writes <out>/staticfiles.json",
    "mapping one to the other, with a hash of all files that feeds the app version.",
    "Hashed files of earlier runs are kept, so browser tabs on an older release keep working.",
    "Dotfiles, CVS folders and names ending in ~ are skipped.",
    "",
    "Then set staticManifestPath to <out>/staticfiles.json and serve <out> under staticBase.",
    "",
    "Example:",
    "  npx vite-rolling collect static dist/static",
  ].join("\n"),
  async run(args, io) {
    const [src, out, ...extra] = args.positionals;
    if (!src || !out || extra.length > 0) {
      fail(
        "cli",
        `expected two arguments, <src> and <out>, received ${args.positionals.length}. Example: npx vite-rolling collect static dist/static`,
        { code: "ERR_CLI_USAGE" },
      );
    }
    const result = await collectStatic(resolve(io.cwd, src), resolve(io.cwd, out));
    io.out(
      `collected ${result.files} file${result.files === 1 ? "" : "s"} into ${out} (hash ${result.manifest.hash.slice(0, 12)}); manifest: ${result.manifestPath}`,
    );
    return 0;
  },
};

export default collect;
