/**
 * One step of the file registry: the files it writes under names of its own generation and its
 * lock-checked commit (the index's one atomic replacement), then the sweep of what the index no
 * longer names. Split from file-store.ts, which decides what a step writes.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fail } from "../errors.js";
import type { ReleaseInfo } from "../types.js";
import { errnoCode } from "../util/errno.js";
import { writeFileAtomic } from "../util/write-file-atomic.js";
import type { HeldLock } from "./file-lock.js";

/** Where one release's files live, relative to `manifests/` and `assets/`. */
export interface StoredFiles {
  manifest: string;
  /** Directory of its retained files, or null when none were retained. */
  assets: string | null;
}

/** The index: the one file whose atomic replacement commits a step. */
export interface Index {
  /** Live releases with their metadata, most recent first. */
  releases: ReleaseInfo[];
  /** Metadata of the manifest of release "" (bare prefix), if one was registered. */
  bare: ReleaseInfo | null;
  /**
   * Files of each release ("" = bare), named per step: a step writes new names and the index
   * switches to them in its one rename, so a reader never sees a release between two versions
   * of its files (issue 14). Absent for registries written before: the fixed names then.
   */
  files?: Record<string, StoredFiles>;
}

/** A file-name-safe form of a prefix or key ("." and ".." cannot name a directory of their own). */
export function fileName(name: string): string {
  const encoded = encodeURIComponent(name);
  return encoded === "." || encoded === ".." ? encoded.replaceAll(".", "%2E") : encoded;
}

/** Readers see the old bytes or the new ones, and a power loss leaves one of them: fsync first. */
export function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  return writeFileAtomic(path, data, { fsync: true });
}

export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return null;
    throw error;
  }
}

/**
 * The tag of one step's files: this pid (so a step never sweeps the files of a live process's
 * step in flight, even a stalled one) and a random part.
 */
function generation(): string {
  return `${process.pid}-${randomBytes(4).toString("hex")}`;
}

/** The pid in a file name written by `generation` or `writeFileAtomic`, else null. */
function writerPid(name: string): number | null {
  const match = /[.@](\d+)[-.][0-9a-f]+(?:\.json|\.tmp)?$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** The file names' stand-in for release "" (no release id has "@"). */
export const slot = (release: string) => (release === "" ? "@bare" : release);

/**
 * One locked step: the index as it was when the lock was taken, the files this step writes
 * (under names of its own generation) and its commit.
 */
export class Step {
  readonly #gen = generation();
  readonly #written: string[] = [];
  constructor(
    readonly root: string,
    readonly indexPath: string,
    readonly index: Index,
    readonly indexText: string | null,
    readonly lock: HeldLock,
    readonly pidAlive: (pid: number) => boolean,
  ) {}

  /** Writes the manifest under a new name; returns it (relative to `manifests/`). */
  async writeManifest(release: string, text: string): Promise<string> {
    const name = `${slot(release)}.${this.#gen}.json`;
    const path = join(this.root, "manifests", name);
    this.#written.push(path);
    await writeAtomic(path, text);
    return name;
  }

  /** Writes the retained files into a new directory; returns its name (relative to `assets/`). */
  async writeAssets(release: string, assets: [string, Uint8Array][]): Promise<string> {
    const name = `${slot(release)}@${this.#gen}`;
    const dir = join(this.root, "assets", name);
    this.#written.push(dir);
    await mkdir(dir, { recursive: true });
    for (const [file, bytes] of assets) await writeAtomic(join(dir, fileName(file)), bytes);
    return name;
  }

  /**
   * Commits `next` unless this step lost the lock (it stalled past `staleMs` and another step
   * took over) or the index changed under it: then it removes its own files and fails, so a
   * resumed step never puts back its old view (issue 14).
   */
  async commit(next: Index): Promise<void> {
    if (!(await this.lock.held()) || (await readIfExists(this.indexPath)) !== this.indexText) {
      fail(
        "registry",
        `this step stalled longer than the file lock's stale time and another process took the lock over, so it committed nothing (the registry at ${this.root} holds the other step's result). Run the command again.`,
        { code: "ERR_REGISTRY_LOCK_LOST" },
      );
    }
    await writeAtomic(this.indexPath, `${JSON.stringify(next, null, 2)}\n`);
    this.#written.length = 0;
    await this.#sweep(next);
  }

  /** Removes what this step wrote (after a failure: nothing of it is referenced). */
  async discard(): Promise<void> {
    for (const path of this.#written) await rm(path, { recursive: true, force: true });
  }

  /**
   * Deletes what `index` does not name: files of releases that left it, older generations and
   * crash leftovers. Files another live process is writing (a step that stalled and will find
   * it lost the lock) are left to it.
   */
  async #sweep(index: Index): Promise<void> {
    const files = Object.values(index.files ?? {});
    const keep = {
      manifests: new Set(files.map((f) => f.manifest)),
      assets: new Set(files.flatMap((f) => (f.assets === null ? [] : [f.assets]))),
    };
    const inFlight = (name: string) => {
      const pid = writerPid(name);
      return pid !== null && pid !== process.pid && this.pidAlive(pid);
    };
    for (const folder of ["manifests", "assets"] as const) {
      for (const name of await readdir(join(this.root, folder))) {
        if (!keep[folder].has(name) && !inFlight(name)) {
          await rm(join(this.root, folder, name), { recursive: true, force: true });
        }
      }
    }
    for (const name of await readdir(this.root)) {
      const legacy = name === "manifest.json" || name === "bare-assets";
      const referenced = files.some(
        (f) => f.manifest === `../${name}` || f.assets === `../${name}`,
      );
      if (
        ((legacy && !referenced) || (name.endsWith(".tmp") && !name.startsWith(".lock"))) &&
        !inFlight(name)
      ) {
        await rm(join(this.root, name), { recursive: true, force: true });
      }
    }
  }
}
