// One app process serving one release (RELEASE_VERSION): Express 5 + Nunjucks + htmx, with
// every tag from vite-rolling. start.mjs runs it behind a small front proxy.
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import express from "express";
import nunjucks from "nunjucks";
import { setStaticHeaders } from "vite-rolling";
import { viteRolling } from "vite-rolling/express";
import { register } from "vite-rolling/nunjucks";
import { DEMO, demoViteRolling, releasePaths } from "./release.mjs";

const release = process.env.RELEASE_VERSION;
const paths = releasePaths(release);
const vr = demoViteRolling(release);
await vr.ready();

const app = express();
const env = register(nunjucks.configure(`${DEMO}views`, { autoescape: true, express: app }), vr);
app.set("view engine", "njk");
env.addGlobal("release", release);
// "02:06:57 UTC" from the registry's ISO time; the full time stays in <time datetime>.
env.addFilter("clock", (iso) => `${String(iso).slice(11, 19)} UTC`);

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

/**
 * The live-releases panel's data: the registry's live releases and the release that rendered
 * the page (`pageRelease`); the template compares it with `release`, the one answering now,
 * which differs once a polled panel comes from a newer release. The demo reads the registry per render on purpose, to show it live; pages
 * themselves never wait on the registry (their tags come from memory).
 */
async function panel(pageRelease) {
  const releases = await vr.releases();
  return { pageRelease, releases };
}

// The panel alone, polled by htmx so the open tab sees `npm run demo:deploy`. Routed before
// vite-rolling on purpose: a view of the registry is no page content, so it carries no
// X-App-Version. With one, the stale-client script would treat a newer release's answer to a
// GET fragment as a stale partial update and reload the page (once per release, guarded), and
// a poll must never reload. The tab still moves on its next navigation or version check.
app.get("/_demo/releases", async (req, res) => {
  const from = typeof req.query.page === "string" ? req.query.page : "";
  res.render("releases", await panel(from));
});
app.use(viteRolling(vr));

const items = ["Blue/green without broken pages", "Canary by weight", "Old tabs recover"];
const page = (view, locals) => async (_req, res) =>
  res.render(view, { ...locals, ...(await panel(release)) });
app.get("/", page("index", { title: "Home" }));
app.get("/items", page("items", { title: "Items", items }));
app.get("/about", page("about", { title: "About" }));

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
