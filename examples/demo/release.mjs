// Builds one release of the demo the way a deploy pipeline would: `vite build` with the
// vite-rolling plugin, `vite-rolling collect` for static files, then `vite-rolling refresh`.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "vite";

export const DEMO = fileURLToPath(new URL(".", import.meta.url));
// DEMO_STATE_DIR puts releases and the registry elsewhere (tests run the demo in a temp dir).
export const STATE = process.env.DEMO_STATE_DIR ?? `${DEMO}.demo`;
const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** Paths of one release's files. */
export function releasePaths(release) {
  const dir = `${STATE}/releases/${release}`;
  return {
    dir,
    dist: `${dir}/dist`,
    manifestPath: `${dir}/dist/.vite/manifest.json`,
    static: `${dir}/static`,
    staticManifestPath: `${dir}/static/staticfiles.json`,
  };
}

/** The embedded file registry every demo process shares (Redis instead when REDIS_URL is set). */
export const REGISTRY_DIR = `${STATE}/registry`;

/** Environment of a process of `release`. */
export function registryEnv(release) {
  return {
    ...process.env,
    NODE_ENV: "production",
    RELEASE_VERSION: release,
  };
}

function cli(args, release) {
  execFileSync(process.execPath, [CLI, ...args], { stdio: "inherit", env: registryEnv(release) });
}

/** Builds, collects and registers `release`; returns its paths. */
export async function buildRelease(release) {
  const paths = releasePaths(release);
  process.env.DEMO_RELEASE = release;
  await build({ configFile: `${DEMO}vite.config.mjs`, build: { outDir: paths.dist } });
  cli(["collect", `${DEMO}static`, paths.static], release);
  cli(
    [
      "refresh",
      "--manifest-path",
      paths.manifestPath,
      "--registry-dir",
      REGISTRY_DIR,
      "--retain-assets",
    ],
    release,
  );
  return paths;
}

/** The next free release id: r1, r2, ... */
export function nextRelease() {
  let n = 1;
  while (existsSync(releasePaths(`r${n}`).dir)) n++;
  return `r${n}`;
}
