import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, relative, resolve, sep } from "node:path";
import { fail } from "../errors.js";
import { stableJson } from "../util/stable-json.js";
import { writeFileAtomic } from "../util/write-file-atomic.js";
import { hashOfPairs, sha256Hex, shortHash } from "../version/hash.js";
import { STATIC_MANIFEST_FILE_NAME, type StaticManifest } from "./static-manifest.js";

/** What `collectStatic` did. */
export interface CollectResult {
  manifest: StaticManifest;
  /** Absolute path of the `staticfiles.json` written. */
  manifestPath: string;
  /** Number of source files collected. */
  files: number;
}

/**
 * `css/styles.css` with content hash `a1b2...` becomes `css/styles.a1b2c3d4e5f6.css`
 * (Django's ManifestStaticFilesStorage naming: 12 hex digits before the last extension).
 */
export function hashedName(path: string, sha256: string): string {
  const ext = extname(path);
  const stem = ext ? path.slice(0, -ext.length) : path;
  return `${stem}.${shortHash(sha256)}${ext}`;
}

/**
 * Django's default ignore patterns (`CVS`, `.*`, `*~`): editor backups, VCS folders and
 * dotfiles such as .DS_Store are not static files.
 */
function ignored(name: string): boolean {
  return name === "CVS" || name.startsWith(".") || name.endsWith("~");
}

/**
 * Copies every file of `src` into `out` twice: under its own name, and under a content-hashed
 * name that can be cached forever; then writes `out/staticfiles.json` mapping one to the other.
 * Every write is atomic (temp file + rename) and the manifest is written last, so a server
 * reading `out` meanwhile sees the previous release's manifest with all its files present.
 * Hashed files of earlier releases are kept: tabs still running them keep working.
 *
 * @example
 * const { manifest } = await collectStatic("static", "dist/static");
 * manifest.paths["css/styles.css"]; // "css/styles.a1b2c3d4e5f6.css"
 */
export async function collectStatic(src: string, out: string): Promise<CollectResult> {
  const source = resolve(src);
  const target = resolve(out);
  const info = await stat(source).catch((error: unknown) =>
    fail(
      "collect",
      `source directory ${src} does not exist or cannot be read. Pass the folder that holds your static files.`,
      { cause: error, code: "ERR_STATIC_COLLECT" },
    ),
  );
  if (!info.isDirectory())
    fail(
      "collect",
      `source ${src} is not a directory. Pass the folder that holds your static files.`,
      { code: "ERR_STATIC_COLLECT" },
    );
  if (source === target) {
    fail(
      "collect",
      `source and output are the same directory (${src}). Pass a separate output directory, e.g. "dist/static".`,
      { code: "ERR_STATIC_COLLECT" },
    );
  }

  const files = await listFiles(source, target);
  const hashes: Record<string, string> = {};
  const paths: Record<string, string> = {};
  for (const path of files) {
    if (path === STATIC_MANIFEST_FILE_NAME) {
      fail(
        "collect",
        `${join(src, path)} would be overwritten by the manifest collect writes. Rename or move that file.`,
        { code: "ERR_STATIC_COLLECT" },
      );
    }
    const bytes = await readFile(join(source, path));
    const hash = sha256Hex(bytes);
    hashes[path] = hash;
    paths[path] = hashedName(path, hash);
    // The hashed name fixes the content, so an existing hashed file is already right.
    const hashedPath = join(target, paths[path]);
    if (!(await exists(hashedPath))) await writeFileAtomic(hashedPath, bytes);
    await writeFileAtomic(join(target, path), bytes);
  }

  const manifest: StaticManifest = { version: 1, hash: hashOfPairs(hashes), paths };
  const manifestPath = join(target, STATIC_MANIFEST_FILE_NAME);
  await writeFileAtomic(manifestPath, stableJson(manifest));
  return { manifest, manifestPath, files: files.length };
}

/** Every file under `root` as a sorted list of "/"-separated relative paths, `skip` excluded. */
async function listFiles(root: string, skip: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (ignored(entry.name)) continue;
      const full = join(dir, entry.name);
      // An output folder nested in the source must not collect itself.
      if (full === skip) continue;
      const isDir =
        entry.isDirectory() || (entry.isSymbolicLink() && (await stat(full)).isDirectory());
      if (isDir) await walk(full);
      else if (entry.isFile() || entry.isSymbolicLink())
        found.push(relative(root, full).split(sep).join("/"));
    }
  };
  await walk(root);
  return found.sort();
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
