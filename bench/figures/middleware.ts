/**
 * Figure 4: requests/s of a hello-world page through each adapter, with and without the
 * version middleware. The servers run in a child process (one per framework, both variants
 * side by side); autocannon drives them from this one, alternating rounds. The child also
 * reports its CPU time, so each round yields server CPU per request too.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import ts from "typescript";
import { runFigure } from "../lib/figure.js";
import { BENCH, ROOT, WORK } from "../lib/paths.js";
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

const FRAMEWORKS = ["express", "fastify", "hono", "koa", "node"] as const;
const CONNECTIONS = 10;

interface Ports {
  plain: number;
  withMiddleware: number;
}

interface Servers {
  child: ChildProcess;
  ports: Ports;
  /** The child's CPU time so far, in µs. */
  cpu(): Promise<number>;
}

/**
 * servers/hello.ts as JavaScript, so the server runs on plain `node` as a production server
 * does. Under `--import tsx` the loader's hooks stay active for the whole process, and with
 * them every young-generation GC of a busy server took several times longer (--trace-gc: about
 * 0.5 s of GC per 3 s of load against 0.06 s on plain node, same code): the figure measured the
 * loader's GC cost as the middleware's. Type-only imports are erased; nothing else changes.
 */
function compiledServer(): string {
  const source = readFileSync(join(BENCH, "servers", "hello.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const file = join(WORK, "servers", "hello.mjs");
  mkdirSync(join(WORK, "servers"), { recursive: true });
  writeFileSync(file, outputText);
  return file;
}

async function startServers(
  server: string,
  framework: string,
  manifestPath: string,
  libDir: string,
): Promise<Servers> {
  const child = spawn(process.execPath, [server, framework, manifestPath, libDir], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(
          new Error(
            `${framework} server exited (${code}): ${stderr.trim().split("\n").slice(-3).join(" ")}`,
          ),
        );
      child.once("exit", onExit);
      lines.once("line", (line) => {
        child.removeListener("exit", onExit);
        resolve(line);
      });
    });
  const ports: Ports = JSON.parse(await next());
  return {
    child,
    ports,
    cpu: async () => {
      const answer = next();
      child.stdin!.write("cpu\n");
      return JSON.parse(await answer).cpu;
    },
  };
}

/** What a figure row measures: a small HTML page (version tags injected) or a small JSON body. */
const KINDS = [
  { name: "HTML page", path: "/", marker: "Hello, world" },
  { name: "JSON", path: "/json", marker: '"hello":"world"' },
] as const;
type Kind = (typeof KINDS)[number];
const CONTROL = "control: HTML page with the tags' bytes, no middleware";

/**
 * The two variants must serve the same body, and only the middleware's the version header; the
 * HTML page gets the version tags, the JSON response nothing but the header.
 */
async function check(ports: Ports, kind: Kind): Promise<void> {
  const plain = await fetch(`http://127.0.0.1:${ports.plain}${kind.path}`);
  const withMiddleware = await fetch(`http://127.0.0.1:${ports.withMiddleware}${kind.path}`);
  const [plainBody, body] = [await plain.text(), await withMiddleware.text()];
  if (plain.status !== 200 || withMiddleware.status !== 200) {
    throw new Error(`${kind.path}: status ${plain.status} / ${withMiddleware.status}`);
  }
  if (!plainBody.includes(kind.marker) || !body.includes(kind.marker)) {
    throw new Error(`${kind.path} is not the expected ${kind.name}`);
  }
  if (plain.headers.get("x-app-version")) throw new Error("the plain app sends X-App-Version");
  if (withMiddleware.headers.get("x-app-version") !== "bench-1") {
    throw new Error(
      `the middleware app sends X-App-Version ${withMiddleware.headers.get("x-app-version")} on ${kind.path}, expected bench-1`,
    );
  }
  const injected = body.includes('<meta name="app-version" content="bench-1">');
  if (kind.path === "/" && !injected) {
    throw new Error("the middleware app did not inject the version tags");
  }
  if (kind.path !== "/" && body !== plainBody) {
    throw new Error(`the middleware changed the JSON body: ${body.slice(0, 80)}`);
  }
}

async function stop(servers: Servers | null): Promise<void> {
  const child = servers?.child;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

interface Variant {
  name: string;
  url: string;
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
          rows.push([framework, kind.name, "n/a", "n/a", "n/a", "n/a", `not measured: ${reason}`]);
        ratios.push(`${framework} n/a`);
        await stop(servers);
        continue;
      }
      const { ports } = servers;
      const running = servers;
      // node:http also serves the control: the plain app's page with the tags written in by
      // hand, against the same page without them, no middleware on either.
      const kinds: { name: string; without: string; with: string }[] = KINDS.map((kind) => ({
        name: kind.name,
        without: `http://127.0.0.1:${ports.plain}${kind.path}`,
        with: `http://127.0.0.1:${ports.withMiddleware}${kind.path}`,
      }));
      if (framework === "node") {
        kinds.push({
          name: CONTROL,
          without: `http://127.0.0.1:${ports.plain}/`,
          with: `http://127.0.0.1:${ports.plain}/tagged`,
        });
      }
      for (const kind of kinds) {
        const variants: Variant[] = [
          { name: "plain", url: kind.without, rps: [], cpu: [] },
          { name: "with middleware", url: kind.with, rps: [], cpu: [] },
        ];
        let failures = 0;
        const load = async (v: Variant, seconds: number, record: boolean) => {
          const before = await running.cpu();
          const result = await autocannon({
            url: v.url,
            connections: CONNECTIONS,
            duration: seconds,
            pipelining: 1,
          });
          const cpu = (await running.cpu()) - before;
          failures += result.errors + result.timeouts + result.non2xx;
          sink.number(result.requests.total);
          if (!record) return;
          v.rps.push(result.requests.mean);
          v.cpu.push(cpu / Math.max(1, result.requests.total));
        };
        for (const v of variants) await load(v, 1, false); // warm-up: JIT, sockets
        for (let round = 0; round < rounds; round++) {
          for (const v of rotate(variants, round)) await load(v, duration, true);
        }
        const [plain, withMw] = variants as [Variant, Variant];
        const ratio = median(withMw.rps) / median(plain.rps);
        const cpuRatio = median(withMw.cpu) / median(plain.cpu);
        ratios.push(
          `${framework} ${kind.name} ${formatRatio(ratio)} (CPU ${formatRatio(cpuRatio)})`,
        );
        rows.push([
          framework,
          kind.name,
          `${formatInt(median(plain.rps))} ±${spread(plain.rps).toFixed(0)}%`,
          `${formatInt(median(withMw.rps))} ±${spread(withMw.rps).toFixed(0)}%`,
          formatRatio(ratio),
          `${median(plain.cpu).toFixed(1)} → ${median(withMw.cpu).toFixed(1)} µs (${formatRatio(cpuRatio)})`,
          String(failures),
        ]);
      }
      await stop(servers);
    }
    notes.push(
      `autocannon, ${CONNECTIONS} connections, no pipelining, ${rounds} rounds of ${duration} s per variant and route after a 1 s warm-up each, the two variants alternating; medians. Server and load generator share this machine's cores, so absolute requests/s are low and swing with other load; the CPU column (the server process's user + system time over the round / requests served) is the steadier measure.`,
      `The control row (node:http) measures no middleware at all: the plain app serving the page with the version tags already written into it, against the page without them. It shows the part of the HTML page's overhead that is the extra bytes (writing and sending them), whatever the middleware does.`,
      "Both apps run in one server process, each with its default configuration; with the middleware every response carries X-App-Version and the HTML page gets the version tags injected before </head> (the JSON response only the header); the figure checks both, and that the JSON body is unchanged, before measuring. Whatever the tags add to the page is part of the cost measured. The servers run on plain node (servers/hello.ts transpiled to JS, no TS loader in the process) and load the library as tsc emitted it (bench/.work/lib/dist).",
    );
    if (rows.some((r) => r[6]?.startsWith("not measured"))) {
      notes.push(
        "A framework marked not measured failed to start or to answer as expected; the reason is in its row.",
      );
    }
    return {
      headline: `requests/s with / without (server CPU per request): ${ratios.join(", ")}`,
      tables: [
        {
          columns: [
            "framework",
            "response",
            "without (req/s)",
            "with middleware (req/s)",
            "with / without",
            "server CPU per request, without → with",
            "errors",
          ],
          rows,
        },
      ],
      notes,
    };
  },
);
