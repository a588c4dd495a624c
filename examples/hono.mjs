// The demo's front end served by Hono 4 on Node: `npm run build && node examples/hono.mjs`.
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { createViteRolling, immutableCacheControl } from "vite-rolling";
import { viteRolling } from "vite-rolling/hono";
import { buildRelease, REGISTRY_DIR } from "./demo/release.mjs";

const release = process.env.RELEASE_VERSION ?? "hono-1";
const paths = await buildRelease(release);
const vr = createViteRolling({
  manifestPath: paths.manifestPath,
  staticManifestPath: paths.staticManifestPath,
  registryDir: REGISTRY_DIR,
  release,
  dev: false,
});
await vr.ready();

const app = new Hono();
app.use(viteRolling(vr));
app.use(
  "/static/*",
  serveStatic({
    root: paths.dist,
    rewriteRequestPath: (path) => path.replace(/^\/static/, ""),
    onFound: (path, c) => {
      const cacheControl = immutableCacheControl(path);
      if (cacheControl) c.header("cache-control", cacheControl);
    },
  }),
);
app.get("/", (c) => {
  const vite = c.get("vite");
  return c.html(`<!doctype html>
<html><head><title>Hono · vite-rolling</title>${vite.styles("src/main.ts")}</head>
<body><h1>Hono, release ${release}</h1><p data-status>script not run yet</p>
<button data-chart>Load the lazy chart chunk</button><div data-chart-target></div>
${vite.scripts("src/main.ts")}</body></html>`);
});

const port = Number(process.env.PORT ?? 3003);
serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => {
  console.log(`Hono example: http://127.0.0.1:${port}/`);
});
