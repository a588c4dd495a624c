/**
 * `npm run bench [-- --quick] [-- --only=render,refresh]`: prepares the apps (generated,
 * built by Vite), then runs each figure in a process of its own and writes bench/RESULTS.md.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { viteRolling } from "../src/vite/plugin.js";
import { type AppShape, generateApp, LARGE_APP, SMALL_APP } from "./generate-app.js";
import { buildApp } from "./lib/build.js";
import type { FigureResult, Prepared, PreparedApp } from "./lib/figure.js";
import { type MachineInfo, machineInfo, machineLine } from "./lib/machine.js";
import { APPS, BENCH, LIB, PREPARED, RESULTS, ROOT, WORK } from "./lib/paths.js";
import { ensureAdonis } from "./lib/peers.js";

const FIGURES = [
  { id: "render", title: "Tag rendering" },
  { id: "registry-round-trips", title: "Registry round trips per request" },
  { id: "refresh", title: "refresh vs keyspace size" },
  { id: "middleware", title: "Middleware overhead" },
  { id: "plugin", title: "Vite plugin overhead" },
  { id: "cold-start", title: "Cold start" },
  // Numbered by position in RESULTS.md (src/ cites figures 4 and 6 by number): new ones go last.
  { id: "instructions", title: "Instructions per request" },
] as const;

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
if (args.includes("--help")) {
  console.log(`npm run bench [-- --quick] [-- --only=${FIGURES.map((f) => f.id).join(",")}]`);
  process.exit(0);
}
const selected = FIGURES.filter((f) => !only || only.includes(f.id));
if (only && selected.length !== only.length) {
  console.error(`unknown figure in --only; known: ${FIGURES.map((f) => f.id).join(", ")}`);
  process.exit(2);
}

async function prepareApp(shape: AppShape): Promise<PreparedApp> {
  const app = generateApp(join(APPS, shape.name), shape);
  // Built with the plugin, as an app using vite-rolling is.
  const build = await buildApp(app, join(APPS, shape.name, "dist"), viteRolling());
  console.log(
    `[bench] ${shape.name} app: ${app.jsModules} JS modules (${build.bundledModules} bundled), ${app.cssFiles} CSS sources -> ${build.cssFiles} CSS files, ${build.chunks} chunks (${build.sharedChunks} shared, ${build.dynamicEntries} dynamic), ${app.dynamicImports} import() calls`,
  );
  return {
    name: shape.name,
    root: app.root,
    input: app.input,
    entries: app.entryKeys.slice(0, 3),
    jsModules: app.jsModules,
    cssFiles: app.cssFiles,
    dynamicImports: app.dynamicImports,
    build,
  };
}

/** tsc's JS output of src/, for child processes that must start as users' do: without a TS loader. */
function compileLibrary(): Prepared["lib"] {
  rmSync(LIB, { recursive: true, force: true });
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(
      process.execPath,
      [
        tsc,
        "-p",
        "tsconfig.build.json",
        "--outDir",
        LIB,
        "--declaration",
        "false",
        "--declarationMap",
        "false",
        "--sourceMap",
        "false",
      ],
      { cwd: ROOT, stdio: "pipe" },
    );
  } catch (error) {
    // Type errors still emit JS; only a missing output stops the cold-start figure.
    if (!existsSync(join(LIB, "index.js"))) {
      return { error: `tsc emitted no library (${String(error).split("\n")[0]})` };
    }
    console.log("[bench] note: tsc reported type errors in src/ (the JS was emitted and is used)");
  }
  return { dir: LIB };
}

function runFigureProcess(id: string): Promise<FigureResult> {
  const file = join(BENCH, "figures", `${id}.ts`);
  const out = join(RESULTS, `${id}.json`);
  rmSync(out, { force: true });
  // Figure 4 alternates four apps per framework and response (about 9 minutes on its own),
  // figure 7 counts four apps under valgrind (about 5, twice that beside other load).
  const limitMs = (quick ? 240 : 900) * 1000;
  return new Promise((resolve) => {
    // Own process group, so a figure that overruns goes with the servers it started.
    // Figures set the registry, release and version they measure; none comes from the shell.
    const env = { ...process.env };
    for (const name of ["REDIS_URL", "RELEASE_VERSION", "APP_VERSION", "SECRET_KEY"])
      delete env[name];
    const child = spawn(
      process.execPath,
      // --expose-gc: figures settle the previous contender's garbage before timing the next.
      ["--expose-gc", "--import", "tsx", file, ...(quick ? ["--quick"] : [])],
      { cwd: ROOT, env, stdio: "inherit", detached: true },
    );
    const timer = setTimeout(() => {
      console.error(`[bench] ${id} overran ${limitMs / 1000} s; stopping it`);
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }, limitMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (existsSync(out)) return resolve(JSON.parse(readFileSync(out, "utf8")));
      resolve({
        id,
        title: FIGURES.find((f) => f.id === id)?.title ?? id,
        headline: "not measured",
        tables: [],
        notes: [],
        quick,
        seconds: limitMs / 1000,
        error: `the figure's process ended (${signal ?? `exit ${code}`}) without a result`,
      });
    });
  });
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function markdown(machine: MachineInfo, results: FigureResult[], seconds: number): string {
  const loadEnd = loadavg()[0] ?? 0;
  const lines = [
    "# Benchmark results",
    "",
    `Written by \`npm run bench${quick ? " -- --quick" : ""}\` on ${machine.date} (${quick ? "**quick smoke run: too few samples to quote**" : "full run"}, ${Math.round(seconds)} s).`,
    "",
    `Machine: ${machineLine(machine)}, ${loadEnd.toFixed(2)} at the end (other work on the machine makes every figure noisier; the spreads show how much).`,
    `Library: git ${machine.commit}.`,
    "",
    "Each figure ran in a process of its own; medians of several samples; contenders alternate within a run. Timings are claims of this run on this machine, not assertions (no test times anything).",
    "",
    "| # | Figure | Result |",
    "|---|---|---|",
    ...results.map(
      (r, i) =>
        `| ${i + 1} | ${cell(r.title)} | ${cell(r.error ? `not measured: ${r.error}` : r.headline)} |`,
    ),
    "",
  ];
  results.forEach((r, i) => {
    lines.push(`## ${i + 1}. ${r.title}`, "");
    if (r.error) lines.push(`Not measured: ${r.error}`, "");
    for (const t of r.tables) {
      if (t.title) lines.push(`${t.title}`, "");
      lines.push(
        `| ${t.columns.map(cell).join(" | ")} |`,
        `|${t.columns.map(() => "---").join("|")}|`,
      );
      for (const row of t.rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
      lines.push("");
    }
    for (const n of r.notes) lines.push(`- ${n}`);
    if (r.notes.length) lines.push("");
    lines.push(`<sub>${r.seconds.toFixed(1)} s; sink ${r.sink ?? "-"}</sub>`, "");
  });
  return lines.join("\n");
}

const started = process.hrtime.bigint();
const machine = machineInfo();
console.log(`[bench] ${machine.date}`);
console.log(`[bench] ${machineLine(machine)}`);
console.log(`[bench] library: git ${machine.commit}${quick ? "; quick run" : ""}`);
mkdirSync(WORK, { recursive: true });

const adonis = ensureAdonis();
if ("error" in adonis) console.log(`[bench] @adonisjs/vite unavailable: ${adonis.error}`);
const prepared: Prepared = {
  apps: { small: await prepareApp(SMALL_APP), large: await prepareApp(LARGE_APP) },
  lib: compileLibrary(),
  adonis,
};
writeFileSync(PREPARED, `${JSON.stringify(prepared, null, 2)}\n`);

const results: FigureResult[] = [];
for (const figure of selected) {
  console.log(`\n[bench] ── ${figure.id}: ${figure.title} ──`);
  results.push(await runFigureProcess(figure.id));
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const md = markdown(machine, results, seconds);
if (only) {
  console.log("[bench] --only: bench/RESULTS.md left as it was (it holds whole runs)");
  writeFileSync(join(WORK, "RESULTS.partial.md"), md);
} else {
  writeFileSync(join(BENCH, "RESULTS.md"), md);
}
console.log(
  `\n${results.map((r, i) => `${i + 1}. ${r.title}: ${r.error ? `not measured: ${r.error}` : r.headline}`).join("\n")}`,
);
console.log(
  `\n[bench] done in ${seconds.toFixed(0)} s; results in ${only ? "bench/.work/RESULTS.partial.md" : "bench/RESULTS.md"}`,
);
process.exit(results.some((r) => r.error) ? 1 : 0);
