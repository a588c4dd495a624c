// The peer ranges claim ioredis >=5 and redis (node-redis) >=5: the store contract runs against
// those majors too, installed under aliases (package.json devDependencies "ioredis5", "redis5").

import { Redis } from "ioredis";
import { Redis as Redis5 } from "ioredis5";
import { createClient as createClient5 } from "redis5";
import { SHARED_REDIS_URL } from "../helpers/redis.js";
import { redisFixture, testStore } from "../helpers/store-contract.js";

const inspector = () => new Redis(SHARED_REDIS_URL);

testStore(
  "redis (ioredis 5 client)",
  redisFixture(inspector, async () => {
    const client = new Redis5(SHARED_REDIS_URL);
    return { redis: client, close: async () => void client.disconnect() };
  }),
);

testStore(
  "redis (node-redis 5 client)",
  redisFixture(inspector, async () => {
    const client = createClient5({ url: SHARED_REDIS_URL });
    await client.connect();
    return { redis: client, close: async () => void (await client.quit()) };
  }),
);
