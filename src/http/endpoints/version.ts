import { inKeepWindow } from "../../registry/store.js";
import type { ReleaseInfo, ViteRolling } from "../../types.js";
import { isSafeHeaderValue } from "../../util/safe-header-value.js";
import { jsonAnswer, methodNotAllowed } from "../answers.js";
import type { Answer, Endpoint, Handled } from "../contract.js";
import { firstHeader } from "../first-header.js";

/**
 * Milliseconds the release list `GET /version` shows may lag the registry: the list is read
 * in the background once it is older than this, while requests get the last one from memory.
 */
export const VERSION_RELEASES_MAX_AGE_MS = 5_000;

/**
 * `GET /version` (option `versionPath`): what this instance serves and the releases the
 * registry holds, as JSON no cache keeps. Unauthenticated and polled by every open tab, so
 * it answers from memory: `304` to `If-None-Match: "<app version>"` (the stale-client
 * script's check), and a release list read at most once per `VERSION_RELEASES_MAX_AGE_MS`
 * (issue 14: a registry read per request saturated Redis at ~157 requests/s), cut to
 * the keep window's releases, with upstreams only under `versionEndpointUpstreams`. Null when
 * `versionEndpoint` is off.
 *
 * @param scope The adapter's name, for the warning a registry outage logs.
 */
export function versionEndpoint(vr: ViteRolling, scope: string): Endpoint | null {
  const { versionEndpoint: on, versionPath } = vr.options;
  if (!on) return null;
  const memory = new VersionMemory(vr, scope);
  return function version(req) {
    if (req.path !== versionPath) return null;
    if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed("GET, HEAD");
    return memory.answer(firstHeader(req.headers, "if-none-match"));
  };
}

/** The last release list read and the answers made from it, per app version. */
class VersionMemory {
  readonly #vr: ViteRolling;
  readonly #scope: string;
  #releases: ReleaseInfo[] | null = null;
  #registryError: string | null = null;
  #readAt = 0;
  #reading: Promise<void> | null = null;
  /** The 200 answer for `#answerVersion` and the list as last read; rebuilt when either changes. */
  #answer: Answer | null = null;
  #answerVersion = "";
  /** The ETag and `304` of `#tagVersion`: every open tab polls, so neither is built per request. */
  #tagVersion: string | null = null;
  #etag: string | null = null;
  #notModified: Answer | null = null;

  constructor(vr: ViteRolling, scope: string) {
    this.#vr = vr;
    this.#scope = scope;
  }

  answer(ifNoneMatch: string | undefined): Handled {
    const version = this.#vr.appVersion();
    if (version !== this.#tagVersion) {
      this.#tagVersion = version;
      this.#etag = entityTag(version);
      this.#notModified = this.#etag
        ? { status: 304, headers: { etag: this.#etag, "cache-control": "no-store" }, body: "" }
        : null;
    }
    const etag = this.#etag;
    if (etag && ifNoneMatch && matches(ifNoneMatch, etag)) return this.#notModified!;
    if (this.#releases === null) return this.#read().then(() => this.#built(version, etag));
    if (Date.now() - this.#readAt >= VERSION_RELEASES_MAX_AGE_MS) void this.#read();
    return this.#built(version, etag);
  }

  #built(version: string, etag: string | null): Answer {
    if (this.#answer && this.#answerVersion === version) return this.#answer;
    const info = this.#vr.versionInfo();
    const body: Record<string, unknown> = {
      version: info.version,
      source: info.source,
      release: info.release,
      buildHash: info.buildHash,
      components: info.components,
      releases: this.#releases ?? [],
      releasesReadAt: new Date(this.#readAt).toISOString(),
    };
    if (this.#registryError !== null) body.registryError = this.#registryError;
    this.#answerVersion = version;
    this.#answer = jsonAnswer(200, body, etag ? { etag } : {});
    return this.#answer;
  }

  /** Reads the list once at a time; an outage keeps the last list and says so. */
  #read(): Promise<void> {
    this.#reading ??= this.#vr
      .releases()
      .then(
        (list) => {
          this.#releases = this.#shown(list);
          this.#registryError = null;
        },
        (error: unknown) => {
          // A registry outage never breaks the endpoint (DESIGN principle 5); it says so.
          this.#registryError = error instanceof Error ? error.message : String(error);
          this.#releases ??= [];
          this.#vr.options.logger.warn(
            `[vite-rolling] [${this.#scope}] ${this.#vr.options.versionPath}: registry unavailable: ${JSON.stringify(this.#registryError.slice(0, 300))}`,
          );
        },
      )
      .finally(() => {
        this.#readAt = Date.now();
        this.#answer = null;
        this.#reading = null;
      });
    return this.#reading;
  }

  /**
   * The releases in the keep window (the last `versionsToKeep`, and any younger than
   * `versionsMaxAge`); upstreams only when the user opted in.
   */
  #shown(list: readonly ReleaseInfo[]): ReleaseInfo[] {
    const o = this.#vr.options;
    const now = Date.now();
    const kept = list.filter((info, i) =>
      inKeepWindow(i, info.registeredAt, o.versionsToKeep, o.versionsMaxAge, now),
    );
    if (o.versionEndpointUpstreams) return kept;
    return kept.map(({ upstream: _, ...rest }) => rest);
  }
}

/** `"<version>"`, or null when the version cannot be one (a quote, a control character). */
function entityTag(version: string): string | null {
  return isSafeHeaderValue(version) && !version.includes('"') ? `"${version}"` : null;
}

/** Whether an `If-None-Match` value names `etag` (weak comparison, RFC 9110 §13.1.2). */
function matches(header: string, etag: string): boolean {
  if (header === etag || header === "*") return true;
  for (const part of header.split(",")) {
    const tag = part.trim();
    if (tag === etag || tag === `W/${etag}`) return true;
  }
  return false;
}
