import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { ROOT } from "./tmp.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
// Absolute, so the CLI runs from any cwd (a bare "tsx" resolves against the cwd).
const TSX = import.meta.resolve("tsx");

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

/** Spawns `node --import tsx src/cli/main.ts ...args`, as `npx vite-rolling` would run. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, MAIN, ...args], {
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
