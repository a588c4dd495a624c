// One app process serving one release (RELEASE_VERSION): Express 5 + Nunjucks + htmx, with
// every tag from vite-rolling. start.mjs runs it behind a small front proxy.
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import express from "express";
import nunjucks from "nunjucks";
import { createViteRolling, setStaticHeaders } from "vite-rolling";
import { viteRolling } from "vite-rolling/express";
import { register } from "vite-rolling/nunjucks";
import { DEMO, REGISTRY_DIR, releasePaths } from "./release.mjs";

const release = process.env.RELEASE_VERSION;
const paths = releasePaths(release);
const vr = createViteRolling({
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
  ["layout", "index", "items", "about"].map((v) => `${DEMO}views/${v}.njk`),
);
await vr.ready();

const app = express();
const env = register(nunjucks.configure(`${DEMO}views`, { autoescape: true, express: app }), vr);
app.set("view engine", "njk");
env.addGlobal("release", release);

const htmx = createRequire(import.meta.url).resolve("htmx2/dist/htmx.min.js");
app.get("/vendor/htmx.min.js", (_req, res) => res.sendFile(htmx));
// Hashed files are immutable: a year of caching, safe because a new release has new names.
app.use("/static", express.static(paths.dist, { setHeaders: setStaticHeaders, index: false }));
app.use("/static", express.static(paths.static, { setHeaders: setStaticHeaders, index: false }));
// A CSP nonce per response: vite-rolling puts it on every tag it writes, preloads included.
app.use((_req, res, next) => {
  res.locals.cspNonce = randomBytes(16).toString("base64");
  res.setHeader(
    "content-security-policy",
    `script-src 'nonce-${res.locals.cspNonce}' 'strict-dynamic'; object-src 'none'; base-uri 'none'`,
  );
  next();
});
app.use(viteRolling(vr));

const items = ["Blue/green without broken pages", "Canary by weight", "Old tabs recover"];
app.get("/", (_req, res) => res.render("index", { title: "Home" }));
app.get("/items", (_req, res) => res.render("items", { title: "Items", items }));
app.get("/about", (_req, res) => res.render("about", { title: "About" }));

const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address();
  if (process.send) process.send({ ready: true, port, release, version: vr.appVersion() });
  else
    console.log(`release ${release} (app version ${vr.appVersion()}) on http://127.0.0.1:${port}/`);
});
const stop = () => server.close(() => vr.close().then(() => process.exit(0)));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// Started by start.mjs: never outlive it, however it ended.
process.on("disconnect", stop);
