import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { build, type InlineConfig, mergeConfig } from "vite";

export interface BuiltApp {
  /** Absolute path of the build output directory. */
  outDir: string;
  /** Absolute path of the manifest Vite wrote (`<outDir>/.vite/manifest.json`). */
  manifestPath: string;
}

/** Writes `files` (paths relative to `dir`) into `dir`, creating folders as needed. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/**
 * Writes `files` into `dir` and runs a real `vite build` with `dir` as root, the manifest on
 * and output in `dir/dist`. `config` is merged over those defaults (Vite's `mergeConfig`), so
 * a test can set `base`, `build.rollupOptions.input`, plugins, and so on.
 */
export async function buildApp(
  dir: string,
  files: Record<string, string>,
  config: InlineConfig = {},
): Promise<BuiltApp> {
  writeFiles(dir, files);
  const defaults: InlineConfig = {
    root: dir,
    configFile: false,
    logLevel: "silent",
    build: { manifest: true, outDir: join(dir, "dist"), emptyOutDir: true },
  };
  const merged = mergeConfig(defaults, config) as InlineConfig;
  await build(merged);
  const root = merged.root ?? dir;
  const out = merged.build?.outDir ?? "dist";
  const outDir = isAbsolute(out) ? out : resolve(root, out);
  const manifest = merged.build?.manifest;
  const manifestName = typeof manifest === "string" ? manifest : ".vite/manifest.json";
  return { outDir, manifestPath: join(outDir, manifestName) };
}
