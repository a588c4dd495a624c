/**
 * The naive integration the simulation must catch: one manifest, read once at startup from a
 * fixed path, tags written by hand, built files served only from this instance's own disk, no
 * registry, no stale-client script. Same page shape, same release marker (`X-App-Version: <release>`) as the product.
 *
 * Env: SIM_RELEASE, SIM_DIST.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import { BASE } from "./pages.js";
import { announce, appRoutes, env, serveUntilSignal } from "./server-common.js";

interface Chunk {
  file: string;
  css?: string[];
  imports?: string[];
}

const release = env("SIM_RELEASE");
const dist = env("SIM_DIST");
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8")) as Record<
  string,
  Chunk
>;

/** What a typical hand-rolled helper writes: imported chunks' CSS and preloads one level deep. */
function tags(entry: string): { styles: string; scripts: string } {
  const chunk = manifest[entry]!;
  const imported = (chunk.imports ?? []).map((key) => manifest[key]!);
  const css = [...imported.flatMap((c) => c.css ?? []), ...(chunk.css ?? [])];
  return {
    styles: css.map((file) => `<link rel="stylesheet" href="${BASE}${file}">`).join(""),
    scripts: [
      ...imported.map((c) => `<link rel="modulepreload" crossorigin href="${BASE}${c.file}">`),
      `<script type="module" crossorigin src="${BASE}${chunk.file}"></script>`,
    ].join(""),
  };
}

const app = express();
app.use((_req, res, next) => {
  res.setHeader("x-app-version", release);
  next();
});
app.use(BASE, express.static(dist, { index: false }));
appRoutes(app, release, (entry) => {
  const { styles, scripts } = tags(entry);
  return { head: "", tags: styles + scripts };
});
serveUntilSignal(app, async () => {}).then((port) => announce(port, release));
