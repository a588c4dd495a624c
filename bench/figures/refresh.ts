/**
 * Figure 3: `refresh` (register + prune, 5 kept releases) against a Redis holding 1,000 vs
 * 1,000,000 unrelated keys. Two private redis-servers, filled with DEBUG POPULATE under a
 * prefix of ours; refreshes alternate between them. The ratio shows the deploy step does not
 * grow with the keyspace (no KEYS, no SCAN).
 */
import { statSync } from "node:fs";
import { Redis } from "ioredis";
import { refresh } from "../../src/deploy/refresh.js";
import { resolveOptions, type ViteRollingOptions } from "../../src/options.js";
import { openRegistry } from "../../src/registry/connect.js";
import type { RegistryStore } from "../../src/registry/store.js";
import { runFigure } from "../lib/figure.js";
import { type PrivateRedis, startPrivateRedis } from "../lib/redis-server.js";
import { formatInt, formatMs, formatRatio, median, now, rotate, spread } from "../lib/stats.js";

const KEEP = 5;
const UNRELATED_PREFIX = "bench:unrelated";

interface Keyspace {
  label: string;
  unrelated: number;
  server: PrivateRedis;
  admin: Redis;
  registry: RegistryStore;
  open: number[];
  connecting: number[];
}

/** Fills the server with `count` keys of its own prefix: DEBUG POPULATE, else pipelined MSETs. */
async function populate(admin: Redis, count: number): Promise<string> {
  try {
    await admin.call("DEBUG", "POPULATE", String(count), UNRELATED_PREFIX, "64");
    return "DEBUG POPULATE";
  } catch {
    for (let i = 0; i < count; i += 10_000) {
      const pipeline = admin.pipeline();
      for (let j = i; j < Math.min(count, i + 10_000); j += 100) {
        const pairs: string[] = [];
        for (let k = j; k < Math.min(count, j + 100); k++)
          pairs.push(`${UNRELATED_PREFIX}:${k}`, "x".repeat(64));
        pipeline.mset(...pairs);
      }
      await pipeline.exec();
    }
    return "pipelined MSET";
  }
}

await runFigure(
  "refresh",
  "refresh time vs keyspace size (5 kept releases)",
  async ({ prepared, quick, sink }) => {
    const manifestPath = prepared.apps.large.build.manifestPath;
    const spaces: Keyspace[] = [];
    const notes: string[] = [];
    const options = (redis: string, release: string): ViteRollingOptions => ({
      manifestPath,
      redis,
      release,
      versionsToKeep: KEEP,
      dev: false,
    });
    try {
      for (const [label, unrelated] of [
        ["1,000 unrelated keys", 1_000],
        ["1,000,000 unrelated keys", 1_000_000],
      ] as const) {
        const server = await startPrivateRedis();
        const admin = new Redis(server.url);
        const how = await populate(admin, unrelated);
        const registry = openRegistry(resolveOptions(options(server.url, "")));
        spaces.push({ label, unrelated, server, admin, registry, open: [], connecting: [] });
        if (unrelated === 1_000_000)
          notes.push(
            `Unrelated keys written with ${how} (64-byte values) into private redis-servers started for this figure; the shared Redis is not touched.`,
          );
        // The list is full before timing starts: every timed refresh registers one release and
        // prunes one, the steady state of a deploy pipeline.
        for (let i = 0; i < KEEP; i++) {
          await refresh(resolveOptions(options(server.url, `warm-${i}`)), {}, { registry });
        }
      }
      const rounds = quick ? 15 : 300;
      const connectingRounds = quick ? 5 : 30;
      let release = 0;
      for (let round = 0; round < rounds; round++) {
        for (const space of rotate(spaces, round)) {
          const resolved = resolveOptions(options(space.server.url, `r-${release++}`));
          const start = now();
          const result = await refresh(resolved, {}, { registry: space.registry });
          space.open.push(Number(now() - start) / 1e6);
          sink.string(result.manifestHash, round);
          if (result.kept.length !== KEEP || result.removed.length !== 1) {
            throw new Error(
              `refresh kept ${result.kept.length} and removed ${result.removed.length}; expected ${KEEP} and 1`,
            );
          }
        }
      }
      // As the CLI runs it: refresh opens its own connection and closes it.
      for (let round = 0; round < connectingRounds; round++) {
        for (const space of rotate(spaces, round)) {
          const resolved = resolveOptions(options(space.server.url, `c-${release++}`));
          const start = now();
          await refresh(resolved, {}, {});
          space.connecting.push(Number(now() - start) / 1e6);
        }
      }
      const rows: string[][] = [];
      for (const space of spaces) {
        const size = await space.admin.dbsize();
        const releases = await space.registry.releases();
        if (releases.length !== KEEP)
          throw new Error(`${space.label}: the registry lists ${releases.length} releases`);
        const unrelatedLeft = size - (await registryKeyCount(space.admin));
        if (unrelatedLeft !== space.unrelated) {
          throw new Error(
            `${space.label}: ${unrelatedLeft} unrelated keys after the runs, expected ${space.unrelated}`,
          );
        }
        rows.push([
          space.label,
          formatInt(size),
          `${formatMs(median(space.open))} ±${spread(space.open).toFixed(0)}%`,
          `${formatMs(median(space.connecting))} ±${spread(space.connecting).toFixed(0)}%`,
        ]);
      }
      const [small, large] = spaces as [Keyspace, Keyspace];
      const ratioOpen = median(large.open) / median(small.open);
      const ratioConnecting = median(large.connecting) / median(small.connecting);
      rows.push([
        "ratio (1,000,000 / 1,000)",
        "",
        formatRatio(ratioOpen),
        formatRatio(ratioConnecting),
      ]);
      notes.push(
        `${rounds} timed refreshes per keyspace on an open registry and ${connectingRounds} that open their own connection (as \`npx vite-rolling refresh\` does, minus process start), alternating between the two servers. Each registers a new release with the large manifest (${(statSync(manifestPath).size / 1024).toFixed(1)} KiB) and prunes the oldest, leaving ${KEEP}.`,
        "After the runs the figure checks that exactly the unrelated keys are left besides the registry's own (the prune deleted nothing else) and that 5 releases are listed.",
      );
      return {
        headline: `${formatMs(median(small.open))} with 1,000 keys vs ${formatMs(median(large.open))} with 1,000,000: ratio ${formatRatio(ratioOpen)}`,
        tables: [
          {
            columns: [
              "Redis holding",
              "keys in total after",
              "refresh, open registry (median)",
              "refresh, own connection (median)",
            ],
            rows,
          },
        ],
        notes,
      };
    } finally {
      for (const space of spaces) {
        await space.registry.close();
        space.admin.disconnect();
        await space.server.stop();
      }
    }
  },
);

/** Keys of the registry (hash tag `{vite_manifest}`), counted with SCAN on the private server. */
async function registryKeyCount(admin: Redis): Promise<number> {
  let cursor = "0";
  let count = 0;
  do {
    const [next, keys] = await admin.scan(cursor, "MATCH", "{vite_manifest}*", "COUNT", 10_000);
    cursor = next;
    count += keys.length;
  } while (cursor !== "0");
  return count;
}
