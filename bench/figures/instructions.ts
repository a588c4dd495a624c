/**
 * Figure 7: instructions per request in the server process, counted by callgrind, through each
 * adapter: the plain app, behind a do-nothing middleware (the framework's floor), behind
 * vite-rolling's, and the plain app sending the middleware's response by hand. The servers are
 * figure 4's (servers/hello.ts, compiled): one valgrind process per framework with the four
 * apps inside; requests come from this process. Counts are
 * deterministic where figure 4's CPU times swing with the machine's other load.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { runFigure } from "../lib/figure.js";
import {
  check,
  compiledServer,
  FRAMEWORKS,
  type Framework,
  KINDS,
  type Kind,
  type Ports,
  type Servers,
  startServers,
  stop,
} from "../lib/hello.js";
import { WORK } from "../lib/paths.js";
import { formatInt, formatRatio, median, rotate, spread } from "../lib/stats.js";

const execFileAsync = promisify(execFile);

/** Requests in flight, on as many kept-alive sockets. */
const SOCKETS = 4;

/**
 * Requests per app and route: to warm up (JIT; in three passes over all of them, since the apps
 * share framework code) and per counted window. A request costs about 50 times its native time
 * under callgrind; Express's several times the others', so it gets fewer. Each window is about
 * 40 to 80 million instructions; the whole figure about five minutes.
 */
const COUNTS: Record<Framework, { warm: number; window: number }> = {
  express: { warm: 1500, window: 150 },
  fastify: { warm: 3000, window: 600 },
  hono: { warm: 3000, window: 600 },
  koa: { warm: 3000, window: 600 },
  node: { warm: 3000, window: 800 },
};
const WARM_PASSES = 3;
/**
 * Windows per app and route, the median reported: a full garbage collection lands in one window
 * in 10 to 30, and five windows keep two of them out of a median.
 * --quick: one window, of a tenth the size.
 */
const REPEATS = 5;
const QUICK_SCALE = 0.1;
/** A window this far from its cell's median is counted as outlying (reported, not used). */
const OUTLYING = 0.03;

/**
 * What makes the counts repeat from run to run, whatever else the machine runs:
 * --single-threaded: V8 compiles and collects garbage on the main thread instead of helper
 * threads. Callgrind counts every thread, so the work counted is the same, but no thread timing
 * decides when optimised code lands: without it Express and Koa settled into different steady
 * states from one process to the next (Express's plain page 260k, 300k or 520k instructions).
 * --no-memory-reducer and a fixed young generation (8 MB semi-spaces, the size V8 grows them
 * to on a busy server): V8 otherwise sizes its heap by measured time (allocation rate, idle
 * time), and a run beside two busy processes collected on another schedule (Koa's JSON with the
 * middleware 110k instructions a request against 101k alone). With them, 0.8% at most.
 * Fixed hash and random seeds: the same hash-table layouts in every run.
 * --expose-gc: the server's "gc" command (a young-generation collection before each window).
 */
const NODE_FLAGS = [
  "--single-threaded",
  "--no-memory-reducer",
  "--min-semi-space-size=8",
  "--max-semi-space-size=8",
  "--hash-seed=1",
  "--random-seed=1",
  "--expose-gc",
];

type VariantName = keyof Ports;
const VARIANTS: readonly VariantName[] = ["plain", "noop", "withMiddleware", "byHand"];

/** Why callgrind cannot run here, or null. */
function valgrindMissing(): string | null {
  for (const tool of ["valgrind", "vgdb"]) {
    if (spawnSync(tool, ["--help"], { stdio: "ignore" }).error) {
      return `${tool === "valgrind" ? "valgrind is" : `valgrind's ${tool} is`} not installed (apt-get install valgrind)`;
    }
  }
  return null;
}

/** Sends `n` GET requests, `SOCKETS` at a time, through `agent`; every answer must be a 200. */
function drive(agent: Agent, port: number, path: string, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = n;
    let active = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    const one = () => {
      if (failed) return;
      if (left === 0) {
        if (active === 0) resolve();
        return;
      }
      left--;
      active++;
      request({ host: "127.0.0.1", port, path, agent }, (res) => {
        if (res.statusCode !== 200) fail(new Error(`${path} answered ${res.statusCode}`));
        res.resume();
        res.on("end", () => {
          active--;
          one();
        });
      })
        .on("error", fail)
        .end();
    };
    for (let i = 0; i < SOCKETS; i++) one();
  });
}

/**
 * `n` requests on sockets of their own (a fresh keep-alive agent), all opened before `around`
 * runs them: no connection set-up in a window, and no idle socket the server closes under a
 * request.
 */
async function onFreshSockets(
  port: number,
  path: string,
  n: number,
  around: (work: () => Promise<void>) => Promise<void> = (work) => work(),
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: SOCKETS });
  try {
    await drive(agent, port, path, SOCKETS * 2);
    await around(() => drive(agent, port, path, n));
  } finally {
    agent.destroy();
  }
}

/** One framework's servers under callgrind, counting only while told to. */
class Callgrind {
  readonly #dir: string;
  readonly #read = new Set<string>();
  servers: Servers | null = null;

  constructor(readonly framework: Framework) {
    // A directory of its own: the dumps are numbered per process, and another run of the figure
    // may be writing beside this one.
    mkdirSync(join(WORK, "callgrind"), { recursive: true });
    this.#dir = mkdtempSync(join(WORK, "callgrind", `${framework}-`));
  }

  /** valgrind's command line up to node's options; counting starts switched off. */
  command(): string[] {
    return [
      "valgrind",
      "--tool=callgrind",
      "--quiet",
      "--instr-atstart=no",
      // V8 writes and rewrites machine code: valgrind must see code change in memory.
      "--smc-check=all-non-file",
      `--callgrind-out-file=${join(this.#dir, "callgrind.out")}`,
      process.execPath,
      ...NODE_FLAGS,
    ];
  }

  /**
   * Sends callgrind a command as `callgrind_control` does (`-i on`, `-z`, `-d`), through vgdb,
   * but with a 1 ms wait before vgdb wakes a process blocked in a system call (an idle server)
   * instead of 100 ms: a quarter of a second less per window.
   */
  async #control(...command: string[]): Promise<void> {
    const pid = this.servers?.child.pid;
    if (!pid || this.servers?.child.exitCode !== null) {
      throw new Error(`the ${this.framework} server under valgrind is not running`);
    }
    await execFileAsync("vgdb", [`--pid=${pid}`, "--max-invoke-ms=1", ...command]);
  }

  /**
   * Counting on from here (warm-up done). It stays on: switching it flushes valgrind's
   * translations, and re-instrumenting them made each window half a second longer.
   */
  async start(): Promise<void> {
    await this.#control("instrumentation", "on");
  }

  /**
   * Instructions the server executed while `work` ran, all its threads: counters zeroed, work,
   * then a dump (`<file>.<n>`), whose `totals:` line is the count.
   */
  async count(work: () => Promise<void>): Promise<number> {
    await this.#control("zero");
    await work();
    await this.#control("dump");
    const dumps = readdirSync(this.#dir).filter(
      (f) => /^callgrind\.out\.\d+$/.test(f) && !this.#read.has(f),
    );
    if (dumps.length !== 1) throw new Error(`expected one new callgrind dump, ${dumps.length}`);
    const file = join(this.#dir, dumps[0]!);
    this.#read.add(dumps[0]!);
    const text = readFileSync(file, "utf8");
    rmSync(file);
    const totals = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
    if (!totals) throw new Error(`no totals line in the callgrind dump ${dumps[0]}`);
    return Number(totals[1]);
  }

  async close(): Promise<void> {
    await stop(this.servers);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

interface Cell {
  variant: VariantName;
  kind: Kind;
  /** Instructions per request, one per window. */
  samples: number[];
}

/** Every app and route of one framework, warmed, then counted `repeats` times each. */
async function measure(
  callgrind: Callgrind,
  server: string,
  manifestPath: string,
  libDir: string,
  counts: { warm: number; window: number },
  repeats: number,
): Promise<Cell[]> {
  const { framework } = callgrind;
  callgrind.servers = await startServers(
    server,
    framework,
    manifestPath,
    libDir,
    callgrind.command(),
  );
  const servers = callgrind.servers;
  for (const kind of KINDS) await check(servers.ports, kind);
  const cells: Cell[] = VARIANTS.flatMap((variant) =>
    KINDS.map((kind) => ({ variant, kind, samples: [] })),
  );
  for (let pass = 0; pass < WARM_PASSES; pass++) {
    for (const cell of rotate(cells, pass)) {
      // Collected as before a window, so the warm-up ends in the state windows start from.
      await servers.gc();
      const port = servers.ports[cell.variant];
      await onFreshSockets(port, cell.kind.path, Math.ceil(counts.warm / WARM_PASSES));
    }
  }
  await callgrind.start();
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const cell of rotate(cells, repeat)) {
      const port = servers.ports[cell.variant];
      await onFreshSockets(port, cell.kind.path, counts.window, async (work) => {
        await servers.gc();
        const total = await callgrind.count(work);
        cell.samples.push(total / counts.window);
      });
    }
  }
  return cells;
}

await runFigure(
  "instructions",
  "Instructions per request under callgrind through each adapter (small HTML page, small JSON): plain, behind a no-op middleware, behind vite-rolling's",
  async ({ prepared, quick, sink }) => {
    const missing = valgrindMissing();
    if (missing) throw new Error(missing);
    const manifestPath = prepared.apps.large.build.manifestPath;
    if ("error" in prepared.lib) throw new Error(`no compiled library: ${prepared.lib.error}`);
    const libDir = prepared.lib.dir;
    const server = compiledServer();
    const repeats = quick ? 1 : REPEATS;
    const scale = quick ? QUICK_SCALE : 1;
    const rows: string[][] = [];
    const ratios: string[] = [];
    for (const framework of FRAMEWORKS) {
      const counts = {
        warm: Math.round(COUNTS[framework].warm * scale),
        window: Math.round(COUNTS[framework].window * scale),
      };
      const started = Date.now();
      const callgrind = new Callgrind(framework);
      let cells: Cell[];
      try {
        cells = await measure(callgrind, server, manifestPath, libDir, counts, repeats);
      } catch (error) {
        const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
        for (const kind of KINDS) {
          rows.push([framework, kind.name, `not measured: ${reason}`, ...Array(10).fill("")]);
        }
        ratios.push(`${framework} n/a`);
        continue;
      } finally {
        await callgrind.close();
      }
      console.log(
        `[bench] instructions: ${framework} counted in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
      for (const kind of KINDS) {
        const [plain, noop, ours, byHand] = VARIANTS.map((variant) => {
          const cell = cells.find((c) => c.variant === variant && c.kind === kind)!;
          for (const s of cell.samples) sink.number(s);
          return cell.samples;
        }) as [number[], number[], number[], number[]];
        // How repeatable the row's windows were (the widest of its four cells), and how many
        // stood out, most of them holding a full garbage collection.
        const cellsOfRow = [plain, noop, ours, byHand];
        const widest = Math.max(...cellsOfRow.map((samples) => spread(samples)));
        const outlying = cellsOfRow
          .flatMap((samples) => samples.map((s) => Math.abs(s / median(samples) - 1)))
          .filter((d) => d > OUTLYING).length;
        const ratio = (a: number[], b: number[], digits = 3) =>
          formatRatio(median(a) / median(b), digits);
        rows.push([
          framework,
          kind.name,
          formatInt(median(plain)),
          formatInt(median(noop)),
          formatInt(median(byHand)),
          formatInt(median(ours)),
          ratio(noop, plain),
          ratio(byHand, plain),
          ratio(ours, plain),
          ratio(ours, noop),
          ratio(ours, byHand),
          `±${widest.toFixed(1)}%`,
          `${outlying} of ${cellsOfRow.flat().length}`,
        ]);
        ratios.push(
          `${framework} ${kind.name} ${ratio(ours, plain, 2)} (÷ by hand ${ratio(ours, byHand, 2)}, ÷ no-op ${ratio(ours, noop, 2)})`,
        );
      }
    }
    const failed = rows.some((r) => r[2]?.startsWith("not measured"));
    /** "3,000 requests (express 1,500)": the common count, and the frameworks that differ. */
    const describe = (key: "warm" | "window") => {
      const n = (f: Framework) => formatInt(Math.round(COUNTS[f][key] * scale));
      const common = n("hono");
      const others = FRAMEWORKS.filter((f) => n(f) !== common).map((f) => `${f} ${n(f)}`);
      return `${common} requests${others.length ? ` (${others.join(", ")})` : ""}`;
    };
    const notes = [
      "Counted: callgrind's Ir, the user-space instructions every thread of the server process executed during the window (JavaScript, V8's compiler and garbage collector, Node's C++ and libc), divided by the requests in it. The requests come from another process (this figure's) and are not counted, nor is the kernel's work for the server's system calls.",
      "Why: instruction counts hardly depend on what else the machine runs (ratios moved 0.8% at most between a run alone and one beside two busy processes), so differences of a few percent show where figure 4's CPU times swing by ±10-20% on a shared machine. A complement to figure 4, not a replacement: a count ignores cache misses, branch mispredictions and system calls' kernel time, and weighs every instruction the same; and the server runs under valgrind (about 50 times slower), whose timing is not a native server's.",
      `Method: one valgrind process per framework (\`valgrind --tool=callgrind --instr-atstart=no\`, node ${NODE_FLAGS.join(" ")}) serving figure 4's four apps, their answers checked as there. Each app and route warmed, not counted, with ${describe("warm")} in ${WARM_PASSES} passes over all of them; then counting on (\`callgrind_control -i on\`) and ${repeats} times each app and route in turn, the order rotating: a young-generation collection, counters zeroed (\`-z\`), ${describe("window")} ${SOCKETS} at a time on kept-alive sockets opened before, dump (\`-d\`; the commands sent with vgdb, as callgrind_control does). The median window.`,
      "Garbage collection: each window counts the young-generation collections its own requests cause (it starts from an empty young generation). A full (mark-compact) collection lands in one window in 10 to 30, adding about 10% to a window's count, 80% to Express's; the median leaves those windows out (most of the outlying windows are these), so the counts leave out full collections.",
      "Node's flags: --single-threaded runs V8's compiler and garbage collector on the main thread: the same work, counted either way, but no helper thread's timing decides when optimised code lands. Without it Express and Koa settled into different steady states from one process to the next (Express's plain page 260k, 300k or 520k instructions, every variant alike); with it every run settles into the same one. --no-memory-reducer and fixed 8 MB semi-spaces (the size V8 grows them to on a busy server) stop V8 sizing its heap by measured time: without them a run beside other load collected on another schedule (Koa's JSON with the middleware 110k instructions a request against 101k alone). Most of Express's count is V8 reshaping objects at run time (map migrations: Express sets the request's and response's prototypes on every request), which no middleware changes.",
      `No-op middleware: the framework's cheapest middleware that does nothing, as in figure 4 (the floor: what any middleware costs there). \`with ÷ no-op\` is what vite-rolling adds beyond having a middleware at all.`,
      "By hand: the plain app sending by itself, with no middleware, the response the middleware's app sends, as in figure 4 (X-App-Version set in each route through the framework's own API, the page with the version tags written in once at startup; the body checked byte for byte against the middleware app's). `by hand ÷ plain` is what the response itself costs (the header and the tags' bytes), `with ÷ by hand` what the middleware's machinery costs beyond that.",
      `Spread: the median absolute deviation of a cell's windows from their median, the widest of the row's four cells. Outlying windows: those more than ${OUTLYING * 100}% from their cell's median.`,
    ];
    if (failed) {
      notes.push(
        "A framework marked not measured failed to start under valgrind or to answer as expected; the reason is in its row.",
      );
    }
    return {
      headline: `instructions per request with ÷ without (÷ by hand: the same response without middleware, ÷ no-op middleware): ${ratios.join(", ")}`,
      tables: [
        {
          columns: [
            "framework",
            "response",
            "plain (instructions per request)",
            "no-op middleware",
            "by hand (instructions per request)",
            "vite-rolling",
            "no-op ÷ plain",
            "by hand ÷ plain",
            "with ÷ without",
            "with ÷ no-op",
            "with ÷ by hand",
            "spread",
            "outlying windows",
          ],
          rows,
        },
      ],
      notes,
    };
  },
);
