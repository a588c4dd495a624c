const HTML_ESCAPES: Record<string, string> = {
  // The HTML parser turns NUL into U+FFFD anyway; doing it here also keeps NUL out of
  // rendered tags, where tags.ts uses it to mark the nonce position.
  "\u0000": "&#xFFFD;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes a value for HTML text or a double-quoted attribute value. All five characters go,
 * so the result is safe in text, in `"..."` and in `'...'` (the Nunjucks/Jinja escaping set).
 * The result never contains NUL.
 */
export function escapeHtml(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is replaced on purpose (above).
  return value.replace(/[&<>"'\u0000]/g, (c) => HTML_ESCAPES[c]!);
}

/** The last nonce `nonceAttribute` escaped, and its attribute. */
let lastNonce = "";
let lastAttribute = "";

// Any character `escapeHtml` replaces (none of them is special in a class). Not global:
// `test` then keeps no `lastIndex`.
const NEEDS_ESCAPE = new RegExp(`[${Object.keys(HTML_ESCAPES).join("")}]`);

/**
 * ` nonce="..."`, escaped. A request's one nonce goes on its styles, scripts, import map,
 * prefetch and version tags: the escape runs once a request, not once a call. A one-entry
 * memo of a pure function, so no request can see another's nonce unless it is the same.
 *
 * The attribute is a flat (sequential) string: `CompiledTags` joins it between the pieces of a
 * page, and V8 copies a rope separator (what a template literal this long makes) leaf by leaf
 * at every position: a fifth of a large page's nonce render (bench figure 1). A join builds it
 * flat. A nonce with nothing to escape (base64, hex: the usual ones) skips the escape's
 * replace-with-callback, which costs more than the test.
 */
export function nonceAttribute(nonce: string): string {
  if (nonce !== lastNonce) {
    lastAttribute = [' nonce="', NEEDS_ESCAPE.test(nonce) ? escapeHtml(nonce) : nonce, '"'].join(
      "",
    );
    lastNonce = nonce;
  }
  return lastAttribute;
}

/**
 * Serializes a value as a JavaScript literal safe inside an inline `<script>`: `<` becomes
 * `\u003c`, so no `</script>` or `<!--` can end or corrupt the script element (HTML spec,
 * "restrictions for contents of script elements").
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

// HTML attribute names: no whitespace, quotes, `>`, `/`, `=`, controls (HTML spec, "attribute
// name state"); `<` is a parse error there too. Anything else would let a name end the tag.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
const ATTRIBUTE_NAME = /^[^\s"'<>/=\u0000-\u001f\u007f-\u009f]+$/;

/** Whether `name` can be written as an attribute name without escaping (names cannot be escaped). */
export function isValidAttributeName(name: string): boolean {
  return ATTRIBUTE_NAME.test(name);
}
