/**
 * Figure 6: cold start, from spawning a Node process to its first rendered page (large
 * manifest), against a bare `node -e` that prints one line. The library runs as tsc emitted
 * it (bench/.work/lib/dist), with no TS loader, as in production.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { BASE } from "../lib/build.js";
import { checkPage, describeCheck, expectedPage, isCorrect } from "../lib/expected.js";
import { runFigure } from "../lib/figure.js";
import { BENCH, WORK } from "../lib/paths.js";
import { formatDeltaMs, formatMs, median, msSince, now, rotate, spread } from "../lib/stats.js";

interface Contender {
  name: string;
  args: string[];
  ms: number[];
  /** ms the child itself spent from importing the library to the rendered page. */
  inside: number[];
  /** Checks the first line the process printed. */
  verify: (line: string) => void;
}

const CWD = join(WORK, "cold-start");

/** Files of the library's static import graph from `entry` (relative imports only). */
function staticGraph(entry: string): number {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const [, spec] of source.matchAll(/^(?:import|export)[^;]*?from\s+"(\.[^"]+)"/gm)) {
      stack.push(resolve(dirname(file), spec!));
    }
  }
  return seen.size;
}

/** ms from spawn to the first complete line on stdout; rejects unless the process then exits 0. */
function timeToFirstLine(args: string[]): Promise<{ ms: number; line: string }> {
  return new Promise((resolve, reject) => {
    const start = now();
    // No REDIS_URL / RELEASE_VERSION from the caller's shell: the local manifest is the source.
    const env = { ...process.env };
    for (const name of ["REDIS_URL", "RELEASE_VERSION", "APP_VERSION", "NODE_OPTIONS"])
      delete env[name];
    const child = spawn(process.execPath, args, {
      cwd: CWD,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let first: { ms: number; line: string } | null = null;
    child.stdout.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (!first && nl >= 0) first = { ms: msSince(start), line: out.slice(0, nl) };
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("exit", (code) => {
      if (code === 0 && first) resolve(first);
      else
        reject(
          new Error(
            `${args.slice(0, 2).join(" ")} exited ${code}: ${err.trim().split("\n").slice(-2).join(" ")}`,
          ),
        );
    });
  });
}

await runFigure(
  "cold-start",
  "Cold start: process start to first rendered page (large manifest)",
  async ({ prepared, quick, sink }) => {
    mkdirSync(CWD, { recursive: true });
    const app = prepared.apps.large;
    const child = join(BENCH, "cold-start-child.mjs");
    const entries = JSON.stringify(app.entries);
    const expected = expectedPage(
      JSON.parse(readFileSync(app.build.manifestPath, "utf8")),
      app.entries,
      BASE,
    );
    const notes: string[] = [];
    const page = (name: string, strict: boolean) => (line: string) => {
      const { html }: { html: string } = JSON.parse(line);
      const check = checkPage(html, expected);
      if (isCorrect(check)) return;
      if (strict)
        throw new Error(`${name} printed a wrong page: ${describeCheck(check, expected)}`);
      notes.push(`${name}'s first page ${describeCheck(check, expected)} (see figure 1).`);
    };
    if ("error" in prepared.lib) throw new Error(`no compiled library: ${prepared.lib.error}`);
    const contenders: Contender[] = [
      {
        name: "bare node -e (prints one line)",
        args: ["-e", "process.stdout.write('ok\\n')"],
        ms: [],
        inside: [],
        verify: (line) => {
          if (line !== "ok") throw new Error(`baseline printed ${line}`);
        },
      },
      {
        name: "vite-rolling: import, createViteRolling, ready(), styles + scripts",
        args: [
          child,
          "vite-rolling",
          join(prepared.lib.dir, "index.js"),
          app.build.manifestPath,
          entries,
        ],
        ms: [],
        inside: [],
        verify: page("vite-rolling", true),
      },
    ];
    if ("entry" in prepared.adonis) {
      contenders.push({
        name: `@adonisjs/vite ${prepared.adonis.version}: import, new Vite(), generateEntryPointsTags`,
        args: [child, "adonis", prepared.adonis.entry, app.build.manifestPath, entries],
        ms: [],
        inside: [],
        verify: page("@adonisjs/vite", false),
      });
    } else {
      notes.push(`@adonisjs/vite not measured: ${prepared.adonis.error}.`);
    }
    for (const c of contenders) {
      const { line } = await timeToFirstLine(c.args); // warm-up: the OS file cache
      c.verify(line);
      sink.string(line);
    }
    const rounds = quick ? 3 : 40;
    for (let round = 0; round < rounds; round++) {
      for (const c of rotate(contenders, round)) {
        const { ms, line } = await timeToFirstLine(c.args);
        c.ms.push(ms);
        if (line.startsWith("{")) c.inside.push(JSON.parse(line).ms);
        sink.string(line, round);
      }
    }
    const base = median(contenders[0]!.ms);
    const rows = contenders.map((c) => [
      c.name,
      formatMs(median(c.ms)),
      `±${spread(c.ms).toFixed(1)}%`,
      c === contenders[0] ? "" : formatDeltaMs(median(c.ms) - base),
      c.inside.length ? formatMs(median(c.inside)) : "",
    ]);
    const ours = median(contenders[1]!.ms);
    notes.push(
      `${rounds} spawns per contender after one warm-up each, alternating; wall time from spawn() to the first line on stdout, measured in the parent. The children run plain \`node\` (no TS loader) with a cwd of their own, without REDIS_URL or RELEASE_VERSION, so the page comes from the local manifest. \`import "vite-rolling"\` loads ${staticGraph(join(prepared.lib.dir, "index.js"))} of the library's modules (static import graph of index.js, as tsc emits it); a CPU profile of one start, taken while writing this figure, put most of the inside time in Node's ESM loader resolving and linking them. The last column is timed by the child itself (hrtime before the library's import() to the rendered page): free of process-start noise, which on a loaded machine dwarfs the difference.`,
    );
    return {
      headline: `${formatMs(ours)} to the first page vs ${formatMs(base)} for a bare node -e; inside the process, import → first page takes ${formatMs(median(contenders[1]!.inside))}`,
      tables: [
        {
          columns: [
            "process",
            "spawn → first page (median)",
            "spread (MAD)",
            "over bare node",
            "import → first page, inside (median)",
          ],
          rows,
        },
      ],
      notes,
    };
  },
);
