/**
 * The stale-client script as a file (option `staleClientScript: "external"`): one immutable
 * file per library version, named by its content, integrity-pinned on the page, served by the
 * middleware (src/http/endpoints/stale-client-file.ts).
 */
import { createHash } from "node:crypto";
import { STALE_CLIENT_SCRIPT } from "../client/stale-client.generated.js";

/** Where the middleware serves the library's own files. */
export const LIBRARY_FILES_PREFIX = "/__vite-rolling/";

export interface StaleClientFile {
  /** Absolute path, named by the script's content: `/__vite-rolling/stale-client.<hash>.js`. */
  readonly path: string;
  /** The SRI value of `<script integrity>`: `sha384-<base64>`. */
  readonly integrity: string;
  /** The script's text. */
  readonly body: string;
}

let file: StaleClientFile | null = null;

/** The file, built on first use (one sha384 of 3 KB per process). */
export function staleClientFile(): StaleClientFile {
  if (file) return file;
  const digest = createHash("sha384").update(STALE_CLIENT_SCRIPT).digest();
  // 12 hex digits name it; the integrity attribute pins all 384 bits.
  const name = `stale-client.${digest.toString("hex").slice(0, 12)}.js`;
  file = {
    path: `${LIBRARY_FILES_PREFIX}${name}`,
    integrity: `sha384-${digest.toString("base64")}`,
    body: STALE_CLIENT_SCRIPT,
  };
  return file;
}
