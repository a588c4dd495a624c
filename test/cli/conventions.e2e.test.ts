import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { commands } from "../../src/cli/commands/index.js";
import { runMain } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const tmp = tempDir("cli-conventions");
afterAll(() => tmp.cleanup());
const missing = join(tmp.path, "does-not-exist");
const unreachable = ["--redis", "redis://127.0.0.1:1"];

/** One usage error (exit 2) and one runtime failure (exit 1) per command. */
const CASES: Record<string, { usage: string[]; runtime: string[] }> = {
  refresh: {
    usage: ["--versions-to-keep", "many"],
    runtime: ["--release", "v1", "--manifest-path", join(missing, "manifest.json")],
  },
  status: { usage: ["--no-such-flag", "x"], runtime: unreachable },
  prune: { usage: ["--keep", "none"], runtime: unreachable },
  collect: { usage: ["only-one-argument"], runtime: [missing, join(tmp.path, "out")] },
  token: { usage: ["--secret"], runtime: [] },
  "proxy-config": { usage: ["apache"], runtime: ["nginx", ...unreachable] },
  "prune-assets": { usage: [], runtime: [missing] },
};

describe("one CLI convention for every command", () => {
  it("covers every command", () => {
    expect(Object.keys(CASES).sort()).toEqual(commands.map((c) => c.name).sort());
  });

  it.each(Object.entries(CASES))(
    "%s: a usage error exits 2, a runtime failure exits 1, each one line `vite-rolling <command>: ...`",
    async (name, { usage, runtime }) => {
      for (const [args, code] of [
        [usage, 2],
        [runtime, 1],
      ] as const) {
        const result = await runMain([name, ...args], { cwd: tmp.path });
        expect(result.code, `${name} ${args.join(" ")}: ${result.stderr}`).toBe(code);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(new RegExp(`^vite-rolling ${name}: [^\\[][^\\n]*\\n$`));
      }
    },
  );

  it("refresh --help lists every flag refresh reads, --retain-assets included", async () => {
    const { stdout, code } = await runMain(["refresh", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--retain-assets");
  });

  it("a JSON config error names line and column, as the README promises", async () => {
    const dir = join(tmp.path, "json-config");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "vite-rolling.config.json"), '{\n  "versionsToKeep": 3,\n}\n');
    const result = await runMain(["status"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unexpected "}" at line 3, column 1');
    expect(result.stderr).not.toMatch(/position/);
  });
});

describe("vite-rolling status | head -1", () => {
  it("ends quietly when the reader closes the pipe (no EPIPE stack trace)", async () => {
    const registryDir = join(tmp.path, "epipe-registry");
    const manifest = join(tmp.path, "epipe-manifest.json");
    writeFileSync(manifest, '{"src/main.ts":{"file":"assets/main-1.js","isEntry":true}}');
    for (let i = 0; i < 5; i++) {
      const r = await runMain(
        [
          "refresh",
          "--release",
          `v${i}`,
          "--manifest-path",
          manifest,
          "--registry-dir",
          registryDir,
        ],
        { cwd: tmp.path },
      );
      expect(r.code).toBe(0);
    }
    const tsx = import.meta.resolve("tsx");
    const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
    // The shell's `| head -1` closes the read end after one line; `head -0` closes it at once,
    // before the CLI writes, so the write fails with EPIPE every time.
    const script = `"${process.execPath}" --import "${tsx}" "${main}" status --registry-dir "${registryDir}" | head -c 0; echo "exit:\${PIPESTATUS[0]}"`;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn("bash", ["-c", script], { cwd: tmp.path });
        let out = "";
        let err = "";
        child.stdout.on("data", (c) => {
          out += c;
        });
        child.stderr.on("data", (c) => {
          err += c;
        });
        child.once("error", reject);
        child.once("close", () => resolve({ stdout: out, stderr: err }));
      },
    );
    expect(stderr).toBe("");
    expect(stdout).toBe("exit:0\n");
  });
});
