#!/usr/bin/env node
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ViteRollingError } from "../errors.js";
import { closest } from "../util/closest.js";
import { parseArgs } from "./args.js";
import type { CliIO, Command } from "./command.js";
import { commands as allCommands } from "./commands/index.js";
import { CLI_SWITCHES, oneLine } from "./config.js";

function version(): string {
  // src/cli/main.ts and dist/cli/main.js both sit two levels below package.json.
  const pkg: unknown = JSON.parse(
    readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  );
  const value = (pkg as { version?: unknown }).version;
  return typeof value === "string" ? value : "unknown";
}

function help(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: vite-rolling <command> [flags]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run \`vite-rolling <command> --help\` for a command's flags.
Options come from flags, then the environment (RELEASE_VERSION, REDIS_URL, APP_VERSION,
SECRET_KEY), then --config <file> or vite-rolling.config.{js,mjs,json} in the cwd, then defaults.`;
}

/**
 * Runs the CLI: `vite-rolling <command> [flags]`. Returns the exit code; on failure writes one
 * line, `vite-rolling <command>: <reason>`, to `io.err` (set VITE_ROLLING_DEBUG=1 for the stack).
 * @example process.exitCode = await main(process.argv.slice(2), io);
 */
export async function main(
  argv: readonly string[],
  io: CliIO,
  commands: readonly Command[] = allCommands,
): Promise<number> {
  let label = "vite-rolling";
  try {
    const { command: name, args } = parseArgs(argv, CLI_SWITCHES);
    if (name === null) {
      if (args.flags.version !== undefined) {
        io.out(version());
        return 0;
      }
      io.out(help(commands));
      return 0;
    }
    if (name === "help") {
      const target = commands.find((c) => c.name === args.positionals[0]);
      io.out(target ? target.usage : help(commands));
      return 0;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) {
      const [near] = closest(
        name,
        commands.map((c) => c.name),
        1,
      );
      io.err(
        `vite-rolling: unknown command "${name}"${near ? ` (did you mean "${near}"?)` : ""}; run vite-rolling --help for the list.`,
      );
      return 2;
    }
    label = `vite-rolling ${command.name}`;
    if (args.flags.help !== undefined || args.flags.h !== undefined) {
      io.out(command.usage);
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`${label}: ${oneLine(message) || "failed without a message"}`);
    if (io.env.VITE_ROLLING_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    return exitCodeOf(error);
  }
}

/** Codes that mean the command line (flags, arguments, config file) is wrong: exit 2. */
const USAGE_CODES: ReadonlySet<string> = new Set([
  "ERR_CLI_USAGE",
  "ERR_CLI_CONFIG",
  "ERR_OPTIONS",
]);

/**
 * The one exit-code convention of every command: 2 for a usage error (fix the command line),
 * 1 for a runtime failure (the registry, a file, the network), as POSIX tools do.
 */
export function exitCodeOf(error: unknown): 1 | 2 {
  return error instanceof ViteRollingError && USAGE_CODES.has(error.code) ? 2 : 1;
}

function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    // npm's bin link is a symlink; import.meta.url is the real path.
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  // `vite-rolling status | head -1`: the reader left; stop quietly, as other Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  const io: CliIO = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    cwd: process.cwd(),
  };
  const code = await main(process.argv.slice(2), io);
  process.exitCode = code;
  // A Redis client built by a config file is the config's to close; do not hang on it.
  setTimeout(() => process.exit(code), 500).unref();
}
