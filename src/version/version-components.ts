import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, fail } from "../errors.js";
import { hashOfPairs, sha256Hex } from "./hash.js";

/**
 * Files outside the Vite build whose bytes belong to the app version (templates, config).
 * Registration is cheap and synchronous; hashing reads the files and runs at `ready()` and
 * `reload()`, never per request.
 *
 * @example
 * const components = new VersionComponents();
 * components.register("templates", ["views/base.njk", "views/nav.njk"]);
 * const hashes = await components.hashes(); // { templates: "9c1e..." }
 */
export class VersionComponents {
  readonly #root: string;
  readonly #components = new Map<string, readonly string[]>();

  /** @param root Directory relative file paths resolve against. @default process.cwd() */
  constructor(root: string = process.cwd()) {
    this.#root = root;
  }

  /** Adds (or replaces) a component: a name and the files whose bytes make it up. */
  register(name: string, files: readonly string[]): void {
    if (typeof name !== "string" || name === "") {
      fail(
        "version",
        `registerVersionComponent expects a non-empty name, received ${describe(name)}.`,
        { code: "ERR_VERSION_COMPONENT" },
      );
    }
    if (
      !Array.isArray(files) ||
      files.length === 0 ||
      files.some((f) => typeof f !== "string" || f === "")
    ) {
      fail(
        "version",
        `registerVersionComponent("${name}", files) expects a non-empty array of file paths, received ${describe(files)}.`,
        { code: "ERR_VERSION_COMPONENT" },
      );
    }
    this.#components.set(name, [...files]);
  }

  /** Registered component names, sorted. */
  names(): string[] {
    return [...this.#components.keys()].sort();
  }

  /**
   * sha256 (hex) of each component: over its sorted (path as registered, sha256 of bytes)
   * pairs, so listing order does not matter. A missing file is an error naming the component.
   */
  async hashes(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of this.names()) {
      const files = this.#components.get(name)!;
      const pairs = await Promise.all(
        files.map(async (file): Promise<[string, string]> => {
          const path = resolve(this.#root, file);
          try {
            return [file, sha256Hex(await readFile(path))];
          } catch (error) {
            return fail(
              "version",
              `version component "${name}": cannot read ${file} (${path}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Fix the path passed to registerVersionComponent.`,
              { cause: error, code: "ERR_VERSION_COMPONENT" },
            );
          }
        }),
      );
      out[name] = hashOfPairs(pairs);
    }
    return out;
  }
}
