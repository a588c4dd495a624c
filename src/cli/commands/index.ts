import type { Command } from "../command.js";
import collectCommand from "./collect.js";
import { proxyConfigCommand } from "./proxy-config.js";
import { pruneCommand } from "./prune.js";
import { pruneAssetsCommand } from "./prune-assets.js";
import { refreshCommand } from "./refresh.js";
import { statusCommand } from "./status.js";
import tokenCommand from "./token.js";

/**
 * Every `vite-rolling` sub-command, in `--help` order. To add one: one import above, one
 * entry below; nothing else needs to know.
 */
// biome-ignore format: one entry per line, so commands added in parallel merge without conflict
export const commands: readonly Command[] = [
  refreshCommand,
  statusCommand,
  pruneCommand,
  collectCommand,
  tokenCommand,
  proxyConfigCommand,
  pruneAssetsCommand,
];
