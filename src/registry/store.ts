import { createHash } from "node:crypto";
import { describe, fail, type Logger } from "../errors.js";
import type { ReleaseInfo } from "../types.js";
import { isAssetPath } from "../util/asset-path.js";
import { assertReleaseId } from "./release-id.js";
import { parseUpstream } from "./upstream.js";

/** A manifest as the registry holds it: its text and what the registry knows of its release. */
export interface StoredManifest {
  text: string;
  info: ReleaseInfo;
}

/** What `register` records. */
export interface RegisterInput {
  /** Release id ("" caches under the bare prefix and leaves the list alone, as the seed did). */
  release: string;
  /** The manifest's text, stored as given (hash and size are computed from its UTF-8 bytes). */
  manifestText: string;
  /** Upstream serving this release (version routing). */
  upstream?: string | null;
  /** App version of this release, when known at deploy time. */
  appVersion?: string | null;
  /** Built files to retain with the release (opt-in): output path -> bytes. Replaces earlier ones. */
  assets?: ReadonlyMap<string, Uint8Array> | null;
}

/** Outcome of one atomic registry step. */
export interface RegisterResult {
  /** Live releases after the step, most recent first. */
  kept: string[];
  /** Releases that left the list in this step (their manifest, metadata and assets are gone). */
  removed: string[];
  /** The release was already registered with a different manifest, which this step replaced. */
  replaced: boolean;
}

/**
 * The registry contract every store meets (the shared suite `test/helpers/store-contract.ts`
 * pins it). Invariants after any step, even concurrent ones: the list has no duplicates and at
 * most `versionsToKeep` entries besides those registered less than `versionsMaxAge` seconds
 * ago (the keep window, `inKeepWindow`); every listed release has its manifest; no manifest,
 * metadata or asset exists for a release that is not listed (the bare-prefix manifest of
 * release "" aside).
 */
export interface RegistryStore {
  /** "file" or "redis". */
  readonly kind: "file" | "redis";
  /** Where the registry lives, for messages (credentials redacted). */
  readonly location: string;
  /** The manifest of a listed release (or of "", the bare prefix), else null. */
  getManifest(release: string): Promise<StoredManifest | null>;
  /**
   * Stores `text` for a release that is listed but lost its manifest (evicted, deleted).
   * Never lists a release and never overwrites: returns whether it wrote.
   */
  writeThrough(release: string, text: string): Promise<boolean>;
  /**
   * The deploy step, atomic: moves `release` to the front of the list (re-registering never
   * pushes another live release out), drops duplicates, trims to the keep window
   * (`versionsToKeep`, `versionsMaxAge`), deletes what belonged to releases that left the
   * list, and stores this manifest with its metadata.
   */
  register(input: RegisterInput): Promise<RegisterResult>;
  /**
   * Trims the list to the keep window, atomically: the `keep` most recent releases (default
   * `versionsToKeep`) and any registered less than `maxAge` seconds ago (default
   * `versionsMaxAge`; 0: count only).
   */
  prune(keep?: number, maxAge?: number): Promise<RegisterResult>;
  /** Listed releases, current (most recently registered) first. */
  releases(): Promise<ReleaseInfo[]>;
  /** One retained built file of a listed release, else null. */
  getAsset(release: string, file: string): Promise<Buffer | null>;
  /** Closes connections the store opened itself; a client passed in stays open. Idempotent. */
  close(): Promise<void>;
}

/** Options every store takes; `openRegistry` fills them from the library's options. */
export interface StoreOptions {
  /** `cacheKeyPrefix`. @default "vite_manifest" */
  prefix?: string;
  /** `versionsRedisKey`: name of the list of recent releases. @default "recent-manifest-versions" */
  versionsKey?: string;
  /** @default 5 */
  versionsToKeep?: number;
  /** Seconds a release stays past `versionsToKeep` after it was registered; 0: off. @default 0 */
  versionsMaxAge?: number;
  /** @default console */
  logger?: Logger;
}

export interface ResolvedStoreOptions {
  prefix: string;
  versionsKey: string;
  versionsToKeep: number;
  versionsMaxAge: number;
  logger: Logger;
}

/** Fills and checks the common store options. */
export function resolveStoreOptions(options: StoreOptions): ResolvedStoreOptions {
  const prefix = options.prefix ?? "vite_manifest";
  const versionsKey = options.versionsKey ?? "recent-manifest-versions";
  const versionsToKeep = options.versionsToKeep ?? 5;
  const versionsMaxAge = options.versionsMaxAge ?? 0;
  if (typeof prefix !== "string" || prefix === "" || /[{}]/.test(prefix)) {
    // The store wraps the prefix in `{...}` itself; a brace inside would change the hash slot.
    fail(
      "registry",
      `cacheKeyPrefix must be a non-empty string without "{" or "}", received ${describe(prefix)}. The registry adds its own Redis Cluster hash tag; pass the plain prefix, e.g. "vite_manifest".`,
      { code: "ERR_OPTIONS" },
    );
  }
  if (typeof versionsKey !== "string" || versionsKey === "") {
    fail(
      "registry",
      `versionsRedisKey must be a non-empty string, received ${describe(versionsKey)}.`,
      { code: "ERR_OPTIONS" },
    );
  }
  checkKeep(versionsToKeep, "versionsToKeep");
  checkMaxAge(versionsMaxAge, "versionsMaxAge");
  return {
    prefix,
    versionsKey,
    versionsToKeep,
    versionsMaxAge,
    logger: options.logger ?? console,
  };
}

/** Throws unless `keep` is a whole number from 1 to 1000 (the option's bounds). */
export function checkKeep(keep: unknown, name: string): asserts keep is number {
  if (!Number.isInteger(keep) || (keep as number) < 1 || (keep as number) > 1000) {
    fail(
      "registry",
      `${name} must be an integer from 1 to 1000, received ${describe(keep)}. Keep at least the release being served.`,
      { code: "ERR_OPTIONS" },
    );
  }
}

/** Most seconds `versionsMaxAge` takes (about 68 years: any age a deploy means). */
export const MAX_AGE_LIMIT = 2_147_483_647;

/** Throws unless `maxAge` is a whole number of seconds from 0 (off) to `MAX_AGE_LIMIT`. */
export function checkMaxAge(maxAge: unknown, name: string): asserts maxAge is number {
  if (!Number.isInteger(maxAge) || (maxAge as number) < 0 || (maxAge as number) > MAX_AGE_LIMIT) {
    fail(
      "registry",
      `${name} must be a whole number of seconds from 0 (off) to ${MAX_AGE_LIMIT}, received ${describe(maxAge)}. E.g. 86400 keeps every release registered in the last day besides the versionsToKeep most recent.`,
      { code: "ERR_OPTIONS" },
    );
  }
}

/**
 * The keep window (Phoenix's `phx.digest.clean --keep N --age T`): the release at `position`
 * (0 = most recent) stays when it is among the `keep` most recent or was registered less than
 * `maxAge` seconds before `now` (ms). A release without a readable registration time counts as
 * old: only the count keeps it. The Redis store's Lua (`inWindow` in scripts.ts) is the same
 * rule on the server's clock; change both together.
 */
export function inKeepWindow(
  position: number,
  registeredAt: string | undefined,
  keep: number,
  maxAge: number,
  now: number,
): boolean {
  if (position < keep) return true;
  if (maxAge <= 0 || !registeredAt) return false;
  const at = Date.parse(registeredAt);
  return Number.isFinite(at) && now - at < maxAge * 1000;
}

/** sha256 (hex) of a manifest's UTF-8 bytes. */
export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Metadata of a manifest about to be stored. */
export function describeManifest(
  release: string,
  text: string,
  extra: { registeredAt: string; upstream?: string | null; appVersion?: string | null },
): ReleaseInfo {
  return {
    release,
    registeredAt: extra.registeredAt,
    manifestHash: sha256(text),
    size: Buffer.byteLength(text, "utf8"),
    upstream: extra.upstream ?? null,
    appVersion: extra.appVersion ?? null,
  };
}

/** Throws unless `file` is a relative output path a retained asset may have (`isAssetPath`). */
export function assertAssetPath(file: unknown): asserts file is string {
  if (!isAssetPath(file)) {
    fail(
      "registry",
      `asset path ${describe(file)} is not a relative output path; pass paths as Vite writes them, e.g. "assets/index-4f2a.js".`,
      { code: "ERR_REGISTRY_ASSET_PATH" },
    );
  }
}

/** A `RegisterInput` after `checkRegisterInput`: every field checked, assets sorted by path. */
export interface CheckedRegisterInput {
  release: string;
  manifestText: string;
  upstream: string | null;
  appVersion: string | null;
  /** [path, bytes] pairs in sorted order, or null when none are retained. */
  assets: [string, Uint8Array][] | null;
}

/**
 * Checks everything `register` writes before any store touches its backend, so a bad input
 * changes nothing: the release id, the manifest text, the upstream (one rule, `parseUpstream`,
 * so what is registered is what `proxy-config` can route to) and the retained assets.
 */
export function checkRegisterInput(input: RegisterInput): CheckedRegisterInput {
  const { release, manifestText } = input;
  assertReleaseId(release);
  if (typeof manifestText !== "string") {
    fail("registry", `manifestText must be a string, received ${describe(manifestText)}.`, {
      code: "ERR_REGISTRY_INPUT",
    });
  }
  const upstream = input.upstream || null;
  if (upstream !== null) parseUpstream(upstream, release);
  return {
    release,
    manifestText,
    upstream,
    appVersion: input.appVersion || null,
    assets: assetEntries(input.assets),
  };
}

/** Returns the validated assets as [path, bytes] pairs in a stable (sorted) order. */
function assetEntries(
  assets: ReadonlyMap<string, Uint8Array> | null | undefined,
): [string, Uint8Array][] | null {
  if (!assets) return null;
  const entries = [...assets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [file, bytes] of entries) {
    assertAssetPath(file);
    if (!(bytes instanceof Uint8Array)) {
      fail(
        "registry",
        `asset ${JSON.stringify(file)} must be a Buffer or Uint8Array, received ${describe(bytes)}.`,
        { code: "ERR_REGISTRY_INPUT" },
      );
    }
  }
  return entries;
}

/** The warning logged when a release without id is registered (seed behaviour, kept on purpose). */
export function bareReleaseWarning(where: string): string {
  return `[vite-rolling] [registry] the release id is empty: the manifest is cached under the bare prefix ${where} and cleanup is skipped. Set RELEASE_VERSION (or the variable named by versionSetting) so releases can roll side by side.`;
}
