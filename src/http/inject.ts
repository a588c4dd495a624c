/**
 * Putting the version tags into an HTML page the application rendered without them, so the
 * stale-client script runs on every page the library serves.
 */

const HEAD_CLOSE = /<\/head\s*>/i;
const VERSION_META = /<meta\b[^>]*\bname\s*=\s*["']?app-version["'\s/>]/i;
const HTML_TYPE = /^\s*text\/html\b/i;

/**
 * Inserts the version tags before the first `</head>` (any case), unless the page already
 * carries `<meta name="app-version">` (the template placed the tags itself). A page without a
 * head (a fragment) is returned unchanged. `tags` renders them, called only when the page
 * needs them: most pages either have no head or carry the meta.
 *
 * @example
 * injectVersionTags("<html><head></head></html>", () => '<meta name="app-version" content="1">')
 * // '<html><head><meta name="app-version" content="1"></head></html>'
 */
export function injectVersionTags(
  html: string,
  tags: (nonce: string | undefined) => string,
  nonce?: string,
): string {
  const close = HEAD_CLOSE.exec(html);
  if (!close || VERSION_META.test(html.slice(0, close.index))) return html;
  return html.slice(0, close.index) + tags(nonce) + html.slice(close.index);
}

/**
 * True when a body of this type and encoding is a whole HTML page the tags can go into: never a
 * compressed body, whose bytes are not the page's text.
 */
export function isInjectable(contentType: unknown, contentEncoding: unknown): boolean {
  return (
    typeof contentType === "string" &&
    HTML_TYPE.test(contentType) &&
    (contentEncoding === undefined ||
      contentEncoding === null ||
      contentEncoding === "" ||
      contentEncoding === "identity")
  );
}
