import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, fail } from "../errors.js";
import type { ReleaseInfo } from "../types.js";
import type { FileLockOptions } from "./file-lock.js";
import { assertReleaseId } from "./release-id.js";
import {
  assertAssetPath,
  assetEntries,
  bareReleaseWarning,
  checkKeep,
  describeManifest,
  type RegisterInput,
  type RegisterResult,
  type RegistryStore,
  type ResolvedStoreOptions,
  resolveStoreOptions,
  type StoredManifest,
  type StoreOptions,
  sha256,
} from "./store.js";

/** Options of `createFileStore`. */
export interface FileStoreOptions extends StoreOptions {
  /** Directory of the registry (`registryDir`), resolved against the cwd. */
  dir: string;
  /** Lock tuning (tests). */
  lock?: FileLockOptions;
}

/** The index: the one file whose atomic replacement commits a step. */
interface Index {
  /** Live releases with their metadata, most recent first. */
  releases: ReleaseInfo[];
  /** Metadata of the manifest of release "" (bare prefix), if one was registered. */
  bare: ReleaseInfo | null;
}

const EMPTY: Index = { releases: [], bare: null };

/** A file-name-safe form of a prefix or key ("." and ".." cannot name a directory of their own). */
function fileName(name: string): string {
  const encoded = encodeURIComponent(name);
  return encoded === "." || encoded === ".." ? encoded.replaceAll(".", "%2E") : encoded;
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** Writes a file so readers see the old bytes or the new ones, never a part: temp file, fsync, rename. */
async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(temp, "wx");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (errno(error) === "ENOENT") return null;
    throw error;
  }
}

function isInfo(value: unknown): value is ReleaseInfo {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ReleaseInfo).release === "string" &&
    typeof (value as ReleaseInfo).manifestHash === "string"
  );
}

/**
 * The embedded registry: a directory shared by the processes of one machine.
 *
 * ```
 * <registryDir>/<prefix>/                 one registry per cacheKeyPrefix (URI-encoded)
 *   <versionsRedisKey>.json               the index: live releases + metadata, most recent first
 *   manifests/<release>.json              manifest text of each listed release
 *   assets/<release>/<encoded path>       retained built files (opt-in)
 *   manifest.json                         manifest of release "" (the seed's bare prefix)
 *   .lock/                                held by the process changing the registry
 * ```
 * A step writes the new files, then replaces the index (the commit point), then deletes what
 * left it. Readers trust only the index, so a crash between those steps leaves invisible files
 * that the next step sweeps: no manifest is ever visible without its release being listed.
 */
class FileStore implements RegistryStore {
  readonly kind = "file";
  readonly location: string;
  readonly #options: ResolvedStoreOptions;
  readonly #root: string;
  readonly #index: string;
  readonly #lock: FileLockOptions;

  constructor(options: FileStoreOptions) {
    if (typeof options.dir !== "string" || options.dir === "") {
      fail(
        "registry",
        `registryDir must be a directory path, received ${describe(options.dir)}. Pass e.g. ".vite-rolling".`,
      );
    }
    this.#options = resolveStoreOptions(options);
    this.#root = join(resolve(options.dir), fileName(this.#options.prefix));
    this.#index = join(this.#root, `${fileName(this.#options.versionsKey)}.json`);
    this.#lock = options.lock ?? {};
    this.location = this.#root;
  }

  #manifestPath(release: string): string {
    return release === ""
      ? join(this.#root, "manifest.json")
      : join(this.#root, "manifests", `${release}.json`);
  }

  #assetsDir(release: string): string {
    return release === "" ? join(this.#root, "bare-assets") : join(this.#root, "assets", release);
  }

  async #readIndex(): Promise<Index> {
    const text = await readIfExists(this.#index);
    if (text === null) return EMPTY;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      fail(
        "registry",
        `registry index ${this.#index} is not valid JSON (${(error as Error).message}). It is only written by rename, so something else edited it: delete it and run \`vite-rolling refresh\` again.`,
        { cause: error },
      );
    }
    const releases = (parsed as { releases?: unknown }).releases;
    const bare = (parsed as { bare?: unknown }).bare;
    if (!Array.isArray(releases) || !releases.every(isInfo)) {
      fail(
        "registry",
        `registry index ${this.#index} has no "releases" list. Delete it and run \`vite-rolling refresh\` again.`,
      );
    }
    return { releases, bare: isInfo(bare) ? bare : null };
  }

  async #locked<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(join(this.#root, "manifests"), { recursive: true });
    await mkdir(join(this.#root, "assets"), { recursive: true });
    // Loaded here, on the first write: a server reads the registry at start and may never
    // write it, and the lock module (with node:os) was startup time for nothing (bench figure 6).
    const { withFileLock } = await import("./file-lock.js");
    return withFileLock(join(this.#root, ".lock"), fn, this.#lock);
  }

  /** Replaces the release's retained files as a whole: readers see the old set or the new one. */
  async #writeAssets(release: string, assets: [string, Uint8Array][]): Promise<void> {
    const target = this.#assetsDir(release);
    const temp = `${target}.${randomBytes(4).toString("hex")}.tmp`;
    await mkdir(temp, { recursive: true });
    for (const [file, bytes] of assets) await writeAtomic(join(temp, fileName(file)), bytes);
    const old = `${target}.${randomBytes(4).toString("hex")}.old`;
    await rename(target, old).catch((error) => {
      if (errno(error) !== "ENOENT") throw error;
    });
    await rename(temp, target);
    await rm(old, { recursive: true, force: true });
  }

  /** Commits `index`, then removes files of releases it no longer lists (and crash leftovers). */
  async #commit(index: Index): Promise<void> {
    await writeAtomic(this.#index, `${JSON.stringify(index, null, 2)}\n`);
    const live = new Set(index.releases.map((info) => info.release));
    // Under the lock no other step has files in flight, so whatever the index does not name goes.
    const manifests = await readdir(join(this.#root, "manifests"));
    for (const name of manifests) {
      if (!(name.endsWith(".json") && live.has(name.slice(0, -5)))) {
        await rm(join(this.#root, "manifests", name), { force: true });
      }
    }
    for (const name of await readdir(join(this.#root, "assets"))) {
      if (!live.has(name))
        await rm(join(this.#root, "assets", name), { recursive: true, force: true });
    }
    for (const name of await readdir(this.#root)) {
      if (name.endsWith(".tmp") && !name.startsWith(".lock")) {
        await rm(join(this.#root, name), { recursive: true, force: true });
      }
    }
  }

  async getManifest(release: string): Promise<StoredManifest | null> {
    assertReleaseId(release);
    const index = await this.#readIndex();
    const entry = release === "" ? index.bare : index.releases.find((r) => r.release === release);
    if (!entry) return null;
    const text = await readIfExists(this.#manifestPath(release));
    if (text === null) return null;
    return {
      text,
      info: { ...entry, manifestHash: sha256(text), size: Buffer.byteLength(text, "utf8") },
    };
  }

  async writeThrough(release: string, text: string): Promise<boolean> {
    assertReleaseId(release);
    if (release === "") return false;
    // The common case on the serving path is "not listed": answer it without a lock or a
    // single write, so a read-only or absent registry directory costs nothing.
    if (!(await this.#readIndex()).releases.some((r) => r.release === release)) return false;
    return this.#locked(async () => {
      const index = await this.#readIndex();
      const at = index.releases.findIndex((r) => r.release === release);
      const entry = index.releases[at];
      if (!entry) return false;
      if ((await readIfExists(this.#manifestPath(release))) !== null) return false;
      await writeAtomic(this.#manifestPath(release), text);
      const info = describeManifest(release, text, entry);
      if (info.manifestHash !== entry.manifestHash || info.size !== entry.size) {
        const releases = [...index.releases];
        releases[at] = info;
        await this.#commit({ ...index, releases });
      }
      return true;
    });
  }

  async register(input: RegisterInput): Promise<RegisterResult> {
    const { release, manifestText } = input;
    assertReleaseId(release);
    if (typeof manifestText !== "string") {
      fail("registry", `manifestText must be a string, received ${describe(manifestText)}.`);
    }
    const assets = assetEntries(input.assets);
    const result = await this.#locked(async () => {
      const index = await this.#readIndex();
      const previous =
        release === "" ? index.bare : index.releases.find((r) => r.release === release);
      const hash = sha256(manifestText);
      const info = describeManifest(release, manifestText, {
        // Same bytes again: the release keeps the time it first went live.
        registeredAt:
          previous?.manifestHash === hash ? previous.registeredAt : new Date().toISOString(),
        upstream: input.upstream,
        appVersion: input.appVersion,
      });
      await writeAtomic(this.#manifestPath(release), manifestText);
      if (assets) await this.#writeAssets(release, assets);
      const replaced = !!previous && previous.manifestHash !== hash;
      if (release === "") {
        await this.#commit({ ...index, bare: info });
        return { kept: index.releases.map((r) => r.release), removed: [], replaced };
      }
      const { kept, removed } = trim(index.releases, this.#options.versionsToKeep, info);
      await this.#commit({ ...index, releases: kept });
      return { kept: kept.map((r) => r.release), removed, replaced };
    });
    if (release === "") this.#options.logger.warn(bareReleaseWarning(this.#manifestPath("")));
    return result;
  }

  async prune(keep = this.#options.versionsToKeep): Promise<RegisterResult> {
    checkKeep(keep, "keep");
    return this.#locked(async () => {
      const index = await this.#readIndex();
      const { kept, removed } = trim(index.releases, keep, null);
      await this.#commit({ ...index, releases: kept });
      return { kept: kept.map((r) => r.release), removed, replaced: false };
    });
  }

  async releases(): Promise<ReleaseInfo[]> {
    return (await this.#readIndex()).releases.map((info) => ({ ...info }));
  }

  async getAsset(release: string, file: string): Promise<Buffer | null> {
    assertReleaseId(release);
    assertAssetPath(file);
    const index = await this.#readIndex();
    const listed = release === "" ? index.bare : index.releases.find((r) => r.release === release);
    if (!listed) return null;
    try {
      return await readFile(join(this.#assetsDir(release), fileName(file)));
    } catch (error) {
      if (errno(error) === "ENOENT") return null;
      throw error;
    }
  }

  async close(): Promise<void> {
    // Nothing held between calls.
  }
}

/** `front` first, then `list` without duplicates, cut at `keep`. */
function trim(
  list: readonly ReleaseInfo[],
  keep: number,
  front: ReleaseInfo | null,
): { kept: ReleaseInfo[]; removed: string[] } {
  const seen = new Set<string>();
  const kept: ReleaseInfo[] = [];
  const removed: string[] = [];
  for (const info of front ? [front, ...list] : list) {
    if (info.release === "" || seen.has(info.release)) continue;
    seen.add(info.release);
    if (kept.length < keep) kept.push(info);
    else removed.push(info.release);
  }
  return { kept, removed };
}

/**
 * The embedded registry in a directory (default `.vite-rolling`), safe for many processes of
 * one machine. Same contract as the Redis store.
 * @example
 * const store = createFileStore({ dir: ".vite-rolling" });
 * await store.register({ release: "v42", manifestText });
 */
export function createFileStore(options: FileStoreOptions): RegistryStore {
  return new FileStore(options);
}
