/**
 * Figure 5: build time of the large app with and without the vite-rolling plugin, alternating
 * builds in this process, medians after one warm-up build of each.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { viteRolling } from "../../src/vite/plugin.js";
import { buildApp } from "../lib/build.js";
import { runFigure } from "../lib/figure.js";
import { WORK } from "../lib/paths.js";
import {
  formatDeltaMs,
  formatMs,
  formatRatio,
  median,
  msSince,
  now,
  rotate,
  spread,
} from "../lib/stats.js";

await runFigure(
  "plugin",
  "Vite plugin overhead: build time of the large app",
  async ({ prepared, quick, sink }) => {
    const large = prepared.apps.large;
    // The sources bench/run.ts generated; the builds go to folders of this figure.
    const app = { root: large.root, input: large.input };
    const variants = [
      {
        name: "without plugin",
        outDir: join(WORK, "plugin", "without", "dist"),
        plugin: false,
        ms: [] as number[],
      },
      {
        name: "with viteRolling()",
        outDir: join(WORK, "plugin", "with", "dist"),
        plugin: true,
        ms: [] as number[],
      },
    ];
    const build = async (v: (typeof variants)[number]) => {
      const start = now();
      const report = await buildApp(app, v.outDir, v.plugin ? viteRolling() : []);
      const ms = msSince(start);
      sink.number(report.chunks);
      const sidecar = existsSync(join(v.outDir, ".vite", "vite-rolling.json"));
      if (sidecar !== v.plugin)
        throw new Error(`${v.name}: the sidecar is ${sidecar ? "there" : "missing"}`);
      if (report.bundledModules !== large.build.bundledModules) {
        throw new Error(
          `${v.name}: ${report.bundledModules} modules bundled, expected ${large.build.bundledModules}`,
        );
      }
      return ms;
    };
    for (const v of variants) await build(v); // warm-up: Vite's and Rolldown's first build loads code
    const rounds = quick ? 2 : 20;
    for (let round = 0; round < rounds; round++) {
      for (const v of rotate(variants, round)) v.ms.push(await build(v));
    }
    const [without, withPlugin] = variants.map((v) => median(v.ms)) as [number, number];
    const ratio = withPlugin / without;
    return {
      headline: `${formatMs(without)} without vs ${formatMs(withPlugin)} with the plugin: ${formatRatio(ratio, 3)} (${formatDeltaMs(withPlugin - without)})`,
      tables: [
        {
          columns: ["build", "median", "spread (MAD)", "builds"],
          rows: [
            ...variants.map((v) => [
              v.name,
              formatMs(median(v.ms)),
              `±${spread(v.ms).toFixed(1)}%`,
              String(v.ms.length),
            ]),
            ["with / without", formatRatio(ratio, 3), "", ""],
          ],
        },
      ],
      notes: [
        `The large generated app (${large.jsModules} JS modules, ${large.build.chunks} chunks, ${large.build.cssFiles} CSS files), \`vite build\` through Vite's JS API in one process, no config file, base /static/, manifest on. ${rounds} builds per variant after one warm-up build each, alternating.`,
        "With the plugin, the build also hashes every emitted file once (sha384 of the bytes Vite wrote, taken from the bundle in memory) and writes .vite/vite-rolling.json; the figure checks that sidecar exists only in the plugin's builds.",
      ],
    };
  },
);
