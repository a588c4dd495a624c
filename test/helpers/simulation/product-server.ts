/**
 * One app instance as vite-rolling is meant to be used: Express 5, `vite-rolling/express`
 * (imported from src), the registry shared by every instance, other releases' files from the
 * registry (`retainAssets`) or from an S3 bucket (`assetStore`). It has only its own release's
 * build on disk, as a container would. Forked by `instances.ts` (bundled,
 * plain `node`); reports `{ ready, port, version }` over IPC, stops gracefully on SIGTERM.
 *
 * Env: SIM_RELEASE, SIM_DIST (this release's build), SIM_PREFIX, and SIM_REGISTRY_DIR (file
 * registry) or SIM_REDIS_URL (Redis registry); SIM_RETAIN_ASSETS ("0": off), SIM_ASSET_STORE
 * (`s3://bucket/prefix`, with the AWS variables the library reads for it).
 */
import { join } from "node:path";
import express from "express";
import { viteRolling } from "../../../src/adapters/express.js";
import { createViteRolling } from "../../../src/engine/front.js";
import { setStaticHeaders } from "../../../src/static/immutable-cache-control.js";
import { BASE } from "./pages.js";
import { announce, appRoutes, env, serveUntilSignal } from "./server-common.js";

const release = env("SIM_RELEASE");
const dist = env("SIM_DIST");
const prefix = env("SIM_PREFIX");
const vr = createViteRolling({
  manifestPath: join(dist, ".vite/manifest.json"),
  base: BASE,
  dev: false,
  release,
  retainAssets: process.env.SIM_RETAIN_ASSETS !== "0",
  assetStore: process.env.SIM_ASSET_STORE || null,
  cacheKeyPrefix: prefix,
  versionsRedisKey: `${prefix}:releases`,
  ...(process.env.SIM_REDIS_URL
    ? { redis: process.env.SIM_REDIS_URL }
    : { registryDir: env("SIM_REGISTRY_DIR") }),
  logger: { warn: (message: string) => console.error(`[${release}] ${message}`) },
});
await vr.ready();

const app = express();
app.use(viteRolling(vr));
app.use(BASE, express.static(dist, { index: false, setHeaders: setStaticHeaders }));
appRoutes(app, release, (entry) => ({
  head: vr.versionTags(),
  tags: vr.styles(entry) + vr.scripts(entry),
}));
serveUntilSignal(app, () => vr.close()).then((port) => announce(port, vr.appVersion()));
