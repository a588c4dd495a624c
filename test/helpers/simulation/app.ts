/**
 * The small app each simulated release builds: two entries sharing a chunk, CSS on every
 * level, and a lazy chunk with its own CSS. Every file carries the release id in its bytes, so
 * no hashed file name is common to two releases and each asset names the one release it is of.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { viteRolling } from "../../../src/vite/plugin.js";
import { buildApp } from "../vite.js";
import { BASE, PAGES } from "./pages.js";

function sources(release: string): Record<string, string> {
  const tag = JSON.stringify(release);
  return {
    "src/shared.css": `.shared::after { content: ${tag}; color: #123; }\n`,
    // The lazy chunk loads on a click on #lazy (every page has the button, both entries import
    // this module, a module runs once per document however often htmx swaps the body).
    "src/shared.ts": `import "./shared.css";\nexport const release = ${tag};\nexport function label(s: string): string { return \`\${s} (\${release})\`; }\ndocument.addEventListener("click", (event) => {\n  if (!(event.target instanceof Element) || !event.target.closest("#lazy")) return;\n  import("./lazy").then((m) => { document.getElementById("lazy-out")!.textContent = m.lazy; });\n});\n`,
    "src/main.css": `body { font-family: sans-serif; } .main::after { content: ${tag}; }\n`,
    "src/main.ts": `import "./main.css";\nimport { label } from "./shared";\ndocument.title = label("home");\n`,
    "src/items.css": `.items::after { content: ${tag}; }\n`,
    "src/items.ts": `import "./items.css";\nimport { label } from "./shared";\ndocument.title = label("items");\n`,
    "src/lazy.css": `.lazy::after { content: ${tag}; }\n`,
    "src/lazy.ts": `import "./lazy.css";\nexport const lazy = ${JSON.stringify(`lazy chunk of ${release}`)};\n`,
  };
}

/** One built release. */
export interface BuiltRelease {
  release: string;
  /** The build output (what an instance of this release has on disk). */
  dist: string;
  manifestPath: string;
  /** Output files of the manifest (`assets/main-abc.js`), this release's and no other's. */
  files: Set<string>;
  /** Output files of lazily imported chunks. */
  lazy: Set<string>;
}

/** Runs a real `vite build` (with the vite-rolling plugin) of the app for `release` in `dir`. */
export async function buildRelease(dir: string, release: string): Promise<BuiltRelease> {
  const built = await buildApp(join(dir, release), sources(release), {
    base: BASE,
    plugins: [viteRolling()],
    build: { rollupOptions: { input: [...new Set(Object.values(PAGES))] } },
  });
  const manifest = JSON.parse(readFileSync(built.manifestPath, "utf8")) as Record<
    string,
    { file: string; css?: string[]; assets?: string[]; isDynamicEntry?: boolean }
  >;
  const files = new Set(
    Object.values(manifest).flatMap((c) => [c.file, ...(c.css ?? []), ...(c.assets ?? [])]),
  );
  const lazy = new Set(
    Object.values(manifest)
      .filter((c) => c.isDynamicEntry)
      .map((c) => c.file),
  );
  return { release, dist: built.outDir, manifestPath: built.manifestPath, files, lazy };
}
