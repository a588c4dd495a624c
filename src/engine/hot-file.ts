import { readFileSync, statSync } from "node:fs";
import { describe } from "../errors.js";
import { errnoCode } from "../util/errno.js";

/**
 * What the `vite-rolling/vite` plugin writes while Vite's dev server runs (Laravel's
 * `public/hot` is the model): where that server listens, as bound, so the tags reach it with
 * no port matching. Removed when the server closes.
 */
export interface HotFile {
  /** Format version of this file. */
  version: 1;
  protocol: "http" | "https";
  /** Host the server answers on; null when it listens on every address (the request's host then). */
  host: string | null;
  port: number;
  /** Vite's `base` ("/static/"). */
  base: string;
}

/**
 * A hot file's contents, or a reason it is not one (a half-written or foreign file must not
 * point pages at nowhere).
 */
export function parseHotFile(text: string): HotFile | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return `not JSON (${describe(text)})`;
  }
  const record = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  const { version, protocol, host, port, base } = record;
  if (version !== 1) return `"version" must be 1, received ${describe(version)}`;
  if (protocol !== "http" && protocol !== "https")
    return `"protocol" must be "http" or "https", received ${describe(protocol)}`;
  if (host !== null && (typeof host !== "string" || host === ""))
    return `"host" must be a host name or null, received ${describe(host)}`;
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)
    return `"port" must be a port number, received ${describe(port)}`;
  if (typeof base !== "string") return `"base" must be a string, received ${describe(base)}`;
  return { version: 1, protocol, host, port: port as number, base };
}

/** How often, at most, a render looks at the hot file again. */
const RECHECK_MS = 1000;

/**
 * The hot file as of at most a second ago. Renders are synchronous and many: each asks
 * `current()`, which costs a clock read, and a `stat` once a second at most; the file is read
 * only when its stat changed (a dev server restarted on another port, or stopped).
 */
export class HotFileWatch {
  readonly #path: string;
  readonly #onInvalid: (reason: string) => void;
  #hot: HotFile | null = null;
  #stamp = "";
  #checkedAt = Number.NEGATIVE_INFINITY;

  constructor(path: string, onInvalid: (reason: string) => void) {
    this.#path = path;
    this.#onInvalid = onInvalid;
  }

  get path(): string {
    return this.#path;
  }

  /** Looks now, whatever the last look's age (at `ready()`). */
  refresh(): HotFile | null {
    this.#checkedAt = Date.now();
    let stamp: string;
    try {
      const stat = statSync(this.#path);
      stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch (error) {
      if (errnoCode(error) !== "ENOENT" && errnoCode(error) !== "ENOTDIR") throw error;
      stamp = "";
    }
    if (stamp === this.#stamp) return this.#hot;
    this.#stamp = stamp;
    this.#hot = stamp === "" ? null : this.#read();
    return this.#hot;
  }

  current(): HotFile | null {
    return Date.now() - this.#checkedAt < RECHECK_MS ? this.#hot : this.refresh();
  }

  #read(): HotFile | null {
    let text: string;
    try {
      text = readFileSync(this.#path, "utf8");
    } catch (error) {
      // Removed between the stat and the read: the dev server just stopped.
      if (errnoCode(error) === "ENOENT") return null;
      throw error;
    }
    const parsed = parseHotFile(text);
    if (typeof parsed === "string") {
      this.#onInvalid(parsed);
      return null;
    }
    return parsed;
  }
}
