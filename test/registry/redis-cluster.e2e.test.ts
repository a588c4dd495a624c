import { createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisKeys } from "../../src/registry/redis/keys.js";
import { createRedisStore } from "../../src/registry/redis/store.js";
import {
  deleteKeys,
  type RedisClusterHandle,
  scanKeys,
  startRedisCluster,
} from "../helpers/redis.js";
import { manifestOf, redisFixture, testStore } from "../helpers/store-contract.js";
import { uniquePrefix } from "../helpers/tmp.js";
import { redisClock, testKeepWindow } from "./keep-window.js";

// One real 3-primary cluster for the whole file.
let cluster: RedisClusterHandle;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(async () => {
  await cluster?.destroy();
});

testStore(
  "redis cluster (ioredis Cluster)",
  redisFixture(
    () => cluster.client(),
    async () => {
      const client = cluster.client();
      return { redis: client, close: async () => client.disconnect() };
    },
  ),
);

testStore(
  "redis cluster (node-redis cluster)",
  redisFixture(
    () => cluster.client(),
    async () => {
      const client = createCluster({
        rootNodes: cluster.nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })),
      });
      await client.connect();
      return { redis: client, close: async () => void (await client.close()) };
    },
  ),
);

// The window reads other releases' metadata inside the script: the one-slot layout makes it legal.
testKeepWindow(
  "redis cluster (ioredis Cluster)",
  redisFixture(
    () => cluster.client(),
    async () => {
      const client = cluster.client();
      return { redis: client, close: async () => client.disconnect() };
    },
  ),
  redisClock(() => cluster.client()),
);

describe("redis cluster key layout", () => {
  it("puts every key of one registry in one slot, whatever the release", async () => {
    const prefix = uniquePrefix("slot");
    const keys = redisKeys(prefix, "recent-manifest-versions");
    const client = cluster.client();
    const store = createRedisStore({ redis: client, prefix, versionsToKeep: 2 });
    try {
      for (const release of ["a", "b", "c", "zz-top"]) {
        await store.register({
          release,
          manifestText: manifestOf(release),
          assets: new Map([["assets/x.js", Buffer.from(release)]]),
        });
      }
      const stored = await scanKeys(client, `${keys.base}*`);
      expect(stored).toEqual(
        [
          keys.list,
          "{P}:zz-top",
          "{P}:c",
          "{P}:meta:zz-top",
          "{P}:meta:c",
          "{P}:assets:zz-top",
          "{P}:assets:c",
        ]
          .map((key) => key.replace("{P}", keys.base))
          .sort(),
      );
      const slots = new Set<number>();
      for (const key of stored) slots.add(Number(await client.cluster("KEYSLOT", key)));
      expect(slots.size).toBe(1);
      // The registry's slot lives on one primary; the others hold none of its keys.
      const perNode = await Promise.all(
        client.nodes("master").map(async (node) => (await node.keys(`${keys.base}*`)).length),
      );
      expect(perNode.filter((n) => n > 0)).toHaveLength(1);
    } finally {
      await store.close();
      await deleteKeys(client, `${keys.base}*`);
      client.disconnect();
    }
  });

  it("tells a plain client pointed at a cluster node to pass a Cluster client", async () => {
    const prefix = uniquePrefix("moved");
    const messages: string[] = [];
    for (const node of cluster.nodes) {
      const store = createRedisStore({ redis: `redis://${node.host}:${node.port}`, prefix });
      try {
        await store.releases();
      } catch (error) {
        messages.push((error as Error).message);
      } finally {
        await store.close();
      }
    }
    // The registry's slot lives on one of the three primaries; the other two redirect.
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      expect(message).toMatch(
        /^\[vite-rolling\] \[redis\] Redis at redis:\/\/127\.0\.0\.1:\d+ is a Cluster node \(MOVED \d+ 127\.0\.0\.1:\d+\)\. Pass an ioredis Cluster \(or node-redis createCluster\) client as "redis"/,
      );
    }
  });
});
