import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFileStore } from "../../src/registry/file-store.js";
import { runCli } from "../helpers/cli.js";
import { manifestOf } from "../helpers/store-contract.js";
import { tempDir } from "../helpers/tmp.js";

/** The release a manifest file is named after: `v1.<pid>-<hex>.json` (one name per step). */
const releaseOf = (name: string) => name.replace(/(\.\d+-[0-9a-f]+)?\.json$/, "");

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.cleanup();
});
function fresh(label: string) {
  const dir = tempDir(label);
  dirs.push(dir);
  return { dir: dir.path, root: join(dir.path, "vite_manifest") };
}

/** A pid that certainly belongs to no live process: one that just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

function plantLock(root: string, owner: { pid: number; host: string }) {
  mkdirSync(join(root, ".lock"), { recursive: true });
  writeFileSync(
    join(root, ".lock", "owner.json"),
    JSON.stringify({ ...owner, token: "planted", since: "2024-01-01T00:00:00.000Z" }),
  );
}

describe("file store across processes", () => {
  it("ten concurrent `vite-rolling refresh` processes leave a consistent registry", async () => {
    const { dir, root } = fresh("procs");
    const releases = Array.from({ length: 10 }, (_, i) => `p${i}`);
    for (const release of releases) {
      mkdirSync(join(dir, release), { recursive: true });
      writeFileSync(join(dir, release, "manifest.json"), manifestOf(release));
    }
    const results = await Promise.all(
      releases.map((release) =>
        runCli(
          [
            "refresh",
            "--registry-dir",
            dir,
            "--manifest-path",
            join(dir, release, "manifest.json"),
            "--versions-to-keep",
            "4",
          ],
          { cwd: dir, env: { RELEASE_VERSION: release } },
        ),
      ),
    );
    for (const result of results) expect(result).toMatchObject({ code: 0, stderr: "" });
    const store = createFileStore({ dir });
    const listed = (await store.releases()).map((r) => r.release);
    expect(listed).toHaveLength(4);
    expect(new Set(listed).size).toBe(4);
    const files = readdirSync(join(root, "manifests")).map(releaseOf).sort();
    expect(files).toEqual([...listed].sort());
    for (const release of releases) {
      const stored = await store.getManifest(release);
      expect(stored?.text ?? null).toBe(listed.includes(release) ? manifestOf(release) : null);
    }
    // Nothing half-written or left locked.
    expect(readdirSync(root).sort()).toEqual([
      "assets",
      "manifests",
      "recent-manifest-versions.json",
    ]);
  });

  it("takes over a lock whose holder died", async () => {
    const { dir, root } = fresh("dead-lock");
    plantLock(root, { pid: deadPid(), host: hostname() });
    const store = createFileStore({ dir, lock: { timeoutMs: 60_000 } });
    await store.register({ release: "a", manifestText: manifestOf("a") });
    expect((await store.releases()).map((r) => r.release)).toEqual(["a"]);
  });

  it("waits for a live holder and then names it, changing nothing", async () => {
    const { dir, root } = fresh("live-lock");
    plantLock(root, { pid: process.pid, host: hostname() });
    const store = createFileStore({ dir, lock: { timeoutMs: 200, staleMs: 60_000 } });
    await expect(store.register({ release: "a", manifestText: manifestOf("a") })).rejects.toThrow(
      `[vite-rolling] [registry] the file registry is locked by pid ${process.pid} on ${hostname()} since 2024-01-01T00:00:00.000Z. If no vite-rolling command is running there, delete ${join(root, ".lock")} and retry.`,
    );
    expect(await store.releases()).toEqual([]);
    expect(readdirSync(join(root, "manifests"))).toEqual([]);
  });

  it("hides files a crashed step left behind and sweeps them on the next step", async () => {
    const { dir, root } = fresh("crash");
    const store = createFileStore({ dir });
    await store.register({ release: "a", manifestText: manifestOf("a") });
    // A step that died after writing its files but before committing the index:
    writeFileSync(join(root, "manifests", "ghost.json"), manifestOf("ghost"));
    mkdirSync(join(root, "assets", "ghost"));
    writeFileSync(join(root, "recent-manifest-versions.json.123.abcd.tmp"), "{");
    expect(await store.getManifest("ghost")).toBeNull();
    expect(await store.writeThrough("ghost", manifestOf("ghost"))).toBe(false);
    await store.register({ release: "b", manifestText: manifestOf("b") });
    expect(readdirSync(join(root, "manifests")).map(releaseOf).sort()).toEqual(["a", "b"]);
    expect(readdirSync(join(root, "assets"))).toEqual([]);
    expect(readdirSync(root).sort()).toEqual([
      "assets",
      "manifests",
      "recent-manifest-versions.json",
    ]);
  });
});
