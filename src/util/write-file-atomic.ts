import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Options of `writeFileAtomic`. */
export interface WriteFileAtomicOptions {
  /**
   * Flush the bytes to disk before the rename, so a power loss leaves the old file or the new
   * one, not an empty one (the registry's index and manifests need this; build output does not).
   * @default false
   */
  fsync?: boolean;
}

/**
 * Writes a file so readers see either the old bytes or the new ones, never a half-written
 * file: write a sibling temp file (`.<name>.<pid>.<random>.tmp`), then rename over the target
 * (atomic on one filesystem). Creates the directory when missing.
 * @example await writeFileAtomic("dist/static/staticfiles.json", json);
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = tempPathFor(path);
  try {
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(data);
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * `writeFileAtomic` without fsync, synchronously: for a small file written at the end of a
 * build, where the five trips through libuv's thread pool of the async form took longer than
 * the write itself (issue 15: 8 ms against 1.7 ms at a load average of 13 on 2 cores).
 */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    writeFileSync(temp, data, { flag: "wx" });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** A sibling temp file of `path`: `.<name>.<pid>.<random>.tmp`. */
function tempPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
}
