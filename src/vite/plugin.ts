import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Plugin, ResolvedConfig } from "vite";
import type { ImportMap } from "../manifest/sidecar.js";
import {
  buildSidecar,
  digestFile,
  type FileDigest,
  importMapFileName,
  manifestFileName,
  sidecarFileName,
  writeSidecarFile,
} from "./build-sidecar.js";
import { buildTargetOf } from "./build-target.js";
import { type DevServerPluginOptions, viteRollingDevServer } from "./dev-server.js";
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
export interface ViteRollingPluginOptions extends DevServerPluginOptions {
  /**
   * Warn when `build.emptyOutDir` is about to delete the previous build's files, which old
   * browser tabs in a rolling deploy still load.
   * @default true
   */
  emptyOutDirWarning?: boolean;
}

/**
 * The build-time half of vite-rolling. Turns on `build.manifest` (unless set) and, after
 * Vite has written every file, records `.vite/vite-rolling.json` next to the manifest: the
 * build hash, the resolved `base`, the sha384 integrity and content hash of every emitted file, and
 * the chunk import map when `build.chunkImportMap` is on. While `vite` serves, it writes the
 * hot file the server's dev mode reads (`hotFile`), sets `server.origin` and CORS for the
 * backend (unless set), and answers the CSS of an entry's modules for a styled first paint.
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
export function viteRolling(options: ViteRollingPluginOptions = {}): Plugin[] {
  const warnEmptyOutDir = options.emptyOutDirWarning ?? true;
  // One environment may write several outputs (rolldownOptions.output as an array) and call
  // writeBundle once per output; digests gather per environment and output dir so the sidecar
  // written last covers all of them.
  const digests = new Map<string, Map<string, FileDigest>>();
  // Watch mode runs buildStart per rebuild; one warning per environment is enough.
  const warned = new Set<string>();
  // Vite 5 has no `this.environment`: its hooks read the one resolved config instead.
  let resolved: ResolvedConfig | undefined;

  const buildPlugin: Plugin = {
    name: "vite-rolling",
    apply: "build",

    config(user) {
      if (user.build?.manifest === undefined) return { build: { manifest: true } };
      return undefined;
    },

    configResolved(config) {
      resolved = config;
    },

    buildStart() {
      const env = buildTargetOf(this.environment, resolved);
      if (!env) return;
      if (!warnEmptyOutDir || warned.has(env.name) || !env.build.write) return;
      const { root, build } = env;
      // Checked here, before Vite's prepare-out-dir plugin empties outDir in renderStart.
      for (const outDir of outDirsOf(root, build.outDir, build.bundler.output)) {
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

    // The next build (watch mode) starts from no digests. Not at buildStart: Vite 8 builds
    // @vitejs/plugin-legacy's chunks in a pass of their own (buildStart, writeBundle, then the
    // modern pass), and the sidecar must cover both passes' files; closeBundle ends the build.
    closeBundle() {
      const env = buildTargetOf(this.environment, resolved);
      if (!env) return;
      for (const key of digests.keys()) if (key.startsWith(`${env.name}\0`)) digests.delete(key);
    },

    writeBundle: {
      // After every other plugin's writeBundle hook: the files on disk are final.
      order: "post",
      sequential: true,
      handler(output, bundle) {
        const env = buildTargetOf(this.environment, resolved);
        if (!env) return;
        const { root, build, base } = env;
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
        // The bundle's own bytes: what Rollup / Rolldown has just written to each file (the
        // sourcemap comment included; the e2e test compares with the files on disk). Reading
        // the files back was most of the plugin's time in a profile of the large app's build
        // (opening ~180 files; hashing them took a tenth of that): issue 15.
        for (const [name, item] of Object.entries(bundle)) {
          if (name !== manifestFile && name !== sidecarFile)
            seen.set(name, digestFile(name, bytesOf(item)));
        }
        // The page needs the import map before any module loads, and only the server writes
        // the page: record it where the server reads the build (src/engine/front.ts).
        const importMapFile = importMapFileName(build);
        const mapItem = importMapFile ? bundle[importMapFile] : undefined;
        const importMap = mapItem ? (JSON.parse(textOf(bytesOf(mapItem))) as ImportMap) : null;
        const sidecar = buildSidecar(base, seen, [manifestFile, sidecarFile], importMap);
        writeSidecarFile(join(dir, sidecarFile), sidecar);
      },
    },
  };
  // While `vite` serves: the hot file, server.origin, CORS, the dev endpoints (dev-server.ts).
  return [buildPlugin, viteRollingDevServer(options)];
}

/** What an output file holds: a chunk's code, an asset's source. */
function bytesOf(
  item: { type: "chunk"; code: string } | { type: "asset"; source: string | Uint8Array },
): string | Uint8Array {
  return item.type === "chunk" ? item.code : item.source;
}

function textOf(bytes: string | Uint8Array): string {
  return typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes);
}

/** Vite's own rule (getResolvedOutDirs): each output's `dir`, else `build.outDir`. */
function outDirsOf(root: string, outDir: string, output: unknown): Set<string> {
  const fallback = resolve(root, outDir);
  if (!output) return new Set([fallback]);
  const outputs = Array.isArray(output) ? output : [output];
  return new Set(outputs.map((o: { dir?: string }) => (o.dir ? resolve(root, o.dir) : fallback)));
}

export default viteRolling;
