import type { Manifest } from "./types.js";

/**
 * Every output file of a manifest's chunks: their JS, CSS and assets. These are the files a
 * page of the release may ask for, and so the files an open tab may still want after the next
 * release replaced it.
 */
export function referencedFiles(manifest: Manifest): Set<string> {
  const files = new Set<string>();
  for (const chunk of Object.values(manifest)) {
    files.add(chunk.file);
    for (const file of chunk.css ?? []) files.add(file);
    for (const file of chunk.assets ?? []) files.add(file);
  }
  return files;
}
