/**
 * What a page for some entries must reference, computed from the manifest on its own (not
 * with the library's walker), so the figures can check every contender's output before
 * timing it.
 */
export interface ManifestEntry {
  file: string;
  css?: string[];
  imports?: string[];
  dynamicImports?: string[];
}

export type ManifestData = Record<string, ManifestEntry>;

export interface ExpectedPage {
  /** URLs of every stylesheet: the entries' own and those of every statically imported chunk. */
  styles: string[];
  /** URLs of every statically imported chunk (each a modulepreload). */
  preloads: string[];
  /** URLs of the entries' module scripts. */
  scripts: string[];
  /** URLs of chunks only reachable through `import()`: a page must not load them. */
  lazy: string[];
}

export function expectedPage(
  manifest: ManifestData,
  entries: readonly string[],
  base: string,
): ExpectedPage {
  const staticKeys = new Set<string>();
  const styles = new Set<string>();
  const stack = [...entries];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (staticKeys.has(key)) continue;
    staticKeys.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`manifest has no chunk "${key}"`);
    for (const file of chunk.css ?? []) styles.add(file);
    stack.push(...(chunk.imports ?? []));
  }
  const lazy = new Set<string>();
  const dynamicStack = [...staticKeys].flatMap((k) => manifest[k]!.dynamicImports ?? []);
  const seen = new Set<string>();
  while (dynamicStack.length > 0) {
    const key = dynamicStack.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const chunk = manifest[key]!;
    if (!staticKeys.has(key)) lazy.add(chunk.file);
    dynamicStack.push(...(chunk.imports ?? []), ...(chunk.dynamicImports ?? []));
  }
  const url = (file: string) => base + file;
  const entrySet = new Set(entries);
  return {
    styles: [...styles].map(url),
    preloads: [...staticKeys].filter((k) => !entrySet.has(k)).map((k) => url(manifest[k]!.file)),
    scripts: entries.map((k) => url(manifest[k]!.file)),
    lazy: [...lazy].map(url),
  };
}

/** Counts of what an HTML fragment gets wrong against `expected`; all zero means correct. */
export interface PageCheck {
  missing: string[];
  lazyLoaded: string[];
  duplicated: string[];
}

type TagKind = "stylesheet" | "modulepreload" | "script" | "other";

/** Every `<link>` and `<script src>` of a fragment, as kind and URL. */
function tagsOf(html: string): { kind: TagKind; url: string }[] {
  const out: { kind: TagKind; url: string }[] = [];
  for (const [tag] of html.matchAll(/<(?:link|script)\b[^>]*>/g)) {
    const url = /\b(?:href|src)="([^"]*)"/.exec(tag)?.[1];
    if (!url) continue;
    const kind: TagKind = tag.startsWith("<script")
      ? /\btype="module"/.test(tag)
        ? "script"
        : "other"
      : /\brel="stylesheet"/.test(tag)
        ? "stylesheet"
        : /\brel="modulepreload"/.test(tag)
          ? "modulepreload"
          : "other";
    out.push({ kind, url });
  }
  return out;
}

/**
 * Checks a fragment: a stylesheet link for every expected stylesheet, a modulepreload for
 * every statically imported chunk, a module script per entry, nothing that loads a lazy
 * chunk, and no tag of one kind twice for one URL. (A `preload` next to a stylesheet, as
 * @adonisjs/vite writes, is a different kind and not a repeat.)
 */
export function checkPage(html: string, expected: ExpectedPage): PageCheck {
  const tags = tagsOf(html);
  const has = (kind: TagKind) => new Set(tags.filter((t) => t.kind === kind).map((t) => t.url));
  const styles = has("stylesheet");
  const preloads = has("modulepreload");
  const scripts = has("script");
  const missing = [
    ...expected.styles.filter((u) => !styles.has(u)),
    ...expected.preloads.filter((u) => !preloads.has(u)),
    ...expected.scripts.filter((u) => !scripts.has(u)),
  ];
  const lazy = new Set(expected.lazy);
  const lazyLoaded = [...new Set(tags.filter((t) => lazy.has(t.url)).map((t) => t.url))];
  const seen = new Set<string>();
  const duplicated: string[] = [];
  for (const t of tags) {
    const key = `${t.kind} ${t.url}`;
    if (seen.has(key)) duplicated.push(t.url);
    seen.add(key);
  }
  return { missing, lazyLoaded, duplicated };
}

export function isCorrect(check: PageCheck): boolean {
  return check.missing.length + check.lazyLoaded.length + check.duplicated.length === 0;
}

export function describeCheck(check: PageCheck, expected: ExpectedPage): string {
  const total = expected.styles.length + expected.preloads.length + expected.scripts.length;
  const parts = [];
  if (check.missing.length) parts.push(`misses ${check.missing.length} of ${total} expected files`);
  if (check.lazyLoaded.length) parts.push(`loads ${check.lazyLoaded.length} lazy chunks eagerly`);
  if (check.duplicated.length) parts.push(`repeats ${check.duplicated.length} tags`);
  return parts.length ? parts.join(", ") : `all ${total} expected files, each once`;
}
