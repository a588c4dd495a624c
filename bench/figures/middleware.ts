/**
 * Figure 4: requests/s of a hello-world page through each adapter, with and without the
 * version middleware, beside a do-nothing middleware (the framework's floor) and the plain app
 * sending the same response by hand. The servers run in a child process (one per framework, the
 * four variants side by side; servers/hello.ts);
 * autocannon drives them from this one, alternating rounds. The child also reports its CPU
 * time, so each round yields server CPU per request too.
 */
import { createRequire } from "node:module";
import { runFigure } from "../lib/figure.js";
import {
  check,
  compiledServer,
  FRAMEWORKS,
  KINDS,
  type Servers,
  startServers,
  stop,
} from "../lib/hello.js";
import { formatInt, formatRatio, median, rotate, spread } from "../lib/stats.js";

/** The part of autocannon's programmatic API used here (it ships no types). */
interface AutocannonResult {
  requests: { mean: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
}) => Promise<AutocannonResult>;
const autocannon: Autocannon = createRequire(import.meta.url)("autocannon");

const CONNECTIONS = 10;

interface Variant {
  url: string;
  failures: number;
  rps: number[];
  /** Server CPU µs per request, per round. */
  cpu: number[];
}

await runFigure(
  "middleware",
  "Middleware overhead: requests/s and server CPU per request through each adapter (small HTML page, small JSON), with vs without the version middleware",
  async ({ prepared, quick, sink }) => {
    const manifestPath = prepared.apps.large.build.manifestPath;
    if ("error" in prepared.lib) throw new Error(`no compiled library: ${prepared.lib.error}`);
    const libDir = prepared.lib.dir;
    const server = compiledServer();
    const duration = quick ? 1 : 2;
    const rounds = quick ? 1 : 6;
    const rows: string[][] = [];
    const notes: string[] = [];
    const ratios: string[] = [];
    for (const framework of FRAMEWORKS) {
      let servers: Servers | null = null;
      try {
        servers = await startServers(server, framework, manifestPath, libDir);
        for (const kind of KINDS) await check(servers.ports, kind);
      } catch (error) {
        const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
        for (const kind of KINDS)
          rows.push([
            framework,
            kind.name,
            "vite-rolling",
            "n/a",
            "n/a",
            "n/a",
            "n/a",
            "n/a",
            "n/a",
            `not measured: ${reason}`,
          ]);
        ratios.push(`${framework} n/a`);
        await stop(servers);
        continue;
      }
      const { ports } = servers;
      const running = servers;
      for (const kind of KINDS) {
        const variant = (port: number): Variant => ({
          url: `http://127.0.0.1:${port}${kind.path}`,
          failures: 0,
          rps: [],
          cpu: [],
        });
        const plain = variant(ports.plain);
        const noop = variant(ports.noop);
        const byHand = variant(ports.byHand);
        const withMw = variant(ports.withMiddleware);
        const variants = [plain, noop, byHand, withMw];
        const load = async (v: Variant, seconds: number, record: boolean) => {
          const before = await running.cpu();
          const result = await autocannon({
            url: v.url,
            connections: CONNECTIONS,
            duration: seconds,
            pipelining: 1,
          });
          const cpu = (await running.cpu()) - before;
          v.failures += result.errors + result.timeouts + result.non2xx;
          sink.number(result.requests.total);
          if (!record) return;
          v.rps.push(result.requests.mean);
          v.cpu.push(cpu / Math.max(1, result.requests.total));
        };
        for (const v of variants) await load(v, 1, false); // warm-up: JIT, sockets
        for (let round = 0; round < rounds; round++) {
          for (const v of rotate(variants, round)) await load(v, duration, true);
        }
        /**
         * One row: `v` against the plain app, and (vite-rolling's) against the no-op's and the
         * by-hand app's CPU.
         */
        const row = (
          middleware: string,
          v: Variant,
          others?: { floor: Variant; byHand: Variant },
        ) => {
          const ratio = median(v.rps) / median(plain.rps);
          const cpuRatio = median(v.cpu) / median(plain.cpu);
          rows.push([
            framework,
            kind.name,
            middleware,
            `${formatInt(median(plain.rps))} ±${spread(plain.rps).toFixed(0)}%`,
            `${formatInt(median(v.rps))} ±${spread(v.rps).toFixed(0)}%`,
            formatRatio(ratio),
            `${median(plain.cpu).toFixed(1)} → ${median(v.cpu).toFixed(1)} µs (${formatRatio(cpuRatio)})`,
            others ? formatRatio(median(v.cpu) / median(others.floor.cpu)) : "",
            others ? formatRatio(median(v.cpu) / median(others.byHand.cpu)) : "",
            String(plain.failures + v.failures),
          ]);
          return { ratio, cpuRatio };
        };
        const floor = row("no-op (floor)", noop);
        const same = row("by hand (same response, no middleware)", byHand);
        const ours = row("vite-rolling", withMw, { floor: noop, byHand });
        ratios.push(
          `${framework} ${kind.name} ${formatRatio(ours.ratio)} (CPU ${formatRatio(ours.cpuRatio)}, floor ${formatRatio(floor.cpuRatio)}, by hand ${formatRatio(same.cpuRatio)})`,
        );
      }
      await stop(servers);
    }
    notes.push(
      `autocannon, ${CONNECTIONS} connections, no pipelining, ${rounds} rounds of ${duration} s per variant and route after a 1 s warm-up each, the variants alternating; medians. Server and load generator share this machine's cores, so absolute requests/s are low and swing with other load; the CPU column (the server process's user + system time over the round / requests served) is the steadier measure.`,
      "The no-op rows are each framework's floor: the same app behind the cheapest middleware that does nothing (Express `app.use((req, res, next) => next())`, Hono `app.use((c, next) => next())`, Koa `app.use((ctx, next) => next())`, Fastify an app-wide plugin with a callback onRequest and a callback onSend hook that pass through, as the adapter registers its own; node:http an async listener that awaits once, as `const vite = await handle(req, res)` does). `CPU ÷ no-op` is vite-rolling's CPU per request over the floor's: what the library adds beyond having a middleware at all.",
      "The by-hand rows are the plain app sending by itself exactly the response the middleware's app sends, no middleware at all: X-App-Version set in each route through the framework's own API (Express `res.set`, Fastify `reply.header`, Hono `c.header`, Koa `ctx.set`, node:http `res.setHeader`) and the page with the version tags already in the string (written in once at startup); the figure checks its body is byte for byte the middleware app's. Its ratio to plain is what the response itself costs (the header and the tags' bytes); `CPU ÷ by hand`, vite-rolling's CPU per request over its, is what the middleware's machinery costs beyond that.",
      "The apps run in one server process, each with its default configuration; with the middleware every response carries X-App-Version and the HTML page gets the version tags injected before </head> (the JSON response only the header); the figure checks both, and that the JSON body is unchanged, before measuring. Whatever the tags add to the page is part of the cost measured. The servers run on plain node (servers/hello.ts transpiled to JS, no TS loader in the process) and load the library as tsc emitted it (bench/.work/lib/dist).",
    );
    if (rows.some((r) => r[9]?.startsWith("not measured"))) {
      notes.push(
        "A framework marked not measured failed to start or to answer as expected; the reason is in its row.",
      );
    }
    return {
      headline: `requests/s with / without (server CPU per request; floor: the no-op middleware's; by hand: the same response sent without middleware): ${ratios.join(", ")}`,
      tables: [
        {
          columns: [
            "framework",
            "response",
            "middleware",
            "without (req/s)",
            "with (req/s)",
            "with / without",
            "server CPU per request, without → with",
            "CPU ÷ no-op",
            "CPU ÷ by hand",
            "errors",
          ],
          rows,
        },
      ],
      notes,
    };
  },
);
