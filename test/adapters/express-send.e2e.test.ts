/**
 * How the Express adapter reaches `res.send` (issue 15): through the app's response prototype,
 * for responses its middleware marked, never by a method added to each response. These pin
 * what users rely on around it: mounted apps and routers, other apps of the process, routes
 * before the middleware, and other wrappers of `send`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express, { type Express } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as expressAdapter from "../../src/adapters/express.js";
import { createViteRolling } from "../../src/engine/front.js";
import type { ViteRolling } from "../../src/types.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

const PAGE = "<!doctype html><html><head><title>t</title></head><body>hi</body></html>";
const work = tempDir("express-send");
let vr: ViteRolling;
const servers: Server[] = [];

beforeAll(async () => {
  const { manifestPath } = await buildApp(
    work.path,
    { "src/main.ts": "console.log(1);\n" },
    { base: "/static/", build: { rollupOptions: { input: "src/main.ts" } } },
  );
  vr = createViteRolling({
    manifestPath,
    base: "/static/",
    dev: false,
    registryDir: join(work.path, "registry"),
    logger: { warn() {} },
  });
  await vr.ready();
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await vr?.close();
  work.cleanup();
});

async function listen(app: Express): Promise<string> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = async (url: string) => (await fetch(url)).text();
const injected = () => PAGE.replace("</head>", `${vr.versionTags()}</head>`);

describe("Express adapter and res.send", () => {
  it("injects into pages of mounted apps and routers, not into routes before it", async () => {
    const app = express();
    app.get("/before", (_req, res) => void res.type("html").send(PAGE));
    app.use(expressAdapter.viteRolling(vr));
    app.get("/page", (_req, res) => void res.type("html").send(PAGE));
    const sub = express();
    sub.get("/page", (_req, res) => void res.type("html").send(PAGE));
    app.use("/sub", sub);
    const router = express.Router();
    router.get("/page", (_req, res) => void res.type("html").send(PAGE));
    app.use("/router", router);
    const url = await listen(app);
    expect(await get(`${url}/page`)).toBe(injected());
    expect(await get(`${url}/sub/page`)).toBe(injected());
    expect(await get(`${url}/router/page`)).toBe(injected());
    // Negative control: the same app's prototype, a response the middleware never saw.
    expect(await get(`${url}/before`)).toBe(PAGE);
  });

  it("leaves another app of the process alone, and keeps other wrappers of send", async () => {
    const other = express();
    other.get("/page", (_req, res) => void res.type("html").send(PAGE));
    const app = express();
    app.use(expressAdapter.viteRolling(vr));
    // A wrapper added per response after the middleware (compression-style), and one the app
    // put on app.response before the first request: both still run, and the page is injected.
    const seen: string[] = [];
    const appSend = app.response.send;
    app.response.send = function (this: express.Response, body?: unknown) {
      seen.push("app.response");
      return appSend.call(this, body);
    };
    app.use((_req, res, next) => {
      const send = res.send;
      res.send = (body?: unknown) => {
        seen.push("per response");
        return send.call(res, body);
      };
      next();
    });
    app.get("/page", (_req, res) => void res.type("html").send(PAGE));
    const [url, otherUrl] = [await listen(app), await listen(other)];
    expect(await get(`${url}/page`)).toBe(injected());
    expect(seen).toEqual(["per response", "app.response"]);
    expect(await get(`${otherUrl}/page`)).toBe(PAGE);
  });
});
