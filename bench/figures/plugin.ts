/**
 * Figure 5: build time of the large app with and without the vite-rolling plugin, alternating
 * builds in this process after warm-up builds of each. The ratio is the median of per-round
 * ratios (each round builds both, back to back), with a 95% interval, so load that drifts
 * during the run cancels out; the process's CPU time per build (Rolldown's threads included)
 * is reported beside wall time because other work on the machine stretches waiting, not work.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Plugin } from "vite";
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

/** One build's cost: wall time, and CPU time of this process (user + system, every thread). */
interface Sample {
  wallMs: number;
  cpuMs: number;
}

/**
 * The median of `values` with a distribution-free 95% interval: the order statistics whose
 * ranks bracket the median (normal approximation of the binomial, n ≥ 6).
 */
function medianInterval(values: readonly number[]): { median: number; low: number; high: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const k = Math.max(0, Math.floor(n / 2 - 0.98 * Math.sqrt(n)));
  return { median: median(sorted), low: sorted[k]!, high: sorted[n - 1 - k]! };
}

/**
 * The plugin's hooks, each timed (performance.now around the handler, awaited): what the
 * plugin itself spends in a build, apart from the build's own noise. The wrapper keeps each
 * hook's order and sequential flags.
 */
function timedHooks(plugins: Plugin[], spent: { ms: number }): Plugin[] {
  return plugins.map((plugin) => {
    const timed: Record<string, unknown> = { ...plugin };
    for (const [name, hook] of Object.entries(plugin)) {
      const handler =
        typeof hook === "function"
          ? hook
          : hook && typeof hook === "object" && typeof hook.handler === "function"
            ? hook.handler
            : null;
      if (!handler || name === "api") continue;
      const wrapped = async function (this: unknown, ...args: unknown[]) {
        const start = now();
        try {
          return await handler.apply(this, args);
        } finally {
          spent.ms += msSince(start);
        }
      };
      timed[name] = typeof hook === "function" ? wrapped : { ...hook, handler: wrapped };
    }
    return timed as unknown as Plugin;
  });
}

await runFigure(
  "plugin",
  "Vite plugin overhead: build time of the large app",
  async ({ prepared, quick, sink }) => {
    const large = prepared.apps.large;
    // The sources bench/run.ts generated; the builds go to folders of this figure.
    const app = { root: large.root, input: large.input };
    const hookMs: number[] = [];
    const variants = [
      {
        name: "without plugin",
        outDir: join(WORK, "plugin", "without", "dist"),
        plugin: false,
        samples: [] as Sample[],
      },
      {
        name: "with viteRolling()",
        outDir: join(WORK, "plugin", "with", "dist"),
        plugin: true,
        samples: [] as Sample[],
      },
    ];
    const build = async (v: (typeof variants)[number]): Promise<Sample> => {
      const spent = { ms: 0 };
      const plugins = v.plugin ? timedHooks(viteRolling(), spent) : [];
      const start = now();
      const cpu = process.cpuUsage();
      const report = await buildApp(app, v.outDir, plugins);
      const used = process.cpuUsage(cpu);
      const wallMs = msSince(start);
      if (v.plugin) hookMs.push(spent.ms);
      sink.number(report.chunks);
      const sidecar = existsSync(join(v.outDir, ".vite", "vite-rolling.json"));
      if (sidecar !== v.plugin)
        throw new Error(`${v.name}: the sidecar is ${sidecar ? "there" : "missing"}`);
      if (report.bundledModules !== large.build.bundledModules) {
        throw new Error(
          `${v.name}: ${report.bundledModules} modules bundled, expected ${large.build.bundledModules}`,
        );
      }
      return { wallMs, cpuMs: (used.user + used.system) / 1000 };
    };
    // Warm-up: Vite's and Rolldown's first builds load and compile code.
    const warmups = quick ? 1 : 2;
    for (let i = 0; i < warmups; i++) for (const v of variants) await build(v);
    hookMs.length = 0;
    const rounds = quick ? 2 : 30;
    const wallRatios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const v of rotate(variants, round)) v.samples.push(await build(v));
      const [a, b] = variants.map((v) => v.samples[round]!) as [Sample, Sample];
      wallRatios.push(b.wallMs / a.wallMs);
      cpuRatios.push(b.cpuMs / a.cpuMs);
    }
    const wallOf = (v: (typeof variants)[number]) => v.samples.map((s) => s.wallMs);
    const cpuOf = (v: (typeof variants)[number]) => v.samples.map((s) => s.cpuMs);
    const [without, withPlugin] = variants.map((v) => median(wallOf(v))) as [number, number];
    const wall = medianInterval(wallRatios);
    const cpu = medianInterval(cpuRatios);
    const hooks = median(hookMs);
    const interval = (r: { low: number; high: number }) =>
      `${formatRatio(r.low, 3)}–${formatRatio(r.high, 3)}`;
    return {
      headline: `${formatMs(without)} without vs ${formatMs(withPlugin)} with the plugin: ${formatRatio(wall.median, 3)} wall (95% ${interval(wall)}), ${formatRatio(cpu.median, 3)} CPU; ${formatMs(hooks)} in the plugin's hooks`,
      tables: [
        {
          columns: ["build", "wall median", "spread (MAD)", "CPU median", "spread (MAD)", "builds"],
          rows: [
            ...variants.map((v) => [
              v.name,
              formatMs(median(wallOf(v))),
              `±${spread(wallOf(v)).toFixed(1)}%`,
              formatMs(median(cpuOf(v))),
              `±${spread(cpuOf(v)).toFixed(1)}%`,
              String(v.samples.length),
            ]),
            [
              "with / without, per round",
              `${formatRatio(wall.median, 3)} (95% ${interval(wall)})`,
              "",
              `${formatRatio(cpu.median, 3)} (95% ${interval(cpu)})`,
              "",
              String(rounds),
            ],
            [
              "in the plugin's hooks",
              `${formatMs(hooks)} (${formatDeltaMs(hooks)}, ${((hooks / without) * 100).toFixed(1)}% of a build without)`,
              `±${spread(hookMs).toFixed(1)}%`,
              "",
              "",
              String(hookMs.length),
            ],
          ],
        },
      ],
      notes: [
        `The large generated app (${large.jsModules} JS modules, ${large.build.chunks} chunks, ${large.build.cssFiles} CSS files), \`vite build\` through Vite's JS API in one process, no config file, base /static/, manifest on. ${warmups} warm-up build${warmups === 1 ? "" : "s"} of each variant, then ${rounds} rounds of one build each, alternating which goes first.`,
        "The ratio is the median of each round's with / without (its 95% interval from order statistics), not the ratio of two medians: two builds a second apart share the machine's load, so drifting load cancels. CPU is this process's user + system time per build (Rolldown's threads included): other work on the machine stretches wall time far more than it stretches work done.",
        "With the plugin, the build also hashes every emitted file once (sha384 of the bytes Vite wrote, taken from the bundle in memory) and writes .vite/vite-rolling.json; the figure checks that sidecar exists only in the plugin's builds. The hook time wraps each of the plugin's hooks (performance.now around the awaited handler): the plugin's own work, as a share of a build without it.",
      ],
    };
  },
);
