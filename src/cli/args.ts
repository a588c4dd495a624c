import { fail } from "../errors.js";
import type { ParsedArgs } from "./command.js";

/** Flags that never take a value, whatever follows them (besides every boolean option). */
export const SWITCHES: ReadonlySet<string> = new Set(["help", "h", "json", "version", "dry-run"]);

/** The command named on the command line (null: none), and what follows. */
export interface CommandLine {
  command: string | null;
  args: ParsedArgs;
}

/**
 * Splits argv into a command, positionals and flags. `--name value`, `--name=value`, `--flag`,
 * `-h`; a flag in `switches` (or `no-<switch>`) never takes the next word as its value, any
 * other flag does unless that word starts with "-". `--` ends flags. Repeated flags: last wins.
 * @example parseArgs(["refresh", "--release", "v42"]) // { command: "refresh", args: { flags: { release: "v42" }, ... } }
 */
export function parseArgs(
  argv: readonly string[],
  switches: ReadonlySet<string> = SWITCHES,
): CommandLine {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  const isSwitch = (name: string) =>
    switches.has(name) || (name.startsWith("no-") && switches.has(name.slice(3)));
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith("-") || token === "-") {
      positionals.push(token);
      continue;
    }
    const body = token.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq === -1 ? body : body.slice(0, eq);
    if (!/^[a-z][a-z0-9-]*$/i.test(name)) {
      fail(
        "cli",
        `cannot read the flag ${JSON.stringify(token)}; write flags as --name value or --name=value.`,
        { code: "ERR_CLI_USAGE" },
      );
    }
    if (eq !== -1) {
      flags[name] = body.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    if (!isSwitch(name) && next !== undefined && !next.startsWith("-")) {
      flags[name] = next;
      i++;
    } else {
      flags[name] = true;
    }
  }
  const [command = null, ...rest] = positionals;
  return { command, args: { positionals: rest, flags } };
}

/** `versionsToKeep` -> `versions-to-keep`. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
