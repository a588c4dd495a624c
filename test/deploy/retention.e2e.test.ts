import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refresh } from "../../src/deploy/refresh.js";
import { resolveOptions } from "../../src/options.js";
import { createFileStore } from "../../src/registry/file-store.js";
import { viteRolling } from "../../src/vite/plugin.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

const sources = (label: string) => ({
  "index.html": '<script type="module" src="/src/main.ts"></script>',
  "src/main.ts": `import "./main.css"; document.title = "${label}"; document.querySelector("button")?.addEventListener("click", () => import("./lazy"));`,
  "src/lazy.ts": `export const lazy = "${label}";`,
  "src/main.css": `body { --label: "${label}"; }`,
});

// Releases A, B, C built into ONE output folder (emptyOutDir: false), as a rolling deploy
// that keeps old chunks on disk does; each registered right after its build.
describe("asset retention and prune-assets", () => {
  const dir = tempDir("retention");
  const registryDir = join(dir.path, "registry");
  const outDir = join(dir.path, "public");
  const manifests: Record<string, string> = {};
  const options = (release: string) =>
    resolveOptions(
      {
        manifestPath: join(outDir, ".vite/manifest.json"),
        registryDir,
        release,
        versionsToKeep: 2,
        retainAssets: true,
        logger: { warn() {} },
      },
      {},
    );

  beforeAll(async () => {
    for (const release of ["A", "B"]) {
      const root = join(dir.path, `src-${release}`);
      await buildApp(root, sources(release), {
        plugins: [viteRolling()],
        build: { outDir, emptyOutDir: false },
      });
      manifests[release] = readFileSync(join(outDir, ".vite/manifest.json"), "utf8");
      await refresh(options(release), {});
    }
  });
  afterAll(() => dir.cleanup());

  const filesOf = (release: string) =>
    Object.values(
      JSON.parse(manifests[release]!) as Record<string, { file: string; css?: string[] }>,
    ).flatMap((c) => [c.file, ...(c.css ?? [])]);

  it("stores every built file of a release with its bytes", async () => {
    const store = createFileStore({ dir: registryDir, versionsToKeep: 2 });
    for (const release of ["A", "B"]) {
      const files = filesOf(release);
      expect(files.length).toBeGreaterThanOrEqual(3); // entry, lazy chunk, css
      for (const file of files) {
        const stored = await store.getAsset(release, file);
        expect(stored?.equals(readFileSync(join(outDir, file))), `${release} ${file}`).toBe(true);
      }
    }
  });

  it("deletes nothing a kept release needs, and what no kept release references", async () => {
    writeFileSync(join(outDir, "assets/orphan-D8kQ2xZ1.js"), "old release");
    writeFileSync(join(outDir, "favicon.ico"), "not hashed: never touched");
    const dry = await runCli(
      ["prune-assets", "public", "--dry-run", "--registry-dir", "registry"],
      {
        cwd: dir.path,
      },
    );
    expect(dry.stderr).toBe("");
    expect(dry.stdout).toContain("would delete assets/orphan-D8kQ2xZ1.js");
    expect(existsSync(join(outDir, "assets/orphan-D8kQ2xZ1.js"))).toBe(true);

    const run = await runCli(["prune-assets", "public", "--registry-dir", "registry"], {
      cwd: dir.path,
    });
    expect(run.code).toBe(0);
    expect(existsSync(join(outDir, "assets/orphan-D8kQ2xZ1.js"))).toBe(false);
    expect(existsSync(join(outDir, "favicon.ico"))).toBe(true);
    for (const file of [...filesOf("A"), ...filesOf("B")]) {
      expect(existsSync(join(outDir, file)), file).toBe(true);
    }
  });

  it("a release leaving the keep window takes its assets with it", async () => {
    await buildApp(join(dir.path, "src-C"), sources("C"), {
      plugins: [viteRolling()],
      build: { outDir, emptyOutDir: false },
    });
    manifests.C = readFileSync(join(outDir, ".vite/manifest.json"), "utf8");
    await refresh(options("C"), {});
    const store = createFileStore({ dir: registryDir, versionsToKeep: 2 });
    expect((await store.releases()).map((r) => r.release)).toEqual(["C", "B"]);
    for (const file of filesOf("A")) expect(await store.getAsset("A", file)).toBeNull();
    // Now A's files are no longer needed on disk either.
    const run = await runCli(["prune-assets", "public", "--registry-dir", "registry"], {
      cwd: dir.path,
    });
    expect(run.code).toBe(0);
    const onlyA = filesOf("A").filter(
      (f) => !filesOf("B").includes(f) && !filesOf("C").includes(f),
    );
    expect(onlyA.length).toBeGreaterThan(0);
    for (const file of onlyA) expect(existsSync(join(outDir, file)), file).toBe(false);
  });

  it("refuses to prune against an empty registry", async () => {
    const run = await runCli(["prune-assets", "public", "--registry-dir", "empty-registry"], {
      cwd: dir.path,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^vite-rolling prune-assets: .*holds no release/);
  });
});
