/**
 * HTML escaping written out for tests, one character at a time (not src/html/escape.ts's
 * table): the five HTML specials and NUL, as a reference the library's output is checked against.
 */
export function referenceEscape(value: string): string {
  let out = "";
  for (const c of value) {
    if (c === "&") out += "&amp;";
    else if (c === "<") out += "&lt;";
    else if (c === ">") out += "&gt;";
    else if (c === '"') out += "&quot;";
    else if (c === "'") out += "&#39;";
    else if (c === "\u0000") out += "&#xFFFD;";
    else out += c;
  }
  return out;
}
