// Builds one release of the demo the way a deploy pipeline would: `vite build` with the
// vite-rolling plugin, `vite-rolling collect` for static files, then `vite-rolling refresh`.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { createViteRolling } from "vite-rolling";

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

/**
 * The demo's vite-rolling instance for `release`: the app process serves with it, and the build
 * step reads its app version (build hash + templates) to register it with the release.
 */
export function demoViteRolling(release) {
  const paths = releasePaths(release);
  const vr = createViteRolling({
    release,
    manifestPath: paths.manifestPath,
    staticManifestPath: paths.staticManifestPath,
    registryDir: REGISTRY_DIR,
    dev: false,
    // Old tabs' chunks are served from the registry by whichever release answers.
    retainAssets: true,
    secret: process.env.SECRET_KEY ?? "demo-secret",
  });
  vr.registerVersionComponent(
    "templates",
    ["layout", "index", "items", "about", "releases"].map((v) => `${DEMO}views/${v}.njk`),
  );
  return vr;
}

/** The app version `release` will serve, for the registry's record of it. */
async function appVersionOf(release) {
  const vr = demoViteRolling(release);
  try {
    await vr.ready();
    return vr.appVersion();
  } finally {
    await vr.close();
  }
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
      "--app-version",
      await appVersionOf(release),
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
