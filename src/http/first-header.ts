/** Request headers as Node parses them: names lower-case, a few repeated ones as arrays. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The first value of a header, trimmed; undefined when absent or blank, so an empty header
 * counts as none wherever a decision reads one.
 *
 * @example firstHeader({ "hx-request": ["true", "x"] }, "hx-request") // "true"
 */
export function firstHeader(headers: HeaderRecord, name: string): string | undefined {
  const value = headers[name];
  const first = typeof value === "string" ? value : value?.[0];
  // Node strips surrounding whitespace already; trim() then returns the same string.
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}
