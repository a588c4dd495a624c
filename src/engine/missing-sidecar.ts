import { sidecarPathFor } from "../manifest/sidecar.js";
import type { ResolvedOptions } from "../options.js";
import type { VersionInfo } from "../types.js";

/**
 * What is off when a build has no sidecar (built without the vite-rolling/vite plugin), and
 * how to fix it; null when nothing the user relies on is off (an explicit app version and
 * `integrity: false`).
 */
export function missingSidecarWarning(
  options: Pick<ResolvedOptions, "manifestPath" | "integrity">,
  version: VersionInfo,
): string | null {
  const off: string[] = [];
  if (version.source === "unknown") {
    off.push(
      `the app version is "${version.version}", so X-App-Version cannot tell releases apart and stale tabs are not detected`,
    );
  }
  if (options.integrity) off.push("tags carry no integrity attribute");
  if (off.length === 0) return null;
  return `[vite-rolling] [sidecar] no build record at ${JSON.stringify(sidecarPathFor(options.manifestPath))} (the build ran without the vite-rolling/vite plugin): ${off.join("; ")}. Fix: add viteRolling() from "vite-rolling/vite" to vite.config's plugins and run \`vite build\` again.`;
}
