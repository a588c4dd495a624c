import { describe, fail } from "../../errors.js";
import type { RedisClientLike } from "../../options.js";
import type { Script } from "./scripts.js";

/** A command argument: text, or bytes (retained assets). */
export type Arg = string | Buffer;

/** The few operations the store needs, over whichever client it was given. */
export interface Adapter {
  readonly location: string;
  /** EVALSHA, falling back to EVAL once when the server does not know the script yet. */
  run(script: Script, keys: string[], args: Arg[]): Promise<unknown>;
  hgetBuffer(key: string, field: string): Promise<Buffer | null>;
  close(): Promise<void>;
}

// Structural views of the clients, so neither library is needed to type-check or load this file.
interface IoredisLike {
  status: string;
  evalsha(sha: string, numKeys: number, ...args: Arg[]): Promise<unknown>;
  eval(source: string, numKeys: number, ...args: Arg[]): Promise<unknown>;
  hgetBuffer(key: string, field: string): Promise<Buffer | null>;
  connect(): Promise<void>;
  select(db: number): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

interface NodeRedisOptions {
  typeMapping?: Record<number, unknown>;
  timeout?: number;
}

interface NodeRedisLike {
  isOpen: boolean;
  sendCommand(args: Arg[], options?: NodeRedisOptions): Promise<unknown>;
}

interface NodeRedisClusterLike {
  isOpen: boolean;
  getMasters(): unknown;
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: Arg[],
    options?: NodeRedisOptions,
  ): Promise<unknown>;
}

function hasMethods(value: object, ...names: string[]): boolean {
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === "function");
}

function isIoredis(value: object): value is IoredisLike {
  return hasMethods(value, "evalsha", "eval", "hgetBuffer", "disconnect");
}

function isNodeRedisCluster(value: object): value is NodeRedisClusterLike {
  return "isOpen" in value && hasMethods(value, "sendCommand", "getMasters");
}

function isNodeRedis(value: object): value is NodeRedisLike {
  return "isOpen" in value && hasMethods(value, "sendCommand");
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/** `redis://user:secret@host:6379/0` -> `redis://user:***@host:6379/0`, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "<unparsable Redis URL>";
  }
}

function ioredisAdapter(
  client: IoredisLike,
  location: string,
  owned: boolean,
  commandTimeout: number,
  lastError: () => unknown = () => null,
  db = 0,
): Adapter {
  let connecting: Promise<void> | null = null;
  let dbChecked = db === 0;
  let closed = false;
  // A client this store made connects lazily, with no offline queue: connect on first use,
  // and while it is reconnecting let commands fail at once instead of queueing (outage = fast fallback).
  const ready = async (): Promise<void> => {
    if (!owned) return;
    if (closed) {
      fail("redis", `the registry at ${location} is closed; open a new one.`, {
        code: "ERR_REGISTRY_CLOSED",
      });
    }
    if (client.status === "wait" || client.status === "end") {
      connecting ??= client
        .connect()
        // connect() rejects with "Connection is closed."; the socket error says why (ECONNREFUSED).
        .catch((error: unknown) => {
          throw lastError() ?? error;
        })
        .finally(() => {
          connecting = null;
        });
    }
    if (connecting) await connecting;
    if (!dbChecked) {
      // ioredis reports a failed SELECT of the URL's database as an event and then runs every
      // command in db 0: a registry written there would be one nobody reads (issue 14).
      await client.select(db).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (!/out of range|invalid DB index/i.test(reason)) throw error;
        fail(
          "redis",
          `${location} names database ${db}, which the server does not have (${reason}). Use a database below the server's \`databases\` setting (usually 0-15), e.g. redis://host:6379/0.`,
          { cause: error, code: "ERR_REGISTRY_DB" },
        );
      });
      dbChecked = true;
    }
  };
  return {
    location,
    async run(s, keys, args) {
      await ready();
      try {
        return await client.evalsha(s.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return client.eval(s.source, keys.length, ...keys, ...args);
      }
    },
    async hgetBuffer(key, field) {
      await ready();
      return client.hgetBuffer(key, field);
    },
    async close() {
      if (!owned || closed) return;
      closed = true;
      if (client.status === "ready") {
        // QUIT waits for pending replies; bounded so close() never hangs on a dying server.
        const timer = setTimeout(() => client.disconnect(), commandTimeout);
        try {
          await client.quit();
        } catch {
          client.disconnect();
        } finally {
          clearTimeout(timer);
        }
      } else {
        client.disconnect();
      }
    },
  };
}

function nodeRedisAdapter(
  send: (firstKey: string | undefined, args: Arg[], options: NodeRedisOptions) => Promise<unknown>,
  location: string,
  commandTimeout: number,
): Adapter {
  return {
    location,
    async run(s, keys, args) {
      const tail = [String(keys.length), ...keys, ...args];
      try {
        return await send(keys[0], ["EVALSHA", s.sha, ...tail], { timeout: commandTimeout });
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return send(keys[0], ["EVAL", s.source, ...tail], { timeout: commandTimeout });
      }
    },
    async hgetBuffer(key, field) {
      // RESP type 36 is the bulk string: map it to Buffer so binary assets survive.
      const reply = await send(key, ["HGET", key, field], {
        typeMapping: { 36: Buffer },
        timeout: commandTimeout,
      });
      return Buffer.isBuffer(reply) ? reply : null;
    },
    async close() {
      // node-redis clients are always the caller's: they stay open.
    },
  };
}

function describeClient(client: object, kind: string): string {
  const options = (client as { options?: { host?: unknown; port?: unknown; url?: unknown } })
    .options;
  if (typeof options?.url === "string") return redactUrl(options.url);
  if (typeof options?.host === "string" && options.port !== undefined)
    return `redis://${options.host}:${String(options.port)}`;
  return kind;
}

/** The database a Redis URL names (`redis://host:6379/3` -> 3), 0 when none. */
function urlDb(url: string): number {
  let path = "";
  try {
    path = new URL(url).pathname.slice(1);
  } catch {
    return 0;
  }
  const db = Number(path);
  return path !== "" && Number.isInteger(db) && db > 0 ? db : 0;
}

/**
 * The adapter over `redis`: for a URL, an ioredis client made here (imported on first use,
 * closed by `close()`); for an ioredis client or Cluster, or a connected node-redis client or
 * cluster, that client (left open). Fails naming the fix when none of these fits.
 */
export async function adapterFor(
  redis: string | RedisClientLike,
  connectTimeout: number,
  commandTimeout: number,
): Promise<Adapter> {
  if (typeof redis === "string") {
    const location = redactUrl(redis);
    let Redis: typeof import("ioredis").Redis;
    try {
      ({ Redis } = await import("ioredis"));
    } catch (error) {
      fail(
        "redis",
        `the "redis" option is a URL (${location}) but ioredis is not installed: install ioredis (npm i ioredis) or pass "redis" as a connected client.`,
        { cause: error, code: "ERR_REDIS_CLIENT" },
      );
    }
    const client = new Redis(redis, {
      lazyConnect: true,
      connectTimeout,
      commandTimeout,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      // Reconnect in the background forever: when Redis is back, the next call just works.
      retryStrategy: (times: number) => Math.min(times * 200, 2000),
    });
    // Failures surface on the command that meets them; without a listener ioredis prints each
    // reconnect error to stderr.
    let lastError: unknown = null;
    client.on("error", (error: unknown) => {
      lastError = error;
    });
    return ioredisAdapter(client, location, true, commandTimeout, () => lastError, urlDb(redis));
  }
  if (typeof redis !== "object" || redis === null) {
    fail(
      "redis",
      `option "redis" must be a Redis URL or a client, received ${describe(redis)}. Pass e.g. "redis://127.0.0.1:6379".`,
      { code: "ERR_OPTIONS" },
    );
  }
  if (isIoredis(redis)) {
    const kind = hasMethods(redis, "nodes") ? "ioredis Cluster" : "ioredis client";
    return ioredisAdapter(redis, describeClient(redis, kind), false, commandTimeout);
  }
  if (isNodeRedisCluster(redis) || isNodeRedis(redis)) {
    if (!redis.isOpen) {
      fail(
        "redis",
        `the node-redis client passed as "redis" is not connected: call \`await client.connect()\` before passing it.`,
        { code: "ERR_REDIS_CLIENT" },
      );
    }
    if (isNodeRedisCluster(redis)) {
      return nodeRedisAdapter(
        (firstKey, args, options) => redis.sendCommand(firstKey, false, args, options),
        "node-redis cluster",
        commandTimeout,
      );
    }
    return nodeRedisAdapter(
      (_firstKey, args, options) => redis.sendCommand(args, options),
      describeClient(redis, "node-redis client"),
      commandTimeout,
    );
  }
  fail(
    "redis",
    `option "redis" must be a Redis URL, an ioredis client or Cluster, or a node-redis client; received an object with neither evalsha() nor sendCommand().`,
    { code: "ERR_REDIS_CLIENT" },
  );
}
