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
 * a test can set `base`, `build.rollupOptions.input`, plugins, and so on. `viteBuild` is
 * another major's `build()` (see `loadVite`); the config keys used here mean the same on 5-8.
 */
export async function buildApp(
  dir: string,
  files: Record<string, string>,
  config: InlineConfig = {},
  viteBuild: ViteBuild = build,
): Promise<BuiltApp> {
  writeFiles(dir, files);
  const defaults: InlineConfig = {
    root: dir,
    configFile: false,
    logLevel: "silent",
    build: { manifest: true, outDir: join(dir, "dist"), emptyOutDir: true },
  };
  const merged = mergeConfig(defaults, config) as InlineConfig;
  await viteBuild(merged);
  const root = merged.root ?? dir;
  const out = merged.build?.outDir ?? "dist";
  const outDir = isAbsolute(out) ? out : resolve(root, out);
  const manifest = merged.build?.manifest;
  const manifestName = typeof manifest === "string" ? manifest : ".vite/manifest.json";
  return { outDir, manifestPath: join(outDir, manifestName) };
}

/** A `build()` of any Vite major (their config types differ only where tests do not reach). */
export type ViteBuild = (config: InlineConfig) => Promise<unknown>;

/** The Vite majors the library supports, each installed (5-7 as npm aliases `vite5`...). */
export const VITE_MAJORS = [5, 6, 7, 8] as const;
export type ViteMajor = (typeof VITE_MAJORS)[number];

/** One major's `build()` and exact version: Vite 8 is `vite`, older ones `vite5`, `vite6`, `vite7`. */
export async function loadVite(major: ViteMajor): Promise<{ version: string; build: ViteBuild }> {
  const id = major === 8 ? "vite" : `vite${major}`;
  const vite: { version: string; build: ViteBuild } = await import(id);
  return { version: vite.version, build: vite.build };
}

/** One `<script type=module>`, `<link rel=modulepreload>` or `<link rel=stylesheet>`. */
export interface HtmlTag {
  kind: "script" | "modulepreload" | "stylesheet";
  attributes: Record<string, string>;
  url: string;
}

/** The module scripts, modulepreloads and stylesheets of an HTML text, in document order. */
export function parseTags(text: string): HtmlTag[] {
  const tags: HtmlTag[] = [];
  for (const match of text.matchAll(/<(script|link)\b([^>]*)>/g)) {
    const attributes: Record<string, string> = {};
    for (const a of match[2]!.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
      attributes[a[1]!] = a[2] ?? "";
    }
    if (match[1] === "script" && attributes.type === "module" && attributes.src) {
      tags.push({ kind: "script", attributes, url: attributes.src });
    } else if (attributes.rel === "modulepreload" || attributes.rel === "stylesheet") {
      tags.push({ kind: attributes.rel, attributes, url: attributes.href ?? "" });
    }
  }
  return tags;
}

/** The attributes of the tags of one kind, in order. */
export const ofKind = (tags: HtmlTag[], kind: HtmlTag["kind"]) =>
  tags.filter((t) => t.kind === kind).map((t) => t.attributes);

/**
 * Tags grouped by kind, each kind in document order, without the attributes in `omit` (Vite
 * writes no `integrity`; the library adds it from the sidecar). Two pages load the same
 * assets the same way exactly when these are equal: Vite's order across kinds differs from
 * the library's documented one, which the oracle test checks on its own.
 */
export function tagsByKind(
  text: string,
  omit: readonly string[] = [],
): Record<HtmlTag["kind"], Record<string, string>[]> {
  const tags = parseTags(text).map((t) => ({
    ...t,
    attributes: Object.fromEntries(
      Object.entries(t.attributes).filter(([name]) => !omit.includes(name)),
    ),
  }));
  return {
    stylesheet: ofKind(tags, "stylesheet"),
    modulepreload: ofKind(tags, "modulepreload"),
    script: ofKind(tags, "script"),
  };
}
