import { describe, fail } from "../errors.js";

/**
 * The canonical form of a static path a template names: "/" separators, no leading slash,
 * no "." or empty segments. Rejects "..", backslashes and NUL so a template (or a value
 * that reached one) can never address a file outside the static root.
 *
 * @example normalizeStaticPath("/css//styles.css") // "css/styles.css"
 */
export function normalizeStaticPath(path: string): string {
  if (typeof path !== "string") {
    return fail("static", `a static path must be a string, received ${describe(path)}.`, {
      code: "ERR_STATIC_PATH",
    });
  }
  if (path.includes("\\") || path.includes("\0")) {
    fail(
      "static",
      `static path ${describe(path)} contains a backslash or NUL; use "/" separators.`,
      { code: "ERR_STATIC_PATH" },
    );
  }
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) {
    fail(
      "static",
      `static path ${describe(path)} contains "..": static paths are relative to the static root and cannot leave it.`,
      { code: "ERR_STATIC_PATH" },
    );
  }
  if (segments.length === 0)
    fail("static", `static path ${describe(path)} names no file.`, { code: "ERR_STATIC_PATH" });
  return segments.join("/");
}

/**
 * `base` + a normalized static path, each segment percent-encoded (a source file may be named
 * `my logo.png`), with exactly one "/" between them. Unlike html/tags.ts `joinUrl`, which joins
 * Vite's output names as Vite writes them into HTML (already URL-safe, never re-encoded).
 * @example appendEncodedPath("/static/", "img/my logo.png") // "/static/img/my%20logo.png"
 */
export function appendEncodedPath(base: string, path: string): string {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return base.endsWith("/") ? `${base}${encoded}` : `${base}/${encoded}`;
}
