import { describe, fail } from "../errors.js";

/** Longest release id the registry accepts (a git SHA is 40, a semver with a date rarely 60). */
export const MAX_RELEASE_LENGTH = 128;

/** The rule, in words, for messages and docs. */
export const RELEASE_ID_RULE = `letters, digits, ".", "_" and "-", starting with a letter or digit, at most ${MAX_RELEASE_LENGTH} characters`;

/**
 * The characters every place a release id goes accepts as is, and nothing else:
 * - registry keys and file names: no `:` or `/` (key separators; `a:meta` would alias a key of
 *   `a`), no glob (`* ? [ ] \`) or Redis Cluster hash-tag (`{ }`) syntax, no "." or "..";
 * - nginx config (`proxy-config nginx`): a map key holds no `;`, quote, brace, `$` or space,
 *   and a leading `~` would make it a regex;
 * - URLs, cookies and headers (`?dpl=`, `app_version=`): `+` reads as a space in a query string,
 *   `@`, `%` and `=` need escaping somewhere;
 * - the shell and the CLI: no whitespace or control characters, no leading `-` (a flag).
 */
const ALLOWED = /[^A-Za-z0-9._-]/u;
const FIRST = /^[A-Za-z0-9]/;

/** A character as a message shows it: visible ASCII as itself, anything else by its code point. */
function shown(char: string): string {
  return char >= "!" && char <= "~"
    ? `"${char}"`
    : `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Why `release` is not a valid release id, or null when it is. "" is valid: the seed's bare
 * prefix, a process without a release id.
 * @example releaseIdProblem("v1@abc") // 'contains "@"'
 */
export function releaseIdProblem(release: unknown): string | null {
  if (typeof release !== "string") return `must be a string, received ${describe(release)}`;
  if (release === "") return null;
  if (release.length > MAX_RELEASE_LENGTH)
    return `is ${release.length} characters long; the most is ${MAX_RELEASE_LENGTH}`;
  const bad = ALLOWED.exec(release);
  if (bad) return `contains ${shown(bad[0])}`;
  if (!FIRST.test(release)) return `starts with ${shown(release[0]!)}`;
  return null;
}

/**
 * Throws a `[registry]` error naming the id, the rule and the fix when `release` is not a usable
 * id. `source` says where the id came from (`release id (RELEASE_VERSION)`).
 * @example assertReleaseId(process.env.RELEASE_VERSION ?? "");
 */
export function assertReleaseId(
  release: unknown,
  source = "release id",
): asserts release is string {
  const problem = releaseIdProblem(release);
  if (problem) {
    fail(
      "registry",
      `${source} ${describe(release)} ${problem}. Release ids are ${RELEASE_ID_RULE} (e.g. a git SHA or "2024.06.01-3").`,
      { code: "ERR_RELEASE_ID" },
    );
  }
}
