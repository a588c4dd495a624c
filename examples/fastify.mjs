// The demo's front end served by Fastify 5: `npm run build && node examples/fastify.mjs`.
import Fastify from "fastify";
import { createViteRolling } from "vite-rolling";
import { viteRolling } from "vite-rolling/fastify";
import { buildRelease, REGISTRY_DIR } from "./demo/release.mjs";

const release = process.env.RELEASE_VERSION ?? "fastify-1";
const paths = await buildRelease(release);
const vr = createViteRolling({
  manifestPath: paths.manifestPath,
  staticManifestPath: paths.staticManifestPath,
  registryDir: REGISTRY_DIR,
  release,
  dev: false,
});
await vr.ready();

const app = Fastify();
await app.register(viteRolling(vr));
app.get("/static/*", async (request, reply) => {
  // A real app uses @fastify/static; this keeps the example to one dependency.
  const { readFile } = await import("node:fs/promises");
  const file = request.params["*"];
  if (file.includes("..")) return reply.code(404).send();
  const body = await readFile(`${paths.dist}/${file}`).catch(() => null);
  if (!body) return reply.code(404).send();
  const type = file.endsWith(".css") ? "text/css" : "text/javascript";
  return reply.type(type).header("cache-control", "public, max-age=31536000, immutable").send(body);
});
app.get("/", async (request, reply) => {
  const { vite } = request;
  return reply.type("text/html").send(`<!doctype html>
<html><head><title>Fastify · vite-rolling</title>${vite.styles("src/main.ts")}</head>
<body><h1>Fastify, release ${release}</h1><p data-status>script not run yet</p>
<button data-chart>Load the lazy chart chunk</button><div data-chart-target></div>
${vite.scripts("src/main.ts")}</body></html>`);
});

const address = await app.listen({ port: Number(process.env.PORT ?? 3002), host: "127.0.0.1" });
console.log(`Fastify example: ${address}/`);
