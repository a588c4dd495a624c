import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateApp, LARGE_APP } from "../../bench/generate-app.js";
import { buildApp } from "../../bench/lib/build.js";
import { tempDir } from "../helpers/tmp.js";

/** sha256 over every file under `dir` (path and bytes), in a stable order. */
function treeHash(dir: string): string {
  const hash = createHash("sha256");
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
  for (const file of files)
    hash.update(relative(dir, file)).update("\0").update(readFileSync(file));
  return hash.digest("hex");
}

// No timings here: the benchmark claims speed in bench/RESULTS.md; this only pins the generator.
describe("bench/generate-app.ts", () => {
  const a = tempDir("bench-app-a");
  const b = tempDir("bench-app-b");
  afterAll(() => {
    a.cleanup();
    b.cleanup();
  });

  it("is deterministic: the same shape writes the same bytes", () => {
    generateApp(a.path, LARGE_APP);
    generateApp(b.path, LARGE_APP);
    expect(treeHash(join(a.path, "src"))).toBe(treeHash(join(b.path, "src")));
  });

  it("builds, with a real vite build, into the sizes the issue states", async () => {
    const app = generateApp(a.path, LARGE_APP);
    const report = await buildApp(app, join(a.path, "dist"));
    expect(app.jsModules).toBeGreaterThanOrEqual(400);
    expect(report.bundledModules).toBeGreaterThanOrEqual(400);
    expect(app.cssFiles).toBeGreaterThanOrEqual(40);
    expect(report.cssFiles).toBeGreaterThanOrEqual(40);
    expect(report.sharedChunks).toBeGreaterThan(0);
    expect(report.dynamicEntries).toBeGreaterThanOrEqual(LARGE_APP.features);

    const manifest: Record<
      string,
      { isEntry?: boolean; isDynamicEntry?: boolean; dynamicImports?: string[] }
    > = JSON.parse(readFileSync(report.manifestPath, "utf8"));
    for (const key of app.entryKeys) expect(manifest[key]?.isEntry).toBe(true);
    // import() from entries and from inside lazily loaded chunks (nested).
    const dynamicFrom = Object.values(manifest).filter((c) => (c.dynamicImports ?? []).length > 0);
    expect(dynamicFrom.some((c) => c.isEntry)).toBe(true);
    expect(dynamicFrom.some((c) => c.isDynamicEntry)).toBe(true);
  });
});
