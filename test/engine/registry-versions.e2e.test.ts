import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { versionRouter } from "../../src/adapters/express.js";
import { refresh } from "../../src/deploy/refresh.js";
import { createViteRolling } from "../../src/engine/front.js";
import { registryVersions } from "../../src/engine/registry-versions.js";
import { resolveOptions } from "../../src/options.js";
import { tempDir } from "../helpers/tmp.js";
import { writeFiles } from "../helpers/vite.js";

// Blue/green routes read from the registry: releases registered with their upstream.
describe("versionRouter with versions from the registry", () => {
  const dir = tempDir("router-registry");
  const registryDir = join(dir.path, "registry");
  const manifestPath = join(dir.path, "manifest.json");
  const vr = createViteRolling({ manifestPath, registryDir, release: "green", dev: false });
  const versions = registryVersions(vr, { intervalMs: 60_000 });
  let server: Server;
  let url: string;

  const register = (release: string, upstream: string) =>
    refresh(resolveOptions({ manifestPath, registryDir, release, upstream }, {}), {});

  beforeAll(async () => {
    writeFiles(dir.path, {
      "manifest.json": JSON.stringify({ "src/main.ts": { file: "assets/main.js", isEntry: true } }),
    });
    await register("blue", "10.0.0.5:3000");
    await register("green", "10.0.0.6:3000");
    await versions.refresh();
    const app = express();
    app.use(versionRouter({ versions, defaultVersion: "green" }));
    app.get("/", (req, res) => void res.json({ target: req.headers["x-backend-target"] ?? null }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    versions.stop();
    server?.close();
    await vr.close();
    dir.cleanup();
  });

  const target = async (headers: Record<string, string>) =>
    ((await (await fetch(`${url}/`, { headers })).json()) as { target: string | null }).target;

  it("routes pins to the upstream each release was registered with", async () => {
    expect(versions()).toEqual({ blue: "10.0.0.5:3000", green: "10.0.0.6:3000" });
    expect(await target({ "x-app-requested-version": "blue" })).toBe("10.0.0.5:3000");
    expect(await target({ cookie: "app_version=green" })).toBe("10.0.0.6:3000");
  });

  it("follows the registry: a release registered later becomes routable after a refresh", async () => {
    const res = await fetch(`${url}/`, {
      headers: { "x-app-requested-version": "canary", accept: "application/json" },
    });
    expect(res.status).toBe(409);
    await register("canary", "10.0.0.7:3000");
    await versions.refresh();
    expect(await target({ "x-app-requested-version": "canary" })).toBe("10.0.0.7:3000");
  });
});
