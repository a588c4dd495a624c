import { escapeHtml, jsonForScript } from "../html/escape.js";
import type { MismatchAction } from "../options.js";
import { STALE_CLIENT_SCRIPT } from "./stale-client.generated.js";
import type { StaleClientConfig } from "./stale-client.js";

/** Input of `renderVersionTags`. */
export interface VersionTagsInput {
  /** The app version of the release rendering the page (what `X-App-Version` carries). */
  version: string;
  /** What a stale tab does; "ignore" renders the meta tag only. */
  mismatch: MismatchAction;
  /** CSP nonce for the inline script. */
  nonce?: string;
  /** Response header carrying the server's version. @default "X-App-Version" */
  header?: string;
}

/**
 * The page's version for <head>: `<meta name="app-version">` and, unless `mismatch` is
 * "ignore", the inline stale-client script with its config.
 *
 * The config is declared in a block around the script (`{const __viteRollingConfig=...;}`)
 * so one `<script>` element carries both, under one nonce, without a global variable.
 *
 * @example
 * renderVersionTags({ version: "3f2a9c", mismatch: "reload", nonce })
 * // <meta name="app-version" content="3f2a9c">
 * // <script nonce="...">{const __viteRollingConfig={"version":"3f2a9c","mismatch":"reload"};(function(){...})();}</script>
 */
export function renderVersionTags(input: VersionTagsInput): string {
  const meta = `<meta name="app-version" content="${escapeHtml(input.version)}">`;
  if (input.mismatch === "ignore") return meta;
  const config: StaleClientConfig = { version: input.version, mismatch: input.mismatch };
  if (input.header && input.header.toLowerCase() !== "x-app-version") config.header = input.header;
  const nonce = input.nonce ? ` nonce="${escapeHtml(input.nonce)}"` : "";
  return `${meta}\n<script${nonce}>{const __viteRollingConfig=${inlineJson(config)};${STALE_CLIENT_SCRIPT}}</script>`;
}

/**
 * JSON for inline script text: `jsonForScript` escapes `<`; U+2028/U+2029 go too, since they
 * end a line in JavaScript engines older than ES2019 (the "JSON superset" proposal).
 */
function inlineJson(value: unknown): string {
  return jsonForScript(value).replace(/[\u2028\u2029]/g, (c) =>
    c === "\u2028" ? "\\u2028" : "\\u2029",
  );
}
