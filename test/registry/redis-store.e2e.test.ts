import { Redis } from "ioredis";
import { createClient } from "redis";
import { SHARED_REDIS_URL } from "../helpers/redis.js";
import { redisFixture, testStore } from "../helpers/store-contract.js";

const inspector = () => new Redis(SHARED_REDIS_URL);

// A URL: the store makes (and closes) its own ioredis client.
testStore(
  "redis (ioredis, from a URL)",
  redisFixture(inspector, async () => ({ redis: SHARED_REDIS_URL, close: async () => {} })),
);

// A connected node-redis client passed in: the store leaves it open, the fixture closes it.
testStore(
  "redis (node-redis client)",
  redisFixture(inspector, async () => {
    const client = createClient({ url: SHARED_REDIS_URL });
    await client.connect();
    return { redis: client, close: async () => void (await client.close()) };
  }),
);
