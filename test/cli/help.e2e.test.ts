import { describe, expect, it } from "vitest";
import { commands } from "../../src/cli/commands/index.js";
import { runCli, runMain } from "../helpers/cli.js";

describe("vite-rolling --help", () => {
  it("lists every command (spawned binary)", async () => {
    const result = await runCli(["--help"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^Usage: vite-rolling <command> \[flags\]/);
    for (const command of commands) {
      expect(result.stdout).toContain(`  ${command.name}`);
      expect(result.stdout).toContain(command.summary);
    }
    expect((await runMain([])).stdout).toBe(result.stdout);
  });

  it.each(["refresh", "status", "prune"])(
    "%s --help prints its usage and touches nothing",
    async (name) => {
      const result = await runMain([name, "--help", "--redis", "redis://127.0.0.1:1"]);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toMatch(new RegExp(`^Usage: vite-rolling ${name} `));
      expect(result.stdout).toContain("--versions-to-keep <n>");
      expect((await runMain(["help", name])).stdout).toBe(result.stdout);
      expect((await runMain([name, "-h"])).stdout).toBe(result.stdout);
    },
  );

  it("prints the package version", async () => {
    const { version } = (await import("../../package.json", { with: { type: "json" } })).default;
    expect(await runMain(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("names an unknown command in one line, with the nearest one", async () => {
    const result = await runCli(["refesh"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'vite-rolling: unknown command "refesh" (did you mean "refresh"?); run vite-rolling --help for the list.\n',
    });
  });

  it("names an unknown flag in one line, with the nearest one", async () => {
    const result = await runMain(["status", "--versions-to-kep", "3"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "vite-rolling status: unknown flag --versions-to-kep (did you mean --versions-to-keep?); see vite-rolling status --help.\n",
    });
  });

  it("rejects ill-typed flag values naming the flag", async () => {
    expect((await runMain(["prune", "--versions-to-keep", "many"])).stderr).toBe(
      'vite-rolling prune: --versions-to-keep must be a whole number, received "many".\n',
    );
    expect((await runMain(["prune", "--keep"])).stderr).toBe(
      "vite-rolling prune: --keep must be a whole number from 1 to 1000, received true.\n",
    );
    expect((await runMain(["status", "--redis"])).stderr).toBe(
      "vite-rolling status: --redis needs a value: --redis <value>.\n",
    );
  });
});
