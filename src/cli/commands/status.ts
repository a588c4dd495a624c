import { status } from "../../deploy/status.js";
import type { ReleaseInfo } from "../../types.js";
import type { Command } from "../command.js";
import { loadCliOptions, REGISTRY_FLAGS_HELP } from "../config.js";

/** `12345` -> `12.1 kB` (1 kB = 1024 bytes, as `ls -h` does). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Time since an ISO date, coarse: `42s`, `5m`, `3h`, `2d`; "?" when unknown. */
export function formatAge(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "?";
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** One aligned line per release, the current one marked `*`. */
export function formatReleases(
  releases: readonly ReleaseInfo[],
  now: number = Date.now(),
): string[] {
  const width = Math.max(...releases.map((r) => r.release.length));
  return releases.map((info, index) => {
    const parts = [
      `${index === 0 ? "*" : " "} ${info.release.padEnd(width)}`,
      info.manifestHash
        ? `${formatSize(info.size).padStart(9)}  sha256 ${info.manifestHash.slice(0, 12)}`
        : "  (manifest missing: run refresh for this release again)",
      `registered ${info.registeredAt || "?"} (${formatAge(info.registeredAt, now)} ago)`,
    ];
    if (info.upstream) parts.push(`upstream ${info.upstream}`);
    if (info.appVersion) parts.push(`app ${info.appVersion}`);
    return parts.join("  ");
  });
}

/** `vite-rolling status`: what the registry holds. */
export const statusCommand: Command = {
  name: "status",
  summary: "list the registry's live releases, current first, with age and size",
  usage: `Usage: vite-rolling status [--json] [flags]

Lists the releases the registry holds, current (most recently registered) first,
marked "*", with manifest size, hash, age, upstream and app version.

  --json                       print {"location", "versionsToKeep", "releases"} as JSON

${REGISTRY_FLAGS_HELP}`,
  async run(args, io) {
    const { options } = await loadCliOptions(args, io, { name: "status", flags: ["json"] });
    const result = await status(options, io.env, { cwd: io.cwd });
    if (args.flags.json !== undefined) {
      io.out(JSON.stringify(result, null, 2));
      return 0;
    }
    if (result.releases.length === 0) {
      io.out(`${result.location}: no releases yet; run \`vite-rolling refresh\` after a build.`);
      return 0;
    }
    io.out(
      `${result.location}: ${result.releases.length} release(s), keeping ${result.versionsToKeep}${result.versionsMaxAge > 0 ? ` and any younger than ${result.versionsMaxAge} s` : ""}`,
    );
    for (const line of formatReleases(result.releases)) io.out(line);
    return 0;
  },
};
