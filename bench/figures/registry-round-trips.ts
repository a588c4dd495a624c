/**
 * Figure 2: registry round trips per request after warm-up. A private redis-server holds the
 * registry (so INFO counts no one else's commands); INFO commandstats before and after 1,000
 * renders, and 1,000 HTTP requests through the Express adapter, gives the commands they cost.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { refresh } from "../../src/deploy/refresh.js";
import { createViteRolling } from "../../src/index.js";
import { resolveOptions } from "../../src/options.js";
import { BASE } from "../lib/build.js";
import { checkPage, describeCheck, expectedPage, isCorrect } from "../lib/expected.js";
import { runFigure, type Table } from "../lib/figure.js";
import { startPrivateRedis } from "../lib/redis-server.js";
import { formatInt } from "../lib/stats.js";

const RELEASE = "bench-r1";
const RENDERS = 1000;

/** Calls per command name since the server started (INFO commandstats), INFO itself left out. */
async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const text = await redis.info("commandstats");
  const stats = new Map<string, number>();
  for (const [, name, calls] of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== "info") stats.set(name!, Number(calls));
  }
  return stats;
}

function delta(
  before: Map<string, number>,
  after: Map<string, number>,
): { total: number; by: string } {
  const by: string[] = [];
  let total = 0;
  for (const [name, calls] of after) {
    const d = calls - (before.get(name) ?? 0);
    if (d > 0) {
      total += d;
      by.push(`${name} ×${d}`);
    }
  }
  return { total, by: by.sort().join(", ") || "none" };
}

await runFigure(
  "registry-round-trips",
  "Registry round trips per request after warm-up",
  async ({ prepared, sink }) => {
    const app = prepared.apps.large;
    const server = await startPrivateRedis();
    const admin = new Redis(server.url, { lazyConnect: false });
    const notes: string[] = [];
    const rows: string[][] = [];
    try {
      // The deploy step registers the release, as `npx vite-rolling refresh` would.
      const options = {
        manifestPath: app.build.manifestPath,
        redis: server.url,
        release: RELEASE,
        dev: false,
      };
      await refresh(resolveOptions(options), {});
      const registryKeys = await admin.dbsize();

      const s0 = await commandStats(admin);
      const vr = createViteRolling({ ...options, base: BASE });
      await vr.ready();
      const s1 = await commandStats(admin);
      const ready = delta(s0, s1);
      rows.push([
        "createViteRolling + ready() (once per process)",
        formatInt(ready.total),
        ready.by,
      ]);
      if (ready.total === 0) {
        notes.push(
          "ready() sent no command to the registry: this build of createViteRolling reads the local manifest file and does not consult the registry yet, so the 0 below holds trivially. Run again once the registry is wired into ready().",
        );
      }

      const expected = expectedPage(
        JSON.parse(readFileSync(app.build.manifestPath, "utf8")),
        app.entries,
        BASE,
      );
      const check = checkPage(vr.styles(app.entries) + vr.scripts(app.entries), expected);
      if (!isCorrect(check))
        throw new Error(`rendered page is wrong: ${describeCheck(check, expected)}`);
      for (let i = 0; i < 10; i++) sink.string(vr.styles(app.entries) + vr.scripts(app.entries), i);

      const s2 = await commandStats(admin);
      for (let i = 0; i < RENDERS; i++) {
        sink.string(vr.styles(app.entries), i);
        sink.string(vr.scripts(app.entries), i);
      }
      const s3 = await commandStats(admin);
      const renders = delta(s2, s3);
      rows.push([
        `${formatInt(RENDERS)} renders (styles + scripts, 3 entries)`,
        formatInt(renders.total),
        renders.by,
      ]);

      let http: { total: number; by: string } | null = null;
      try {
        const { viteRolling } = await import("../../src/adapters/express.js");
        const { default: express } = await import("express");
        const web = express();
        web.use(viteRolling(vr));
        web.get("/", (_req, res) => {
          const vite = res.locals.vite;
          res
            .type("html")
            .send(
              `<!doctype html><html><head>${vite.styles(app.entries)}${vite.scripts(app.entries)}</head><body>Hello</body></html>`,
            );
        });
        const listener = web.listen(0, "127.0.0.1");
        await new Promise((resolve) => listener.once("listening", resolve));
        const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/`;
        const get = async (i: number) => {
          const res = await fetch(url);
          const body = await res.text();
          if (res.status !== 200) throw new Error(`GET / answered ${res.status}`);
          sink.string(body, i);
          return body;
        };
        const page = await get(0);
        const pageCheck = checkPage(page, expected);
        if (!isCorrect(pageCheck))
          throw new Error(`served page is wrong: ${describeCheck(pageCheck, expected)}`);
        for (let i = 0; i < 10; i++) await get(i);
        const s4 = await commandStats(admin);
        for (let i = 0; i < RENDERS; i++) await get(i);
        const s5 = await commandStats(admin);
        http = delta(s4, s5);
        rows.push([
          `${formatInt(RENDERS)} HTTP requests through the Express adapter`,
          formatInt(http.total),
          http.by,
        ]);
        await new Promise((resolve) => listener.close(resolve));
      } catch (error) {
        notes.push(
          `HTTP part not measured: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}.`,
        );
      }
      await vr.close();
      notes.push(
        "INFO commandstats also counts the commands a Lua script runs: in ready(), HELLO, EVALSHA (NOSCRIPT on a fresh server) and EVAL are the network round trips; GET, LPOS and HMGET ran inside the script.",
        `A private redis-server (not the shared one) held the registry: ${registryKeys} keys after refresh registered release "${RELEASE}" with the large manifest. INFO itself is left out of the counts.`,
      );
      const table: Table = {
        columns: [
          "phase",
          "Redis commands executed (INFO commandstats; inside Lua scripts included)",
          "by command",
        ],
        rows,
      };
      const perRequest = Math.max(renders.total, http?.total ?? 0) / RENDERS;
      return {
        headline: `${perRequest} round trips per request after warm-up (${renders.total} across ${formatInt(RENDERS)} renders${http ? `, ${http.total} across ${formatInt(RENDERS)} HTTP requests` : ""}); ready(): ${ready.total}`,
        tables: [table],
        notes,
      };
    } finally {
      admin.disconnect();
      await server.stop();
    }
  },
);
