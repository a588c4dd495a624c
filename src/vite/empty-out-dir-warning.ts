import { isAbsolute, relative, sep } from "node:path";

export interface EmptyOutDirFacts {
  /** Project root (absolute). */
  root: string;
  /** Resolved outDir (absolute). */
  outDir: string;
  /** `build.emptyOutDir` as configured (`null`/`undefined`: Vite's default). */
  emptyOutDir: boolean | null | undefined;
  /** Names in outDir before the build; `null` when outDir does not exist. */
  entries: readonly string[] | null;
}

/**
 * The warning to log when Vite is about to delete the previous build's files, else null.
 * Vite empties outDir when `emptyOutDir` is true, or unset and outDir is inside the root
 * (its `resolveEmptyOutDir`); it always keeps `.git`.
 */
export function emptyOutDirWarning(facts: EmptyOutDirFacts): string | null {
  const { root, outDir, emptyOutDir, entries } = facts;
  if (emptyOutDir === false) return null;
  if (emptyOutDir == null && !isInside(outDir, root)) return null;
  if (!entries?.some((name) => name !== ".git")) return null;
  return [
    `[vite-rolling] build.emptyOutDir will delete the previous build's files in ${outDir}.`,
    "In a rolling deploy, browser tabs still running the previous release then get 404s for its chunks and styles.",
    'Fix: set `build: { emptyOutDir: false }` in your Vite config to keep old assets, and run "npx vite-rolling prune-assets" after deploys to delete the ones no live release uses.',
  ].join(" ");
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && rel.split(sep)[0] !== ".." && !isAbsolute(rel);
}
