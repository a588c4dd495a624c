import { describe, fail } from "../errors.js";

/** Longest release id the registry accepts (a git SHA is 40, a semver with build metadata rarely 60). */
export const MAX_RELEASE_LENGTH = 128;

/**
 * Characters a release id may not hold, and why:
 * - `* ? [ ] \`: glob syntax; a release named `*` would match every key in a naive cleanup.
 * - `{ }`: Redis Cluster hash-tag syntax; it would move the key out of the registry's slot.
 * - `:` and `/`: the separators of registry keys and paths; `a:meta` would alias a key of `a`.
 * - whitespace and control characters: invisible in logs and shells, and break the CLI.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const FORBIDDEN = /[*?[\]\\{}:/\s\u0000-\u001f\u007f]/u;

/** Why `release` is not a valid release id, or null when it is. "" is valid (the seed's bare prefix). */
export function releaseIdProblem(release: unknown): string | null {
  if (typeof release !== "string") return `must be a string, received ${describe(release)}`;
  if (release === "") return null;
  if (release.length > MAX_RELEASE_LENGTH)
    return `is ${release.length} characters long; the most is ${MAX_RELEASE_LENGTH}`;
  // Names a directory of the file registry; "." and ".." would escape or alias it.
  if (release === "." || release === "..") return `may not be "." or ".."`;
  const bad = FORBIDDEN.exec(release);
  if (bad) {
    const char = bad[0];
    // Show visible ASCII as itself, anything else (a tab, a no-break space) by its code point.
    const shown =
      char >= "!" && char <= "~"
        ? `"${char}"`
        : `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    return `contains ${shown}; release ids may not hold whitespace, control characters, glob characters (* ? [ ] \\), braces or the separators ":" and "/"`;
  }
  return null;
}

/**
 * Throws a `[registry]` error naming the id and the fix when `release` is not a usable id.
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
      `${source} ${describe(release)} ${problem}. Use letters, digits and . _ - + @ (e.g. a git SHA or "2024.06.01-3").`,
      { code: "ERR_VITE_ROLLING_RELEASE_ID" },
    );
  }
}
