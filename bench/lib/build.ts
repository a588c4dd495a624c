import { join } from "node:path";
import type { Plugin } from "vite";
import type { GeneratedApp } from "../generate-app.js";

/** What one real `vite build` of a generated app produced. */
export interface BuildReport {
  outDir: string;
  manifestPath: string;
  /** JS chunks emitted (entries, shared, dynamic). */
  chunks: number;
  /** Source JS modules of the app that ended up in some chunk. */
  bundledModules: number;
  /** CSS files the manifest references. */
  cssFiles: number;
  /** Chunks only reachable through `import()`. */
  dynamicEntries: number;
  /** Chunks that are neither entries nor dynamic entries: what entries share. */
  sharedChunks: number;
}

/** The URL prefix built files are served under, in every figure. */
export const BASE = "/static/";

/**
 * Builds `app` with Vite (no config file, Vite's defaults otherwise) into `outDir`, with or
 * without extra plugins, and reports what the build holds.
 */
export async function buildApp(
  app: Pick<GeneratedApp, "root" | "input">,
  outDir: string,
  plugins: Plugin[] = [],
): Promise<BuildReport> {
  const { build } = await import("vite");
  const result = await build({
    root: app.root,
    configFile: false,
    logLevel: "silent",
    base: BASE,
    plugins,
    build: {
      outDir,
      emptyOutDir: true,
      manifest: true,
      rolldownOptions: { input: app.input },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  const modules = new Set<string>();
  let chunks = 0;
  for (const out of outputs) {
    if (!("output" in out)) throw new Error("vite build returned a watcher; expected an output");
    for (const item of out.output) {
      if (item.type !== "chunk") continue;
      chunks++;
      for (const id of item.moduleIds) {
        if (id.startsWith(join(app.root, "src")) && id.endsWith(".js")) modules.add(id);
      }
    }
  }
  const manifestPath = join(outDir, ".vite", "manifest.json");
  const { readFileSync } = await import("node:fs");
  const manifest: Record<
    string,
    { file: string; css?: string[]; isEntry?: boolean; isDynamicEntry?: boolean }
  > = JSON.parse(readFileSync(manifestPath, "utf8"));
  const chunksOf = Object.values(manifest).filter((c) => c.file.endsWith(".js"));
  return {
    outDir,
    manifestPath,
    chunks,
    bundledModules: modules.size,
    cssFiles: new Set(Object.values(manifest).flatMap((c) => c.css ?? [])).size,
    dynamicEntries: chunksOf.filter((c) => c.isDynamicEntry).length,
    sharedChunks: chunksOf.filter((c) => !c.isEntry && !c.isDynamicEntry).length,
  };
}
