/**
 * Figure 5: build time of the large app with and without the vite-rolling plugin, builds
 * alternating in this process after warm-up builds of each. The ratio is the median of
 * per-round ratios (each round builds every variant back to back), so load that drifts during
 * the run cancels; a control variant builds without the plugin again, and its ratio is the
 * noise the run cannot tell from an effect (on a shared 2-core machine, identical builds came
 * out up to 7% apart in runs of 80 rounds). The plugin's own hooks are timed too: the part of
 * the difference that is the plugin's work.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Plugin } from "vite";
import { viteRolling } from "../../src/vite/plugin.js";
import { buildApp } from "../lib/build.js";
import { runFigure } from "../lib/figure.js";
import { WORK } from "../lib/paths.js";
import { formatMs, formatRatio, median, msSince, now, rotate, spread } from "../lib/stats.js";

const collectGarbage = (globalThis as { gc?: () => void }).gc;

/** One build's cost: wall time, and CPU time of this process (user + system, every thread). */
interface Sample {
  wallMs: number;
  cpuMs: number;
}

/**
 * The plugin's hooks, each timed (performance.now around the handler, awaited): what the
 * plugin itself spends in a build, apart from the build's own noise. The wrapper keeps each
 * hook's order and sequential flags.
 */
function timedHooks(plugins: Plugin[], spent: { ms: number }): Plugin[] {
  return plugins.map((plugin) => {
    const timed: Plugin = { ...plugin };
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
      Object.assign(timed, {
        [name]: typeof hook === "function" ? wrapped : { ...hook, handler: wrapped },
      });
    }
    return timed;
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
    const variant = (name: string, folder: string, plugin: boolean) => ({
      name,
      outDir: join(WORK, "plugin", folder, "dist"),
      plugin,
      samples: [] as Sample[],
    });
    const without = variant("without plugin", "without", false);
    const withPlugin = variant("with viteRolling()", "with", true);
    const control = variant("without plugin, again (control)", "control", false);
    const variants = [without, withPlugin, control];
    type Variant = (typeof variants)[number];
    const build = async (v: Variant): Promise<Sample> => {
      const spent = { ms: 0 };
      const plugins = v.plugin ? timedHooks(viteRolling(), spent) : [];
      // The previous build's garbage is collected now, not inside this build's time (each
      // variant's builds follow another's). Needs --expose-gc, which bench/run.ts passes.
      collectGarbage?.();
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
    const rounds = quick ? 2 : 24;
    for (let round = 0; round < rounds; round++) {
      for (const v of rotate(variants, round)) v.samples.push(await build(v));
    }
    const wallOf = (v: Variant) => v.samples.map((s) => s.wallMs);
    const cpuOf = (v: Variant) => v.samples.map((s) => s.cpuMs);
    /** The median over rounds of v's build against the same round's build without the plugin. */
    const ratio = (v: Variant, of: (s: Sample) => number) =>
      median(v.samples.map((s, round) => of(s) / of(without.samples[round]!)));
    const ratios = (v: Variant) => ({
      wall: ratio(v, (s) => s.wallMs),
      cpu: ratio(v, (s) => s.cpuMs),
    });
    const effect = ratios(withPlugin);
    const noise = ratios(control);
    const base = median(wallOf(without));
    const hooks = median(hookMs);
    return {
      headline: `${formatMs(base)} without vs ${formatMs(median(wallOf(withPlugin)))} with the plugin: ${formatRatio(effect.wall, 3)} (control, the same build without it again: ${formatRatio(noise.wall, 3)}); ${formatMs(hooks)} in the plugin's hooks, ${((hooks / base) * 100).toFixed(1)}% of a build`,
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
            ...(
              [
                ["with / without, per round", effect],
                ["control / without, per round", noise],
              ] as const
            ).map(([name, r]) => [
              name,
              formatRatio(r.wall, 3),
              "",
              formatRatio(r.cpu, 3),
              "",
              String(rounds),
            ]),
            [
              "in the plugin's hooks",
              `${formatMs(hooks)} (${((hooks / base) * 100).toFixed(1)}% of a build without)`,
              `±${spread(hookMs).toFixed(1)}%`,
              "",
              "",
              String(hookMs.length),
            ],
          ],
        },
      ],
      notes: [
        `The large generated app (${large.jsModules} JS modules, ${large.build.chunks} chunks, ${large.build.cssFiles} CSS files), \`vite build\` through Vite's JS API in one process, no config file, base /static/, manifest on. ${warmups} warm-up build${warmups === 1 ? "" : "s"} of each variant, then ${rounds} rounds of one build of each, the order rotating every round; garbage collected before every build.`,
        "A ratio is the median of each round's build against that round's build without the plugin, not a ratio of two medians: builds a second apart share the machine's load. The control builds exactly what \"without plugin\" builds (into a folder of its own): its ratio is how far apart two identical variants came out in this run, so a with / without ratio within that distance of 1 is noise, not the plugin. CPU is this process's user + system time per build (Rolldown's threads included).",
        "With the plugin, the build also hashes every emitted file once (sha384 of the bytes Vite wrote, taken from the bundle in memory) and writes .vite/vite-rolling.json; the figure checks that sidecar exists only in the plugin's builds. The hook time wraps each of the plugin's hooks (performance.now around the awaited handler): the plugin's own work, whatever the noise of the build around it.",
      ],
    };
  },
);
