import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Plugin } from "vite";
import type { ImportMap } from "../manifest/sidecar.js";
import { stableJson } from "../util/stable-json.js";
import { writeFileAtomic } from "../util/write-file-atomic.js";
import {
  buildSidecar,
  digestFile,
  type FileDigest,
  importMapFileName,
  manifestFileName,
  sidecarFileName,
} from "./build-sidecar.js";
import { emptyOutDirWarning } from "./empty-out-dir-warning.js";

export type { Sidecar } from "../manifest/sidecar.js";
export {
  buildSidecar,
  digestFile,
  importMapFileName,
  manifestFileName,
  sidecarFileName,
} from "./build-sidecar.js";
export { emptyOutDirWarning } from "./empty-out-dir-warning.js";

/** Options of the `vite-rolling/vite` plugin. */
export interface ViteRollingPluginOptions {
  /**
   * Warn when `build.emptyOutDir` is about to delete the previous build's files, which old
   * browser tabs in a rolling deploy still load.
   * @default true
   */
  emptyOutDirWarning?: boolean;
}

/** Files read at a time when hashing the output (bounded so large builds do not hit EMFILE). */
const READ_BATCH = 32;

/**
 * The build-time half of vite-rolling. Turns on `build.manifest` (unless set) and, after
 * Vite has written every file, records `.vite/vite-rolling.json` next to the manifest: the
 * build hash, the resolved `base`, the sha384 integrity and sha256 of every emitted file, and
 * the chunk import map when `build.chunkImportMap` is on.
 *
 * @example
 * // vite.config.ts
 * import { defineConfig } from "vite";
 * import viteRolling from "vite-rolling/vite";
 * export default defineConfig({
 *   base: "/static/",
 *   build: { emptyOutDir: false },
 *   plugins: [viteRolling()],
 * });
 */
export function viteRolling(options: ViteRollingPluginOptions = {}): Plugin {
  const warnEmptyOutDir = options.emptyOutDirWarning ?? true;
  // One environment may write several outputs (rolldownOptions.output as an array) and call
  // writeBundle once per output; digests gather per environment and output dir so the sidecar
  // written last covers all of them.
  const digests = new Map<string, Map<string, FileDigest>>();
  // Watch mode runs buildStart per rebuild; one warning per environment is enough.
  const warned = new Set<string>();

  return {
    name: "vite-rolling",
    apply: "build",

    config(user) {
      if (user.build?.manifest === undefined) return { build: { manifest: true } };
      return undefined;
    },

    buildStart() {
      const env = this.environment;
      for (const key of digests.keys()) if (key.startsWith(`${env.name}\0`)) digests.delete(key);
      if (!warnEmptyOutDir || warned.has(env.name) || !env.config.build.write) return;
      const { root, build } = env.config;
      // Checked here, before Vite's prepare-out-dir plugin empties outDir in renderStart.
      for (const outDir of outDirsOf(root, build.outDir, build.rolldownOptions.output)) {
        const message = emptyOutDirWarning({
          root,
          outDir,
          emptyOutDir: build.emptyOutDir,
          entries: existsSync(outDir) ? readdirSync(outDir) : null,
        });
        if (message) {
          env.logger.warn(message);
          warned.add(env.name);
          break;
        }
      }
    },

    writeBundle: {
      // After every other plugin's writeBundle hook: the files on disk are final.
      order: "post",
      sequential: true,
      async handler(output, bundle) {
        const env = this.environment;
        const { root, build, base } = env.config;
        const dir = output.dir
          ? resolve(root, output.dir)
          : output.file
            ? dirname(resolve(root, output.file))
            : resolve(root, build.outDir);
        const manifestFile = manifestFileName(build.manifest);
        const sidecarFile = sidecarFileName(manifestFile);
        const key = `${env.name}\0${dir}`;
        const seen = digests.get(key) ?? new Map<string, FileDigest>();
        digests.set(key, seen);
        // Hash the bytes as written, not `chunk.code`: what the browser fetches is the file.
        const names = Object.keys(bundle).filter((n) => n !== manifestFile && n !== sidecarFile);
        for (let i = 0; i < names.length; i += READ_BATCH) {
          const batch = names.slice(i, i + READ_BATCH);
          const read = await Promise.all(batch.map((name) => readFile(join(dir, name))));
          for (const [j, name] of batch.entries()) seen.set(name, digestFile(name, read[j]!));
        }
        // The page needs the import map before any module loads, and only the server writes
        // the page: record it where the server reads the build (src/engine/front.ts).
        const importMapFile = importMapFileName(build);
        let importMap: ImportMap | null = null;
        if (importMapFile && Object.hasOwn(bundle, importMapFile)) {
          importMap = JSON.parse(await readFile(join(dir, importMapFile), "utf8")) as ImportMap;
        }
        const sidecar = buildSidecar(base, seen, [manifestFile, sidecarFile], importMap);
        await writeFileAtomic(join(dir, sidecarFile), stableJson(sidecar));
      },
    },
  };
}

/** Vite's own rule (getResolvedOutDirs): each output's `dir`, else `build.outDir`. */
function outDirsOf(root: string, outDir: string, output: unknown): Set<string> {
  const fallback = resolve(root, outDir);
  if (!output) return new Set([fallback]);
  const outputs = Array.isArray(output) ? output : [output];
  return new Set(outputs.map((o: { dir?: string }) => (o.dir ? resolve(root, o.dir) : fallback)));
}

export default viteRolling;
