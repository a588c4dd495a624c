import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TMP = join(ROOT, ".tmp");

/** A fresh directory under the repo's .tmp/ (inside the repo so Vite resolves node_modules). */
export function tempDir(label: string): { path: string; cleanup: () => void } {
  mkdirSync(TMP, { recursive: true });
  const path = mkdtempSync(join(TMP, `${label}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A key prefix unique to one test, so tests on the shared Redis never touch each other's keys. */
export function uniquePrefix(label: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `vrtest:${label}:${process.pid}:${Date.now().toString(36)}:${random}`;
}
