import type { Logger } from "../errors.js";
import type { RetainedAsset } from "../types.js";
import { ByteBudgetMap, ExpiringSet } from "../util/bounded-cache.js";
import type { RegistryClient } from "./registry-client.js";

/** Memory for retained files served to old tabs (the hot ones are few: a page's chunks). */
export const RETAINED_CACHE_BYTES = 32 * 1024 * 1024;
/**
 * Milliseconds the retained-file cache may lag the registry's release list: a pruned
 * release's files stop being served, and a file another release gained is found, at most
 * this long after the change.
 */
export const RETAINED_LIST_MAX_AGE_MS = 10_000;
/** Misses remembered at most (each for `RETAINED_LIST_MAX_AGE_MS`); oldest out first. */
export const RETAINED_MISSES = 1000;
/** Milliseconds between two warnings of one cause (a broken registry, a refused name). */
export const RETAINED_WARN_INTERVAL_MS = 60_000;
/** Characters of a request-derived value a warning quotes at most. */
const LOGGED_CHARS = 200;

/** Seams for tests: the cache's size and its clock. */
export interface RetainedCacheSeams {
  maxBytes?: number;
  now?: () => number;
}

/**
 * Built files of the other kept releases (`retainAssets`), looked up newest release first.
 * Hits stay in memory (the bytes of a hashed name never change), bounded in bytes, oldest out
 * first, and only while their release is listed: the list is read again at most every
 * `RETAINED_LIST_MAX_AGE_MS` (before, a pruned release was served for the process's life).
 * Misses are remembered as long, bounded in count: a request path costs the registry one read
 * per kept release only once per interval (issue 14). A registry outage is a miss, with one
 * warning per cause and interval, its request-derived parts escaped and capped.
 */
export class RetainedCache {
  readonly #registry: RegistryClient;
  readonly #release: string;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #hits: ByteBudgetMap<RetainedAsset>;
  readonly #misses = new ExpiringSet(RETAINED_MISSES);
  /** Cause -> time its last warning was logged. */
  readonly #warned = new Map<string, number>();
  /** The other listed releases, newest first, as last read; null before the first read. */
  #listed: string[] | null = null;
  #listedAt = 0;
  #listing: Promise<string[]> | null = null;

  constructor(
    registry: RegistryClient,
    release: string,
    logger: Logger,
    { maxBytes = RETAINED_CACHE_BYTES, now = Date.now }: RetainedCacheSeams = {},
  ) {
    this.#registry = registry;
    this.#release = release;
    this.#logger = logger;
    this.#hits = new ByteBudgetMap(maxBytes);
    this.#now = now;
  }

  /** `file` as another kept release stored it, or null. */
  async find(file: string): Promise<RetainedAsset | null> {
    const store = this.#registry.store();
    if (!store) return null;
    const releases = await this.#releases();
    const hit = this.#hits.get(file);
    if (hit) return hit;
    const now = this.#now();
    if (this.#misses.has(file, now)) return null;
    try {
      for (const release of releases) {
        const body = await store.getAsset(release, file);
        if (!body) continue;
        return this.#hits.set(file, { file, release, body });
      }
    } catch (error) {
      this.#warn(error, "read", `cannot read retained ${quote(file)}`);
    }
    this.#misses.add(file, now + RETAINED_LIST_MAX_AGE_MS);
    return null;
  }

  /** The other listed releases, read again once older than `RETAINED_LIST_MAX_AGE_MS`. */
  #releases(): Promise<string[]> {
    if (this.#listed && this.#now() - this.#listedAt < RETAINED_LIST_MAX_AGE_MS) {
      return Promise.resolve(this.#listed);
    }
    this.#listing ??= this.#readList().finally(() => {
      this.#listing = null;
    });
    return this.#listing;
  }

  async #readList(): Promise<string[]> {
    const store = this.#registry.store();
    let listed: string[];
    try {
      const releases = store ? await store.releases() : [];
      listed = releases.map((r) => r.release).filter((r) => r !== this.#release);
    } catch (error) {
      // An outage keeps the last list: what was served stays served until the registry answers.
      this.#warn(error, "list", "cannot list releases for retained files");
      listed = this.#listed ?? [];
    }
    this.#listedAt = this.#now();
    if (!this.#listed || !sameList(this.#listed, listed)) this.#follow(listed);
    this.#listed = listed;
    return listed;
  }

  /** The list changed: forget files of releases no longer listed and every miss. */
  #follow(listed: readonly string[]): void {
    this.#misses.clear();
    for (const asset of [...this.#hits.values()]) {
      if (!listed.includes(asset.release)) this.#hits.delete(asset.file);
    }
  }

  /**
   * One warning per cause (the error's code, else its type) and interval: request paths are
   * the attacker's, so a flood of misses must not become a flood of log lines.
   */
  #warn(error: unknown, step: "read" | "list", what: string): void {
    const cause = `${step}:${causeOf(error)}`;
    const now = this.#now();
    const last = this.#warned.get(cause);
    if (last !== undefined && now - last < RETAINED_WARN_INTERVAL_MS) return;
    if (this.#warned.size >= 100) this.#warned.clear();
    this.#warned.set(cause, now);
    const reason = error instanceof Error ? error.message : String(error);
    this.#logger.warn(
      `[vite-rolling] [registry] ${what}: ${quote(reason)} (further warnings of this cause are held for ${RETAINED_WARN_INTERVAL_MS / 1000} s)`,
    );
  }
}

function causeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.length <= 40) return code;
  return error instanceof Error ? error.name : typeof error;
}

/**
 * `text` fit for one log line: control and line-breaking characters escaped (a `%0a` in a
 * request path must not forge a line), at most `LOGGED_CHARS` characters of it.
 *
 * @example quote("a\nb") // "\"a\\u000ab\""
 */
export function quote(text: string): string {
  const cut =
    text.length > LOGGED_CHARS
      ? `${text.slice(0, LOGGED_CHARS)}… (${text.length} characters)`
      : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
  const escaped = cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029"\\]/g, (c) =>
    c === '"' || c === "\\" ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `"${escaped}"`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
