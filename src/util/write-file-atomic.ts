import { randomBytes } from "node:crypto";
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
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
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
