// Figure 6's child: starts like a production server would (plain Node, no TS loader), renders
// the first page and prints it as one JSON line: the page, and the ms from before the library's
// import to the rendered page. The parent times spawn -> that line.
// Usage: node bench/cold-start-child.mjs <vite-rolling|adonis> <module> <manifestPath> <entriesJSON>
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";

const [mode, module, manifestPath, entriesJson] = process.argv.slice(2);
const entries = JSON.parse(entriesJson);
const start = process.hrtime.bigint();
let html;
if (mode === "vite-rolling") {
  const { createViteRolling } = await import(pathToFileURL(module).href);
  const vr = createViteRolling({ manifestPath, dev: false, base: "/static/" });
  await vr.ready();
  html = vr.styles(entries) + vr.scripts(entries);
} else if (mode === "adonis") {
  const { Vite } = await import(pathToFileURL(module).href);
  const vite = new Vite({
    buildDirectory: dirname(dirname(manifestPath)),
    assetsUrl: "/static",
    manifestFile: manifestPath,
  });
  html = (await vite.generateEntryPointsTags(entries)).join("\n");
} else {
  throw new Error(`unknown mode ${mode}`);
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(`${JSON.stringify({ html, ms })}\n`);
