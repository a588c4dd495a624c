import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { posix, resolve } from "node:path";
import { DEV_HTML_ENTRY_PATH, DEV_STYLES_PATH } from "../html/dev.js";

/** The parts of a dev server (Vite 5's, or a Vite 6+ environment's) the endpoints use. */
export interface DevGraph {
  transformRequest(url: string): Promise<{ code: string } | null>;
  getModuleByUrl(url: string): Promise<DevModule | undefined>;
}

interface DevModule {
  importedModules: Set<{ url: string }>;
}

// Vite's CSS_LANGS_RE, and the queries that make a CSS import something other than a sheet.
const CSS_URL = /\.(?:css|less|sass|scss|styl|stylus|pcss|postcss|sss)(?:$|\?)/;
const NOT_A_SHEET = /[?&](?:inline|raw|url|worker|sharedworker)\b/;
/** Pre-bundled dependencies and Vite's own modules import no app CSS worth a walk. */
const SKIP = /^\/@vite\/|\/node_modules\/\.vite\//;

/**
 * The CSS URLs an entry's static module graph imports, depth-first in import order (the order
 * Vite's built HTML links them): each module is transformed so its imports are known, as the
 * browser's requests would. CSS is not descended into (Vite inlines its `@import`s).
 */
export async function cssOfGraph(
  graph: DevGraph,
  moduleUrls: readonly string[],
  base = "/",
): Promise<string[]> {
  const css: string[] = [];
  const seen = new Set<string>();
  const visit = async (url: string): Promise<void> => {
    if (seen.has(url)) return;
    seen.add(url);
    if (CSS_URL.test(url)) {
      if (!NOT_A_SHEET.test(url)) css.push(url);
      return;
    }
    if (SKIP.test(url)) return;
    let code: string;
    try {
      code = (await graph.transformRequest(url))?.code ?? "";
    } catch {
      // A module that does not compile: the page shows Vite's error overlay for it anyway.
      return;
    }
    const mod = await graph.getModuleByUrl(url);
    if (!mod) return;
    // The graph lists `import()` too (Vite's `staticImportedUrls` does on Vite 8): keep the
    // imports the code makes at once, so a lazy route's CSS stays lazy, as in a build.
    const eager = staticImports(code, base);
    for (const child of mod.importedModules) {
      if (eager.has(withoutTimestamp(child.url))) await visit(child.url);
    }
  };
  for (const url of moduleUrls) await visit(url);
  return css;
}

const withoutTimestamp = (url: string) => url.replace(/([?&])t=\d+&?/, "$1").replace(/[?&]$/, "");

// `import x from "u"`, `import "u"`, `export * from "u"`, `export { a } from "u"`; never `import("u")`.
const STATIC_IMPORT =
  /\b(?:import\s*(?:[\w$*{}\s,]+?\s*from\s*)?|export\s*(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*)["']([^"']+)["']/g;

/**
 * The module URLs a transformed module imports statically: Vite has written them as URLs
 * under its base ("/static/src/dep.ts"), the graph knows them without ("/src/dep.ts").
 */
export function staticImports(code: string, base = "/"): Set<string> {
  const prefix = base.replace(/\/+$/, "");
  return new Set(
    [...code.matchAll(STATIC_IMPORT)].map((m) => {
      const url = withoutTimestamp(m[1]!);
      return prefix && url.startsWith(`${prefix}/`) ? url.slice(prefix.length) : url;
    }),
  );
}

/** A module URL with Vite's `direct` query first (after it, `lang.css` would no longer end it). */
export function directUrl(base: string, url: string): string {
  const at = url.indexOf("?");
  const withQuery = at < 0 ? `${url}?direct` : `${url.slice(0, at)}?direct&${url.slice(at + 1)}`;
  return base.replace(/\/+$/, "") + withQuery;
}

/** The module scripts and stylesheets an HTML entry names, as root-relative URLs. */
export function htmlEntryParts(html: string, entry: string): { modules: string[]; css: string[] } {
  const dir = posix.dirname(`/${entry}`);
  const at = (src: string) => (src.startsWith("/") ? src : posix.join(dir, src));
  const modules: string[] = [];
  const css: string[] = [];
  for (const tag of html.replace(/<!--[\s\S]*?-->/g, "").matchAll(/<(script|link)\b([^>]*)>/gi)) {
    const attrs = attributesOf(tag[2]!);
    if (tag[1]!.toLowerCase() === "script" && attrs.type === "module" && attrs.src) {
      modules.push(at(attrs.src));
    } else if (attrs.rel === "stylesheet" && attrs.href && !/^[a-z]+:|^\/\//i.test(attrs.href)) {
      css.push(at(attrs.href));
    }
  }
  return { modules, css };
}

function attributesOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([^\s=/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? "";
  }
  return out;
}

/** A string safe inside a CSS `url("...")` or a JS string literal. */
const quoted = (url: string) => JSON.stringify(url).replace(/</g, "\\u003c");

/**
 * The plugin's dev-server endpoints, under Vite's base:
 * - `@vite-rolling/styles.css?entry=...`: `@import`s of the CSS each entry's module graph
 *   imports, so `styles()` makes the first paint styled before any module runs;
 * - `@vite-rolling/entry.js?entry=index.html`: imports of the module scripts an HTML entry
 *   names, so `scripts("index.html")` works in dev as in a build.
 */
export function devEndpoints(
  root: () => string,
  base: () => string,
  graph: () => DevGraph,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return function viteRollingEndpoints(req, res, next) {
    const url = new URL(req.url ?? "/", "http://localhost");
    const prefix = base();
    const path = url.pathname.startsWith(prefix)
      ? url.pathname.slice(prefix.length)
      : url.pathname.slice(1);
    if (path !== DEV_STYLES_PATH && path !== DEV_HTML_ENTRY_PATH) return next();
    // Entries are paths inside Vite's root, as in a manifest: nothing absolute, nothing above it.
    const entries = url.searchParams
      .getAll("entry")
      .filter((e) => /^[^/\\]/.test(e) && !e.includes("\\") && !e.split("/").includes(".."));
    answer(path, entries, root(), prefix, graph()).then(
      ([type, body]) => {
        res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`[vite-rolling] ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  };
}

async function answer(
  path: string,
  entries: readonly string[],
  root: string,
  base: string,
  graph: DevGraph,
): Promise<[string, string]> {
  const modules: string[] = [];
  const sheets: string[] = [];
  for (const entry of entries) {
    if (!/\.html?$/.test(entry)) {
      modules.push(`/${entry}`);
      continue;
    }
    const parts = htmlEntryParts(await readFile(resolve(root, entry), "utf8"), entry);
    modules.push(...parts.modules);
    sheets.push(...parts.css);
  }
  if (path === DEV_HTML_ENTRY_PATH) {
    const imports = modules.map((m) => `import ${quoted(base.replace(/\/+$/, "") + m)};`);
    return ["text/javascript; charset=utf-8", `${imports.join("\n")}\n`];
  }
  const css = [...new Set([...sheets, ...(await cssOfGraph(graph, modules, base))])];
  const imports = css.map((u) => `@import url(${quoted(directUrl(base, u))});`);
  return ["text/css; charset=utf-8", `${imports.join("\n")}\n`];
}
