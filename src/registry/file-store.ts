import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, fail } from "../errors.js";
import type { ReleaseInfo } from "../types.js";
import { errnoCode } from "../util/errno.js";
import type { FileLockOptions } from "./file-lock.js";
import { fileName, type Index, readIfExists, Step, type StoredFiles } from "./file-step.js";
import { assertReleaseId } from "./release-id.js";
import type {
  RegisterInput,
  RegisterResult,
  RegistryStore,
  ResolvedStoreOptions,
  StoredManifest,
  StoreOptions,
} from "./store.js";
import * as common from "./store.js";

/** Options of `createFileStore`. */
export interface FileStoreOptions extends StoreOptions {
  /** Directory of the registry (`registryDir`), resolved against the cwd. */
  dir: string;
  /** Lock tuning (tests). */
  lock?: FileLockOptions;
}

const EMPTY: Index = { releases: [], bare: null };

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
 *   <versionsRedisKey>.json               the index: live releases, metadata, their files' names
 *   manifests/<release>.<gen>.json        manifest text of each listed release
 *   assets/<release>@<gen>/<encoded path> retained built files (opt-in)
 *   .lock/                                held by the process changing the registry
 * ```
 * A step writes new files under names of its own, then replaces the index (the commit point,
 * refused when the step lost its lock), then deletes what the index no longer names. Readers
 * trust only the index, so a crash or a lost lock leaves invisible files the next step sweeps:
 * no listed release is ever without its manifest or its retained files.
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
        { code: "ERR_OPTIONS" },
      );
    }
    this.#options = common.resolveStoreOptions(options);
    this.#root = join(resolve(options.dir), fileName(this.#options.prefix));
    this.#index = join(this.#root, `${fileName(this.#options.versionsKey)}.json`);
    this.#lock = options.lock ?? {};
    this.location = this.#root;
  }

  /** The files of `release` as `index` names them (the fixed names of older registries). */
  #filesOf(index: Index, release: string): StoredFiles {
    const named = index.files?.[release];
    if (named) return named;
    return release === ""
      ? { manifest: "../manifest.json", assets: "../bare-assets" }
      : { manifest: `${release}.json`, assets: release };
  }

  #manifestPath(index: Index, release: string): string {
    return join(this.#root, "manifests", this.#filesOf(index, release).manifest);
  }

  #listed(index: Index, release: string): ReleaseInfo | null {
    return (
      (release === "" ? index.bare : index.releases.find((r) => r.release === release)) ?? null
    );
  }

  async #readIndex(): Promise<Index> {
    return this.#parseIndex(await readIfExists(this.#index));
  }

  #parseIndex(text: string | null): Index {
    if (text === null) return EMPTY;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      fail(
        "registry",
        `registry index ${this.#index} is not valid JSON (${(error as Error).message}). It is only written by rename, so something else edited it: delete it and run \`vite-rolling refresh\` again.`,
        { cause: error, code: "ERR_REGISTRY_CORRUPT" },
      );
    }
    const { releases, bare, files } = parsed as {
      releases?: unknown;
      bare?: unknown;
      files?: unknown;
    };
    if (!Array.isArray(releases) || !releases.every(isInfo)) {
      fail(
        "registry",
        `registry index ${this.#index} has no "releases" list. Delete it and run \`vite-rolling refresh\` again.`,
        { code: "ERR_REGISTRY_CORRUPT" },
      );
    }
    const index: Index = { releases, bare: isInfo(bare) ? bare : null };
    if (typeof files === "object" && files !== null)
      index.files = files as Record<string, StoredFiles>;
    return index;
  }

  /**
   * Reads a file of a listed release. A step may commit and sweep the file between our index
   * read and the file read: then the index names newer files, so read it again (a few times).
   */
  async #readListed<T>(
    release: string,
    read: (index: Index) => Promise<T | null>,
  ): Promise<{ index: Index; value: T | null } | null> {
    let text = await readIfExists(this.#index);
    for (let attempt = 0; ; attempt++) {
      const index = this.#parseIndex(text);
      if (!this.#listed(index, release)) return null;
      const value = await read(index);
      if (value !== null || attempt === 3) return { index, value };
      const again = await readIfExists(this.#index);
      if (again === text) return { index, value };
      text = again;
    }
  }

  async #locked<T>(fn: (step: Step) => Promise<T>): Promise<T> {
    await mkdir(join(this.#root, "manifests"), { recursive: true });
    await mkdir(join(this.#root, "assets"), { recursive: true });
    // Loaded here, on the first write: a server reads the registry at start and may never
    // write it, and the lock module (with node:os) was startup time for nothing (bench figure 6).
    const { withFileLock, pidAlive } = await import("./file-lock.js");
    return withFileLock(
      join(this.#root, ".lock"),
      async (lock) => {
        const text = await readIfExists(this.#index);
        const step = new Step(
          this.#root,
          this.#index,
          this.#parseIndex(text),
          text,
          lock,
          pidAlive,
        );
        try {
          return await fn(step);
        } catch (error) {
          await step.discard();
          throw error;
        }
      },
      this.#lock,
    );
  }

  async getManifest(release: string): Promise<StoredManifest | null> {
    assertReleaseId(release);
    const found = await this.#readListed(release, (index) =>
      readIfExists(this.#manifestPath(index, release)),
    );
    const entry = found && this.#listed(found.index, release);
    if (!found || found.value === null || !entry) return null;
    const text = found.value;
    return {
      text,
      info: { ...entry, manifestHash: common.sha256(text), size: Buffer.byteLength(text, "utf8") },
    };
  }

  async writeThrough(release: string, text: string): Promise<boolean> {
    assertReleaseId(release);
    if (release === "") return false;
    // The common case on the serving path is "not listed": answer it without a lock or a
    // single write, so a read-only or absent registry directory costs nothing.
    if (!this.#listed(await this.#readIndex(), release)) return false;
    return this.#locked(async (step) => {
      const { index } = step;
      const at = index.releases.findIndex((r) => r.release === release);
      const entry = index.releases[at];
      if (!entry) return false;
      if ((await readIfExists(this.#manifestPath(index, release))) !== null) return false;
      const manifest = await step.writeManifest(release, text);
      const releases = [...index.releases];
      releases[at] = common.describeManifest(release, text, entry);
      const files = { ...this.#filesOf(index, release), manifest };
      await this.#commit(step, { ...index, releases }, release, files);
      return true;
    });
  }

  async register(input: RegisterInput): Promise<RegisterResult> {
    const { release, manifestText, upstream, appVersion, assets } =
      common.checkRegisterInput(input);
    const result = await this.#locked(async (step) => {
      const { index } = step;
      const previous = this.#listed(index, release);
      const hash = common.sha256(manifestText);
      const info = common.describeManifest(release, manifestText, {
        // Same bytes again: the release keeps the time it first went live.
        registeredAt:
          previous?.manifestHash === hash ? previous.registeredAt : new Date().toISOString(),
        upstream,
        appVersion,
      });
      const stored: StoredFiles = {
        manifest: await step.writeManifest(release, manifestText),
        // Without new assets, a listed release keeps the ones it retained before.
        assets: assets
          ? await step.writeAssets(release, assets)
          : previous
            ? this.#filesOf(index, release).assets
            : null,
      };
      const replaced = !!previous && previous.manifestHash !== hash;
      if (release === "") {
        await this.#commit(step, { ...index, bare: info }, release, stored);
        return { kept: index.releases.map((r) => r.release), removed: [], replaced };
      }
      const { versionsToKeep, versionsMaxAge } = this.#options;
      const { kept, removed } = trim(index.releases, info, versionsToKeep, versionsMaxAge);
      await this.#commit(step, { ...index, releases: kept }, release, stored);
      return { kept: kept.map((r) => r.release), removed, replaced };
    });
    if (release === "") {
      this.#options.logger.warn(common.bareReleaseWarning(join(this.#root, "manifests")));
    }
    return result;
  }

  /**
   * Commits `next` naming the files of each release it lists: `release`'s new `files`, the
   * others' as before (an older registry's fixed names made explicit).
   */
  #commit(step: Step, next: Index, release?: string, files?: StoredFiles): Promise<void> {
    const named: Record<string, StoredFiles> = {};
    for (const info of next.releases) named[info.release] = this.#filesOf(step.index, info.release);
    if (next.bare) named[""] = this.#filesOf(step.index, "");
    if (release !== undefined && files) named[release] = files;
    return step.commit({ ...next, files: named });
  }

  async prune(
    keep = this.#options.versionsToKeep,
    maxAge = this.#options.versionsMaxAge,
  ): Promise<RegisterResult> {
    common.checkKeep(keep, "keep");
    common.checkMaxAge(maxAge, "maxAge");
    return this.#locked(async (step) => {
      const { index } = step;
      const { kept, removed } = trim(index.releases, null, keep, maxAge);
      await this.#commit(step, { ...index, releases: kept });
      return { kept: kept.map((r) => r.release), removed, replaced: false };
    });
  }

  async releases(): Promise<ReleaseInfo[]> {
    return (await this.#readIndex()).releases.map((info) => ({ ...info }));
  }

  async getAsset(release: string, file: string): Promise<Buffer | null> {
    assertReleaseId(release);
    common.assertAssetPath(file);
    const found = await this.#readListed(release, async (index) => {
      const dir = this.#filesOf(index, release).assets;
      if (dir === null) return null;
      try {
        return await readFile(join(this.#root, "assets", dir, fileName(file)));
      } catch (error) {
        if (errnoCode(error) === "ENOENT") return null;
        throw error;
      }
    });
    return found?.value ?? null;
  }

  async close(): Promise<void> {
    // Nothing held between calls.
  }
}

/**
 * `front` first, then `list` without duplicates, cut to the keep window (`inKeepWindow`):
 * the `keep` most recent and, past them, those registered less than `maxAge` seconds ago by
 * this writer's clock. The times are the index's `registeredAt`, which every registry wrote
 * before the age window existed too; one missing or unreadable counts as old.
 */
function trim(
  list: readonly ReleaseInfo[],
  front: ReleaseInfo | null,
  keep: number,
  maxAge: number,
): { kept: ReleaseInfo[]; removed: string[] } {
  const now = Date.now();
  const seen = new Set<string>();
  const kept: ReleaseInfo[] = [];
  const removed: string[] = [];
  let position = 0;
  for (const info of front ? [front, ...list] : list) {
    if (info.release === "" || seen.has(info.release)) continue;
    seen.add(info.release);
    if (common.inKeepWindow(position++, info.registeredAt, keep, maxAge, now)) kept.push(info);
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
