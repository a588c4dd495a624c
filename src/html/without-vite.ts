import { escapeHtml } from "./escape.js";

/**
 * What `styles()` / `scripts()` write with `withoutVite` (an app's own tests): an HTML comment
 * naming the entries, so a test can check what a page asks for, and nothing a browser loads.
 * `--` cannot occur inside a comment, so each `-` of a name is written as `&#45;` (comments are
 * not decoded; the text only has to stay readable and harmless).
 *
 * @example withoutViteTag("scripts", ["src/main.ts"]) // "<!-- vite-rolling scripts: src/main.ts -->"
 */
export function withoutViteTag(method: string, entries: readonly string[]): string {
  const names = [...new Set(entries)].map((e) => escapeHtml(e).replaceAll("-", "&#45;"));
  return `<!-- vite-rolling ${method}: ${names.join(" ")} -->`;
}
