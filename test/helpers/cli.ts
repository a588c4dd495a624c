import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { main } from "../../src/cli/main.js";
import { ROOT } from "./tmp.js";

/**
 * What `runCli` spawns. When this run's global setup built dist/, the package's own bin
 * (`dist/cli/main.js`, what `npx vite-rolling` runs): several times faster to start than the
 * TypeScript source under tsx. Otherwise (`VR_TEST_SKIP_BUILD=1`, the unit project) dist/ may
 * be stale, so the source, through tsx resolved absolutely so any cwd works.
 */
function cliCommand(): string[] {
  if (inject("vrDistBuilt"))
    return [fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url))];
  const tsx = import.meta.resolve("tsx");
  return ["--import", tsx, fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url))];
}

/** Variables the CLI reads; cleared so the caller's environment never leaks into a test. */
const CLI_ENV = ["REDIS_URL", "RELEASE_VERSION", "APP_VERSION", "SECRET_KEY", "VITE_ROLLING_DEBUG"];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function baseEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLI_ENV) delete out[name];
  return { ...out, ...env };
}

/** Spawns the CLI in a child process (see `cliCommand`), as `npx vite-rolling` would run. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliCommand(), ...args], {
      cwd: options.cwd ?? ROOT,
      env: baseEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the CLI in this process (fast; same code path as the binary but for process wiring). */
export async function runMain(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    out: (line) => {
      stdout += `${line}\n`;
    },
    err: (line) => {
      stderr += `${line}\n`;
    },
    env: { ...baseEnv(), ...options.env },
    cwd: options.cwd ?? ROOT,
  });
  return { code, stdout, stderr };
}
