/**
 * Figures 4 and 7's server process: one framework, four apps on four ports, the same two
 * routes (`/`: a small HTML page, `/json`: a small JSON response): the plain app; the same with
 * the framework's cheapest do-nothing middleware in front (the floor: what any middleware costs
 * there); the same with vite-rolling's version middleware in front, in its default
 * configuration; and the plain app answering by hand exactly as the middleware's does (the
 * header set through the framework's own API on every route, the page with the version tags
 * already written in, computed once at startup): the cheapest way to send the same bytes.
 * Prints `{"plain":port,"noop":port,"withMiddleware":port,"byHand":port}`, then answers "cpu"
 * lines on stdin with `{"cpu":µs}`.
 * The library is loaded as tsc emitted it (`<libDir>`, see bench/run.ts), and the figures run
 * this file transpiled to JS on plain node, as in production (no TS loader in the process).
 * Usage: node --import tsx bench/servers/hello.ts <express|fastify|hono|koa|node> <manifestPath> <libDir>
 * (by hand; the figures run bench/.work/servers/hello.mjs, see bench/lib/hello.ts)
 */
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const PAGE =
  "<!doctype html><html><head><title>Hello</title></head><body><h1>Hello, world</h1></body></html>";
const DATA = { hello: "world", items: [1, 2, 3] };

/** What stands in front of the app's routes, or (byHand) what the routes do themselves. */
type Variant = "plain" | "noop" | "withMiddleware" | "byHand";
type Start = (variant: Variant) => Promise<number>;

const [framework, manifestPath, libDir] = process.argv.slice(2);
if (!framework || !manifestPath || !libDir) {
  throw new Error("usage: hello.ts <framework> <manifestPath> <libDir>");
}
/** A module of the compiled library, typed as its source. */
const lib = (path: string) => import(pathToFileURL(join(libDir, path)).href);
const { createViteRolling }: typeof import("../../src/index.js") = await lib("index.js");
const VERSION = "bench-1";
const vr = createViteRolling({ manifestPath, dev: false, base: "/static/", appVersion: VERSION });
await vr.ready();
/** The page as the middleware sends it, for the byHand apps: the version tags before </head>. */
const TAGGED = PAGE.replace("</head>", `${vr.versionTags()}</head>`);

const port = (address: string | AddressInfo | null) =>
  typeof address === "object" && address ? address.port : 0;

const starters: Record<string, () => Promise<Start>> = {
  async express() {
    const { default: express } = await import("express");
    const { viteRolling }: typeof import("../../src/adapters/express.js") =
      await lib("adapters/express.js");
    return async (variant) => {
      const app = express();
      if (variant === "noop") app.use((_req, _res, next) => next());
      if (variant === "withMiddleware") app.use(viteRolling(vr));
      if (variant === "byHand") {
        app.get("/", (_req, res) => {
          res.set("X-App-Version", VERSION).type("html").send(TAGGED);
        });
        app.get("/json", (_req, res) => {
          res.set("X-App-Version", VERSION).json(DATA);
        });
      } else {
        app.get("/", (_req, res) => {
          res.type("html").send(PAGE);
        });
        app.get("/json", (_req, res) => {
          res.json(DATA);
        });
      }
      const server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return port(server.address());
    };
  },
  async fastify() {
    const { default: Fastify } = await import("fastify");
    const { viteRolling }: typeof import("../../src/adapters/fastify.js") =
      await lib("adapters/fastify.js");
    // The no-op mirrors how the adapter registers: an app-wide plugin ("skip-override", as
    // fastify-plugin marks one) with a callback onRequest and a callback onSend hook.
    const noopPlugin = Object.assign(
      async (fastify: import("fastify").FastifyInstance) => {
        fastify.addHook("onRequest", (_request, _reply, done) => done());
        fastify.addHook("onSend", (_request, _reply, payload, done) => done(null, payload));
      },
      { [Symbol.for("skip-override")]: true },
    );
    return async (variant) => {
      const app = Fastify();
      if (variant === "noop") await app.register(noopPlugin);
      if (variant === "withMiddleware") await app.register(viteRolling(vr));
      if (variant === "byHand") {
        app.get("/", (_request, reply) =>
          reply.header("X-App-Version", VERSION).type("text/html").send(TAGGED),
        );
        app.get("/json", (_request, reply) => reply.header("X-App-Version", VERSION).send(DATA));
      } else {
        app.get("/", (_request, reply) => reply.type("text/html").send(PAGE));
        app.get("/json", (_request, reply) => reply.send(DATA));
      }
      await app.listen({ port: 0, host: "127.0.0.1" });
      return port(app.server.address());
    };
  },
  async hono() {
    const { Hono } = await import("hono");
    const { serve } = await import("@hono/node-server");
    const { viteRolling }: typeof import("../../src/adapters/hono.js") =
      await lib("adapters/hono.js");
    return async (variant) => {
      const app = new Hono();
      if (variant === "noop") app.use((_c, next) => next());
      if (variant === "withMiddleware") app.use(viteRolling(vr));
      if (variant === "byHand") {
        app.get("/", (c) => {
          c.header("X-App-Version", VERSION);
          return c.html(TAGGED);
        });
        app.get("/json", (c) => {
          c.header("X-App-Version", VERSION);
          return c.json(DATA);
        });
      } else {
        app.get("/", (c) => c.html(PAGE));
        app.get("/json", (c) => c.json(DATA));
      }
      return new Promise((resolve) => {
        serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
      });
    };
  },
  async koa() {
    const { default: Koa } = await import("koa");
    const { viteRolling }: typeof import("../../src/adapters/koa.js") =
      await lib("adapters/koa.js");
    return async (variant) => {
      const app = new Koa();
      if (variant === "noop") app.use((_ctx, next) => next());
      if (variant === "withMiddleware") app.use(viteRolling(vr));
      if (variant === "byHand") {
        app.use((ctx) => {
          ctx.set("X-App-Version", VERSION);
          if (ctx.path === "/json") {
            ctx.body = DATA;
            return;
          }
          ctx.type = "html";
          ctx.body = TAGGED;
        });
      } else {
        app.use((ctx) => {
          if (ctx.path === "/json") {
            ctx.body = DATA;
            return;
          }
          ctx.type = "html";
          ctx.body = PAGE;
        });
      }
      const server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return port(server.address());
    };
  },
  async node() {
    const { createServer } = await import("node:http");
    const { viteRolling }: typeof import("../../src/adapters/node.js") =
      await lib("adapters/node.js");
    type Res = import("node:http").ServerResponse;
    const respond = (url: string | undefined, res: Res) => {
      if (url === "/json") {
        res.setHeader("content-type", "application/json; charset=utf-8");
        res.end(JSON.stringify(DATA));
        return;
      }
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(PAGE);
    };
    const respondByHand = (url: string | undefined, res: Res) => {
      res.setHeader("X-App-Version", VERSION);
      if (url === "/json") {
        res.setHeader("content-type", "application/json; charset=utf-8");
        res.end(JSON.stringify(DATA));
        return;
      }
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(TAGGED);
    };
    const listeners: Record<Variant, () => import("node:http").RequestListener> = {
      plain: () => (req, res) => respond(req.url, res),
      // What the documented `const vite = await handle(req, res)` costs without the library:
      // an async listener and one await.
      noop: () => async (req, res) => {
        await null;
        respond(req.url, res);
      },
      withMiddleware: () => {
        const handle = viteRolling(vr);
        return async (req, res) => {
          if (await handle(req, res)) respond(req.url, res);
        };
      },
      byHand: () => (req, res) => respondByHand(req.url, res),
    };
    return async (variant) => {
      const server = createServer(listeners[variant]());
      server.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return port(server.address());
    };
  },
};

const starter = starters[framework];
if (!starter)
  throw new Error(`unknown framework ${framework}; one of ${Object.keys(starters).join(", ")}`);
const start = await starter();
const plain = await start("plain");
const noop = await start("noop");
const withMiddleware = await start("withMiddleware");
const byHand = await start("byHand");
process.stdout.write(`${JSON.stringify({ plain, noop, withMiddleware, byHand })}\n`);

// "cpu" on stdin -> this process's CPU time so far (µs): throughput on a shared machine swings
// with other load, CPU time per request much less.
// "gc" -> a young-generation collection now when node runs with --expose-gc, then `{}`: figure 7
// starts each count from an empty young generation, so each counts the collections its own
// requests cause.
const gc = (globalThis as { gc?: (options?: { type: string }) => void }).gc;
createInterface({ input: process.stdin }).on("line", (line) => {
  const command = line.trim();
  if (command === "gc") {
    gc?.({ type: "minor" });
    process.stdout.write("{}\n");
    return;
  }
  if (command !== "cpu") return;
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpu: user + system })}\n`);
});
