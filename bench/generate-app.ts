/**
 * Generates a front-end app for Vite to build: entries that share a library of modules (so
 * Rolldown splits shared chunks), lazily loaded features behind `import()` (dynamic chunks,
 * some nested), and CSS imported from all three layers. Deterministic: the same shape writes
 * the same bytes (seeded PRNG, no clock), so manifests are comparable run to run.
 *
 * Usage: `tsx bench/generate-app.ts <dir> [small|large]`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** What to generate. */
export interface AppShape {
  name: string;
  /** JS entries (build inputs); pages render the first three. */
  entries: number;
  /** Shared library modules, a DAG: each imports up to two earlier ones. */
  libModules: number;
  /** Features loaded with `import()`, each one dynamic chunk with its own CSS. */
  features: number;
  /** Modules per feature besides its index. */
  partsPerFeature: number;
  /** Every Nth library module imports a CSS file of its own. */
  libCssEvery: number;
  seed: number;
}

/** A few modules: the figure for apps with a handful of pages. */
export const SMALL_APP: AppShape = {
  name: "small",
  entries: 3,
  libModules: 12,
  features: 3,
  partsPerFeature: 2,
  libCssEvery: 4,
  seed: 7,
};

/** The issue's large app: >= 400 modules, >= 40 CSS files, shared chunks, dynamic imports. */
export const LARGE_APP: AppShape = {
  name: "large",
  entries: 6,
  libModules: 220,
  features: 30,
  partsPerFeature: 6,
  libCssEvery: 5,
  seed: 42,
};

export interface GeneratedApp {
  shape: AppShape;
  /** Vite's root. */
  root: string;
  /** Build input: entry name -> absolute path. */
  input: Record<string, string>;
  /** Manifest keys of the entries, in order (`src/entries/e1.js`, ...). */
  entryKeys: string[];
  /** JS source modules written. */
  jsModules: number;
  /** CSS source files written. */
  cssFiles: number;
  /** `import()` expressions written. */
  dynamicImports: number;
}

/** mulberry32: tiny, seeded, and the same on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 3) => String(n).padStart(width, "0");

/** `count` distinct integers from [lo, hi], sorted. */
function pick(random: () => number, count: number, lo: number, hi: number): number[] {
  const chosen = new Set<number>();
  const span = hi - lo + 1;
  while (chosen.size < Math.min(count, span)) chosen.add(lo + Math.floor(random() * span));
  return [...chosen].sort((a, b) => a - b);
}

/** An array literal the way Biome prints it: on one line when it fits in 100 columns. */
function arrayLine(prefix: string, items: readonly string[], suffix: string): string {
  const flat = `${prefix}[${items.join(", ")}]${suffix}`;
  if (flat.length <= 100) return flat;
  const indent = " ".repeat(prefix.length - prefix.trimStart().length + 2);
  return `${prefix}[\n${items.map((i) => `${indent}${i},\n`).join("")}${indent.slice(2)}]${suffix}`;
}

function css(selector: string, random: () => number): string {
  const hex = () =>
    Math.floor(random() * 0xffffff)
      .toString(16)
      .padStart(6, "0");
  return `${selector} {\n  color: #${hex()};\n  margin: ${Math.floor(random() * 16)}px;\n}\n\n${selector}:hover {\n  background: #${hex()};\n}\n`;
}

/**
 * Writes the app's sources under `root/src` (replacing what was there) and returns what the
 * build needs. Code is formatted as Biome formats it, so `biome check` of a tree that holds a
 * generated app stays quiet.
 */
export function generateApp(root: string, shape: AppShape): GeneratedApp {
  const random = prng(shape.seed);
  const files = new Map<string, string>();
  let dynamicImports = 0;

  const lib = (n: number) => `l${pad(n)}`;
  for (let n = 0; n < shape.libModules; n++) {
    const deps = n < 3 ? [] : pick(random, random() < 0.6 ? 2 : 1, Math.max(0, n - 30), n - 1);
    const lines: string[] = [];
    if (n % shape.libCssEvery === 0) {
      const name = `lib-${pad(n)}.css`;
      files.set(`src/styles/${name}`, css(`.${lib(n)}`, random));
      lines.push(`import "../styles/${name}";`);
    }
    for (const d of deps) lines.push(`import ${lib(d)} from "./${lib(d)}.js";`);
    const body =
      deps.length === 0
        ? `  return "${lib(n)}";`
        : `  return \`${lib(n)}(${deps.map((d) => `\${${lib(d)}()}`).join(",")})\`;`;
    files.set(
      `src/lib/${lib(n)}.js`,
      `${lines.join("\n")}${lines.length ? "\n\n" : ""}export default function ${lib(n)}() {\n${body}\n}\n`,
    );
  }

  const feature = (f: number) => `f${pad(f, 2)}`;
  for (let f = 0; f < shape.features; f++) {
    const parts: string[] = [];
    for (let p = 1; p <= shape.partsPerFeature; p++) {
      // Features lean on the upper half of the library, entries on all of it: the overlap is
      // what makes Rolldown emit shared chunks.
      const deps = pick(random, 2, Math.floor(shape.libModules / 2), shape.libModules - 1);
      const name = `${feature(f)}p${p}`;
      parts.push(name);
      files.set(
        `src/features/${feature(f)}/part-${p}.js`,
        `${deps.map((d) => `import ${lib(d)} from "../../lib/${lib(d)}.js";`).join("\n")}\n\nexport default function ${name}() {\n  return \`${name}(${deps.map((d) => `\${${lib(d)}()}`).join(",")})\`;\n}\n`,
      );
    }
    files.set(`src/features/${feature(f)}/style.css`, css(`.${feature(f)}`, random));
    const imports = [
      `import "./style.css";`,
      ...parts.map((name, i) => `import ${name} from "./part-${i + 1}.js";`),
    ];
    // Every third feature lazily loads the next one: a dynamic import inside a dynamic chunk.
    const nested = f % 3 === 0 && f + 1 < shape.features;
    if (nested) dynamicImports++;
    const next = nested
      ? `\n\nexport const next = () => import("../${feature(f + 1)}/index.js");`
      : "";
    files.set(
      `src/features/${feature(f)}/index.js`,
      `${imports.join("\n")}\n\nexport default function ${feature(f)}() {\n${arrayLine(
        "  return ",
        parts.map((p) => `${p}()`),
        '.join(";");',
      )}\n}${next}\n`,
    );
  }

  const input: Record<string, string> = {};
  const entryKeys: string[] = [];
  for (let e = 1; e <= shape.entries; e++) {
    const deps = pick(random, 12, 0, shape.libModules - 1);
    const lazy = [...Array(shape.features).keys()].filter(
      (f) => f % shape.entries === e - 1 || random() < 0.15,
    );
    dynamicImports += lazy.length;
    files.set(`src/entries/e${e}.css`, css(`.e${e}`, random));
    const features = lazy
      .map((f) => `  ${feature(f)}: () => import("../features/${feature(f)}/index.js"),`)
      .join("\n");
    // Vite builds apps with preserveEntrySignatures: false, so an entry's exports would be
    // dropped (and its imports with them): entries publish on globalThis instead.
    files.set(
      `src/entries/e${e}.js`,
      `import "./e${e}.css";\n${deps.map((d) => `import ${lib(d)} from "../lib/${lib(d)}.js";`).join("\n")}\n\nconst features = {\n${features}\n};\n\nglobalThis.benchEntry${e} = {\n${arrayLine(
        "  text: ",
        deps.map((d) => `${lib(d)}()`),
        '.join("|"),',
      )}\n  features,\n};\n`,
    );
    const key = `src/entries/e${e}.js`;
    entryKeys.push(key);
    input[`e${e}`] = join(root, key);
  }

  rmSync(join(root, "src"), { recursive: true, force: true });
  for (const [name, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  const names = [...files.keys()];
  return {
    shape,
    root,
    input,
    entryKeys,
    jsModules: names.filter((n) => n.endsWith(".js")).length,
    cssFiles: names.filter((n) => n.endsWith(".css")).length,
    dynamicImports,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [dir, size = "large"] = process.argv.slice(2);
  if (!dir || (size !== "small" && size !== "large")) {
    console.error("usage: tsx bench/generate-app.ts <dir> [small|large]");
    process.exit(2);
  }
  const app = generateApp(resolve(dir), size === "small" ? SMALL_APP : LARGE_APP);
  console.log(
    `${app.root}: ${app.jsModules} JS modules, ${app.cssFiles} CSS files, ${app.dynamicImports} dynamic imports, entries ${app.entryKeys.join(", ")}`,
  );
}
