import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatAge, formatReleases, formatSize } from "../../src/cli/commands/status.js";
import { runCli, runMain } from "../helpers/cli.js";
import { manifestOf } from "../helpers/store-contract.js";
import { tempDir } from "../helpers/tmp.js";

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir("cli-status");
  mkdirSync(join(dir.path, "dist/.vite"), { recursive: true });
  writeFileSync(join(dir.path, "dist/.vite/manifest.json"), manifestOf("x"));
});
afterAll(() => dir.cleanup());

describe("vite-rolling status and prune", () => {
  it("says when the registry is empty", async () => {
    const result = await runMain(["status", "--registry-dir", "empty"], { cwd: dir.path });
    expect(result).toEqual({
      code: 0,
      stdout: `${join(dir.path, "empty", "vite_manifest")}: no releases yet; run \`vite-rolling refresh\` after a build.\n`,
      stderr: "",
    });
  });

  it("lists releases current first with size, hash and age, as text and JSON", async () => {
    for (const release of ["v1", "v2", "v3"]) {
      await runMain(["refresh", "--upstream", release === "v3" ? "blue" : "green"], {
        cwd: dir.path,
        env: { RELEASE_VERSION: release, APP_VERSION: `${release}.0` },
      });
    }
    const result = await runCli(["status"], { cwd: dir.path });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(
      `${join(dir.path, ".vite-rolling", "vite_manifest")}: 3 release(s), keeping 5`,
    );
    const size = Buffer.byteLength(manifestOf("x"));
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\* v3 +${size} B  sha256 [0-9a-f]{12}  registered \\S+Z \\(\\d+[smhd] ago\\)  upstream blue  app v3\\.0$`,
        ),
      ),
      expect.stringMatching(/^ {2}v2 .* upstream green {2}app v2\.0$/),
      expect.stringMatching(/^ {2}v1 /),
    ]);
    const aged = await runMain(["status", "--versions-max-age", "86400"], { cwd: dir.path });
    expect(aged.stdout.split("\n")[0]).toBe(
      `${join(dir.path, ".vite-rolling", "vite_manifest")}: 3 release(s), keeping 5 and any younger than 86400 s`,
    );
    const json = JSON.parse((await runMain(["status", "--json"], { cwd: dir.path })).stdout);
    expect(json.releases.map((r: { release: string }) => r.release)).toEqual(["v3", "v2", "v1"]);
    expect(json.releases[0]).toMatchObject({ size, upstream: "blue", appVersion: "v3.0" });
  });

  it("prune --keep N removes the oldest", async () => {
    const result = await runMain(["prune", "--keep", "1"], { cwd: dir.path });
    expect(result).toEqual({
      code: 0,
      stdout: `kept: v3 in ${join(dir.path, ".vite-rolling", "vite_manifest")}\nremoved: v2, v1\n`,
      stderr: "",
    });
    expect((await runMain(["prune"], { cwd: dir.path })).stdout).toMatch(/\nremoved: nothing\n$/);
    expect((await runMain(["prune", "--keep", "0"], { cwd: dir.path })).stderr).toBe(
      "vite-rolling prune: keep must be an integer from 1 to 1000, received number 0. Keep at least the release being served.\n",
    );
  });

  it("formats sizes and ages for people", () => {
    expect([formatSize(812), formatSize(12_700), formatSize(3 * 1024 * 1024)]).toEqual([
      "812 B",
      "12.4 kB",
      "3.0 MB",
    ]);
    const now = Date.parse("2024-06-01T12:00:00Z");
    expect(
      [
        "2024-06-01T11:59:18Z",
        "2024-06-01T11:55:00Z",
        "2024-06-01T09:00:00Z",
        "2024-05-29T12:00:00Z",
        "",
      ].map((t) => formatAge(t, now)),
    ).toEqual(["42s", "5m", "3h", "3d", "?"]);
    expect(
      formatReleases([{ release: "gone", registeredAt: "", manifestHash: "", size: 0 }], now),
    ).toEqual([
      "* gone    (manifest missing: run refresh for this release again)  registered ? (? ago)",
    ]);
  });
});
