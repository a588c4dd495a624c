import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/command.js";
import collectCommand from "../../src/cli/commands/collect.js";
import tokenCommand from "../../src/cli/commands/token.js";
import { verifyBearer } from "../../src/http/bust-token.js";
import { runMain } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { writeFiles } from "../helpers/vite.js";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

function io(env: NodeJS.ProcessEnv = {}, cwd = "/"): CliIO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (l) => void lines.push(l),
    err: (l) => void errors.push(l),
    env,
    cwd,
  };
}

function dir(label: string): string {
  const d = tempDir(label);
  cleanups.push(d.cleanup);
  return d.path;
}

describe("vite-rolling collect", () => {
  it("collects relative to the working directory", async () => {
    const cwd = dir("collect-cli");
    writeFiles(cwd, { "static/css/a.css": "a{}" });
    const cli = io({}, cwd);
    const code = await collectCommand.run({ positionals: ["static", "out"], flags: {} }, cli);
    expect(code).toBe(0);
    expect(cli.lines[0]).toMatch(/^collected 1 file into out \(hash [0-9a-f]{12}\)/);
    expect(existsSync(join(cwd, "out/staticfiles.json"))).toBe(true);
    expect(collectCommand.name).toBe("collect");
  });

  it("fails with a usage line when arguments are missing, and with the error when src is missing", async () => {
    const cwd = dir("collect-cli-bad");
    const usage = await runMain(["collect", "static"], { cwd });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain(
      "vite-rolling collect: expected two arguments, <src> and <out>, received 1",
    );
    const missing = await runMain(["collect", "nope", "out"], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^vite-rolling collect: source directory \/.*\/nope does not exist/,
    );
  });
});

describe("vite-rolling token", () => {
  const SECRET = "s3cret-key";
  const TOKEN = createHmac("sha256", SECRET).update("vite-rolling:cache-bust").digest("hex");

  it("prints the token from SECRET_KEY", async () => {
    const cli = io({ SECRET_KEY: SECRET });
    expect(await tokenCommand.run({ positionals: [], flags: {} }, cli)).toBe(0);
    expect(cli.lines).toEqual([TOKEN]);
    expect(verifyBearer(`Bearer ${cli.lines[0]}`, SECRET)).toBe("ok");
    expect(tokenCommand.name).toBe("token");
  });

  it("prefers --secret over SECRET_KEY", async () => {
    const cli = io({ SECRET_KEY: "env" });
    expect(await tokenCommand.run({ positionals: [], flags: { secret: SECRET } }, cli)).toBe(0);
    expect(cli.lines).toEqual([TOKEN]);
  });

  it("says how to provide a secret when there is none", async () => {
    expect(await runMain(["token"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "vite-rolling token: no secret: set the SECRET_KEY environment variable (the same one the server reads) or pass --secret <secret>.\n",
    });
    const bare = await runMain(["token", "--secret"], { env: { SECRET_KEY: SECRET } });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("vite-rolling token: --secret needs a value");
  });
});
