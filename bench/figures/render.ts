/**
 * Figure 1: ns per page (styles + scripts for three entries) on a small and a large manifest:
 * vite-rolling against a hand-rolled per-request integration and `@adonisjs/vite`'s tag
 * generation, in the same process, alternating, medians of several samples.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createViteRolling } from "../../src/index.js";
import { BASE } from "../lib/build.js";
import {
  checkPage,
  describeCheck,
  type ExpectedPage,
  expectedPage,
  isCorrect,
  type ManifestData,
} from "../lib/expected.js";
import { type FigureContext, type PreparedApp, runFigure, type Table } from "../lib/figure.js";
import { naivePage } from "../lib/naive.js";
import { loadAdonisVite } from "../lib/peers.js";
import { formatNs, formatRatio, median, now, rotate, type Sink, spread } from "../lib/stats.js";

/**
 * A page's HTML as the pieces a template would write (styles, scripts): folded into the sink
 * one by one, so the bench does not add a string concatenation no template makes.
 */
type Page = readonly [string, string] | readonly [string];

interface Contender {
  name: string;
  /** Renders page `i` (checked once, then folded into the sink). */
  page: (i: number) => Page | Promise<Page>;
  async: boolean;
  /** Why its numbers need a caveat, if they do. */
  caveat?: string;
}

/**
 * Runs `n` pages and returns ns per page: the process's CPU time (user + system, GC threads
 * included) over the sample when `cpu`, else wall time. Every page's output goes to the sink.
 * CPU time is what a page costs the server; on a shared machine wall time also counts the time
 * other processes held the cores (at a load average of 30 on 2 cores, ten times the CPU time).
 */
async function sample(c: Contender, n: number, sink: Sink, cpu = true): Promise<number> {
  // The previous contender's garbage is collected now, not inside this one's timing (the naive
  // integration parses a manifest per page; its old-generation work used to land in the next
  // sample's CPU time). Needs --expose-gc, which bench/run.ts passes.
  collectGarbage?.();
  const start = now();
  const startCpu = process.cpuUsage();
  if (c.async) {
    for (let i = 0; i < n; i++) for (const part of await c.page(i)) sink.string(part, i);
  } else {
    for (let i = 0; i < n; i++) for (const part of c.page(i) as Page) sink.string(part, i);
  }
  if (!cpu) return Number(now() - start) / n;
  const used = process.cpuUsage(startCpu);
  return ((used.user + used.system) * 1000) / n;
}

/** Pages per sample so one sample lasts about `targetMs` (also the contender's warm-up). */
async function calibrate(c: Contender, targetMs: number, sink: Sink): Promise<number> {
  let n = 1;
  for (;;) {
    const ns = await sample(c, n, sink, false);
    if (ns * n >= targetMs * 1e6 || n >= 1 << 24)
      return Math.max(1, Math.ceil((targetMs * 1e6) / ns));
    n *= 4;
  }
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

const NONCE_CONTENDER = "vite-rolling, CSP nonce per request";
const JOIN_CONTROL = "control: the same page's pieces joined around the nonce, no library";

async function contendersFor(
  app: PreparedApp,
  adonis: { entry: string; version: string } | { error: string },
  notes: string[],
): Promise<Contender[]> {
  const entries = app.entries;
  const vr = createViteRolling({ manifestPath: app.build.manifestPath, base: BASE, dev: false });
  await vr.ready();
  // Nonces differ per request; a pool made up front keeps their generation out of the timing.
  const nonces = Array.from({ length: 64 }, () => randomBytes(16).toString("base64"));
  // The control: the library's own nonce output cut at the nonce attribute, then joined again
  // per page around the request's nonce with no library code in between (base64 needs no
  // escaping). What any renderer pays to put one nonce into every tag of this page.
  const marker = { nonce: "bench-nonce-marker" };
  const cut = ' nonce="bench-nonce-marker"';
  const stylePieces = vr.styles(entries, marker).split(cut);
  const scriptPieces = vr.scripts(entries, marker).split(cut);
  const list: Contender[] = [
    {
      name: "vite-rolling",
      async: false,
      page: () => [vr.styles(entries), vr.scripts(entries)],
    },
    {
      name: NONCE_CONTENDER,
      async: false,
      page: (i) => {
        const ctx = { nonce: nonces[i & 63] };
        return [vr.styles(entries, ctx), vr.scripts(entries, ctx)];
      },
    },
    {
      name: JOIN_CONTROL,
      async: false,
      page: (i) => {
        const attribute = ` nonce="${nonces[i & 63]}"`;
        return [stylePieces.join(attribute), scriptPieces.join(attribute)];
      },
    },
    {
      name: "naive: readFileSync + JSON.parse + walk per request",
      async: false,
      page: () => {
        const { styles, scripts } = naivePage(app.build.manifestPath, entries, BASE);
        return [styles, scripts];
      },
    },
  ];
  if ("entry" in adonis) {
    const Vite = await loadAdonisVite(adonis.entry);
    const vite = new Vite({
      buildDirectory: app.build.outDir,
      assetsUrl: BASE,
      manifestFile: app.build.manifestPath,
    });
    list.push({
      name: `@adonisjs/vite ${adonis.version}: Vite#generateEntryPointsTags`,
      async: true,
      // What its @vite() Edge tag does with the elements: stringify and join.
      page: async () => [(await vite.generateEntryPointsTags([...entries])).join("\n")],
    });
  } else {
    notes.push(`@adonisjs/vite not measured: ${adonis.error}.`);
  }
  return list;
}

async function measureApp(
  app: PreparedApp,
  ctx: FigureContext,
  notes: string[],
): Promise<{ table: Table; medians: Map<string, number> }> {
  const manifest: ManifestData = JSON.parse(readFileSync(app.build.manifestPath, "utf8"));
  const expected: ExpectedPage = expectedPage(manifest, app.entries, BASE);
  const contenders = await contendersFor(app, ctx.prepared.adonis, notes);
  const checks = new Map<string, string>();
  // Correct output first: a contender that fails the check is reported, and only ours and the
  // naive one (both meant to be complete) stop the figure.
  for (const c of contenders) {
    const html = (await c.page(0)).join("\n");
    const check = checkPage(html, expected);
    checks.set(c.name, describeCheck(check, expected));
    if (!isCorrect(check)) {
      if (!c.name.startsWith("@adonisjs")) {
        throw new Error(
          `${c.name} rendered a wrong page for ${app.name}: ${describeCheck(check, expected)} (${check.missing.slice(0, 3).join(", ")})`,
        );
      }
      c.caveat = `the page ${describeCheck(check, expected)} (e.g. ${check.missing[0] ?? check.lazyLoaded[0] ?? check.duplicated[0]})`;
    }
  }
  const targetMs = ctx.quick ? 10 : 50;
  const rounds = ctx.quick ? 3 : 25;
  const sizes = new Map<Contender, number>();
  for (const c of contenders) sizes.set(c, await calibrate(c, targetMs, ctx.sink));
  const samples = new Map<Contender, number[]>(contenders.map((c) => [c, []]));
  for (let round = 0; round < rounds; round++) {
    for (const c of rotate(contenders, round))
      samples.get(c)!.push(await sample(c, sizes.get(c)!, ctx.sink));
  }
  const ours = median(samples.get(contenders[0]!)!);
  const medians = new Map<string, number>();
  const rows = contenders.map((c) => {
    const m = median(samples.get(c)!);
    medians.set(c.name, m);
    return [
      c.name,
      formatNs(m),
      `±${spread(samples.get(c)!).toFixed(1)}%`,
      c === contenders[0] ? "1.00×" : formatRatio(m / ours, m / ours >= 100 ? 0 : 2),
      checks.get(c.name) ?? "",
    ];
  });
  for (const c of contenders)
    if (c.caveat) notes.push(`${app.name} manifest, ${c.name}: ${c.caveat}.`);
  return {
    table: {
      title: `${app.name} manifest: ${Object.keys(manifest).length} chunks, ${(readFileSync(app.build.manifestPath).length / 1024).toFixed(1)} KiB; entries ${app.entries.join(", ")}; ${expected.styles.length} stylesheets, ${expected.preloads.length} modulepreloads, ${expected.scripts.length} scripts per page`,
      columns: [
        "contender",
        "CPU per page (median)",
        "spread (MAD)",
        "× vite-rolling",
        "output check",
      ],
      rows,
    },
    medians,
  };
}

await runFigure(
  "render",
  "Tag rendering: ns per page (styles + scripts, 3 entries)",
  async (ctx) => {
    const notes: string[] = [];
    const small = await measureApp(ctx.prepared.apps.small, ctx, notes);
    const large = await measureApp(ctx.prepared.apps.large, ctx, notes);
    const ours = large.medians.get("vite-rolling")!;
    const naive = large.medians.get("naive: readFileSync + JSON.parse + walk per request")!;
    const adonisName = [...large.medians.keys()].find((k) => k.startsWith("@adonisjs"));
    const adonis = adonisName ? large.medians.get(adonisName)! : Number.NaN;
    notes.push(
      "Why @adonisjs/vite's pages differ: it follows an entry's imports one level deep (build/src/vite.ts, #generateEntryPointsTagsWithManifest), so the CSS and modulepreloads of chunks imported by imported chunks are missing, and it pushes a stylesheet tag per entry for the CSS of a shared import without deduplicating. Its timing is therefore for less work than the others do. It also writes a preload next to every stylesheet and a modulepreload next to every entry script; those are its design, not counted as repeats.",
      "vite-rolling walks the manifest once per entry list (at the first render) and then joins precompiled strings; the naive integration redoes read + parse + walk per page; @adonisjs/vite caches the parsed manifest but rebuilds its tag objects per call (and is async).",
      `${ctx.quick ? 3 : 25} samples per contender and manifest, each about ${ctx.quick ? 10 : 50} ms (wall) of back-to-back pages; contenders alternate within each round. "Per page" is the process's CPU time (user + system, GC included) over the sample divided by the pages, after a full GC before each sample (so no contender pays for another's garbage): on a shared machine wall time also counts the time other processes held the cores. Every page's HTML is folded into a printed sink, which reads a character of each (so a string built as a rope is flattened, as writing it to a response would): none of it is optimised away.`,
      "With a nonce, each render joins the compiled pieces around the request's escaped nonce attribute (src/html/tags.ts, CompiledTags); the pieces are compiled once per entry list, as without a nonce. The control row does only that join, with no library code: the library's nonce output (one render with a marker nonce) cut at the attribute, joined again per page around the request's nonce. Its output passes the same check. The nonce row over the control is what the library adds to the join every nonce renderer must do.",
    );
    return {
      headline: `large manifest: ${formatNs(ours)}/page, ${formatNs(large.medians.get(NONCE_CONTENDER)!)} with a CSP nonce per request (the bare join of the same pieces around the nonce, no library: ${formatNs(large.medians.get(JOIN_CONTROL)!)}); naive ${formatRatio(naive / ours, 0)} slower${Number.isFinite(adonis) ? `, @adonisjs/vite ${formatRatio(adonis / ours, 0)} slower` : ""}`,
      tables: [small.table, large.table],
      notes,
    };
  },
);
