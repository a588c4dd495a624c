import { type ChildProcess, spawn } from "node:child_process";
import { watch } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createFileStore } from "../../src/registry/file-store.js";
import type { RegistryStore } from "../../src/registry/store.js";
import { tempDir, uniquePrefix } from "../helpers/tmp.js";

const tmp = tempDir("file-store-atomic");
afterAll(() => tmp.cleanup());

const manifestOf = (release: string) =>
  JSON.stringify({ "src/main.ts": { file: `assets/${release}.js` } });

async function expectEveryListedReleaseHasItsManifest(store: RegistryStore): Promise<string[]> {
  const listed = (await store.releases()).map((r) => r.release);
  for (const release of listed) {
    expect(await store.getManifest(release), `manifest of listed ${release}`).not.toBeNull();
  }
  return listed;
}

function exited(child: ChildProcess): Promise<{ code: number | null; stdout: string }> {
  let stdout = "";
  child.stdout?.on("data", (c) => {
    stdout += c;
  });
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout })));
}

describe("file registry: a holder that lost its lock changes nothing", () => {
  it("a refresh stopped (SIGSTOP) mid-step, overtaken, then resumed (SIGCONT) does not undo the other release", {
    timeout: 120_000,
  }, async () => {
    const dir = join(tmp.path, "stall");
    const prefix = uniquePrefix("stall");
    const staleMs = 400;
    const store = createFileStore({ dir, prefix, lock: { staleMs, timeoutMs: 60_000 } });
    await store.register({ release: "base1", manifestText: manifestOf("base1") });
    const manifests = join(dir, encodeURIComponent(prefix), "manifests");
    await mkdir(manifests, { recursive: true });

    const tsx = import.meta.resolve("tsx");
    const script = fileURLToPath(new URL("./fixtures/stall-holder.ts", import.meta.url));
    const child = spawn(
      process.execPath,
      ["--import", tsx, script, dir, prefix, "stalled", String(staleMs), "400"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const done = exited(child);
    // Stop the holder as soon as it writes its manifest: it holds the lock and has 400 retained
    // files still to write, so it is caught before its commit.
    let watcher: ReturnType<typeof watch> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        watcher = watch(manifests, (_event, name) => {
          if (name?.includes("stalled")) {
            child.kill("SIGSTOP");
            resolve();
          }
        });
      }),
      // Fail instead of hanging should the holder finish (or fail) before it was caught.
      done.then(({ code, stdout }) => {
        throw new Error(`the holder exited (${code}) before it was stopped: ${stdout}`);
      }),
    ]).finally(() => watcher?.close());
    try {
      expect((await store.releases()).map((r) => r.release)).toEqual(["base1"]);
      // Waits until the stopped holder's lock is stale, takes it over and commits.
      const winner = await store.register({
        release: "winner",
        manifestText: manifestOf("winner"),
      });
      expect(winner.kept).toEqual(["winner", "base1"]);
    } finally {
      child.kill("SIGCONT");
    }
    const { code, stdout } = await done;
    expect(code, stdout).toBe(1);
    expect(stdout).toContain("ERR_REGISTRY_LOCK_LOST");
    const listed = await expectEveryListedReleaseHasItsManifest(store);
    expect(listed).toEqual(["winner", "base1"]);
    // Negative control: the same store, not stalled, registers normally.
    await store.register({ release: "after", manifestText: manifestOf("after") });
    expect(await expectEveryListedReleaseHasItsManifest(store)).toEqual([
      "after",
      "winner",
      "base1",
    ]);
  });
});

describe("file registry: re-registering a release swaps its assets in one atomic step", () => {
  it("a reader never sees a listed release without its retained files", async () => {
    const store = createFileStore({ dir: join(tmp.path, "swap"), prefix: uniquePrefix("swap") });
    const files = (n: number) =>
      new Map(
        Array.from({ length: 20 }, (_, i) => [`assets/f-${i}.js`, Buffer.from(`v${n}-${i}`)]),
      );
    await store.register({ release: "r1", manifestText: manifestOf("r1"), assets: files(0) });
    let writing = true;
    let reads = 0;
    const misses: string[] = [];
    const reader = (async () => {
      while (writing) {
        for (let i = 0; i < 20; i += 7) {
          reads++;
          const bytes = await store.getAsset("r1", `assets/f-${i}.js`);
          if (bytes === null) misses.push(`assets/f-${i}.js`);
        }
      }
    })();
    for (let n = 1; n <= 40; n++) {
      await store.register({ release: "r1", manifestText: manifestOf("r1"), assets: files(n) });
    }
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(40);
    expect(misses).toEqual([]);
    expect((await store.getAsset("r1", "assets/f-3.js"))?.toString()).toBe("v40-3");
  });
});
