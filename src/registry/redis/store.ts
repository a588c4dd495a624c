import { createHash } from "node:crypto";
import { describe, fail, ViteRollingError } from "../../errors.js";
import type { RedisClientLike } from "../../options.js";
import type { ReleaseInfo } from "../../types.js";
import { assertReleaseId } from "../release-id.js";
import {
  assertAssetPath,
  assetEntries,
  bareReleaseWarning,
  checkKeep,
  type RegisterInput,
  type RegisterResult,
  type RegistryStore,
  type ResolvedStoreOptions,
  resolveStoreOptions,
  type StoredManifest,
  type StoreOptions,
  sha256,
} from "../store.js";

/**
 * Key names of one Redis registry. Every key carries the hash tag `{<prefix>}`, so the whole
 * registry sits in one Cluster slot and one Lua script can change it atomically. The seed's
 * `<prefix>:<release>` stays readable (`{vite_manifest}:v42`). Release ids hold no ":" (see
 * release-id.ts), so a release key can never alias a metadata, asset or list key.
 *
 * | key | type | holds |
 * |---|---|---|
 * | `{vite_manifest}:list:recent-manifest-versions` | list | live releases, most recent first |
 * | `{vite_manifest}:<release>` | string | the release's manifest text |
 * | `{vite_manifest}:meta:<release>` | hash | registeredAt, manifestHash, size, upstream, appVersion |
 * | `{vite_manifest}:assets:<release>` | hash | retained built files: output path -> bytes (opt-in) |
 * | `{vite_manifest}` | string | manifest of release "" (the seed's bare prefix; never cleaned) |
 */
export function redisKeys(prefix: string, versionsKey: string) {
  const base = `{${prefix}}`;
  return {
    base,
    list: `${base}:list:${versionsKey}`,
    manifest: (release: string) => (release === "" ? base : `${base}:${release}`),
    meta: (release: string) => `${base}:meta:${release}`,
    assets: (release: string) => `${base}:assets:${release}`,
  };
}

/** Options of `createRedisStore`. */
export interface RedisStoreOptions extends StoreOptions {
  /** A Redis URL (`redis://`, `rediss://`; needs ioredis), or an ioredis client or Cluster, or a connected node-redis client or cluster. */
  redis: string | RedisClientLike;
  /** For a client made from a URL: ms to wait for a connection. @default 2000 */
  connectTimeout?: number;
  /** ms one registry command may take before it counts as an outage. @default 5000 */
  commandTimeout?: number;
}

// --- Lua: every step that writes is one script, so concurrent deploys see all of it or none.

// Shared by register and prune: rebuilds the list (front release first, duplicates and "" dropped,
// at most `keep`), then deletes only the keys of releases that left it. No KEYS/SCAN: the list
// itself says what to delete, so keys of other programs sharing the server are never touched.
const STEP = `
local base = ARGV[1]
local function step(list, front, keep)
  local seen, kept, removed = {}, {}, {}
  if front then seen[front] = true; kept[1] = front end
  for _, r in ipairs(redis.call("LRANGE", list, 0, -1)) do
    if r ~= "" and not seen[r] then
      seen[r] = true
      if #kept < keep then kept[#kept + 1] = r else removed[#removed + 1] = r end
    end
  end
  redis.call("DEL", list)
  if #kept > 0 then redis.call("RPUSH", list, unpack(kept)) end
  for _, r in ipairs(removed) do
    redis.call("DEL", base .. ":" .. r, base .. ":meta:" .. r, base .. ":assets:" .. r)
  end
  return kept, removed
end
-- Redis does not roll a script back: check every key's type before the first write.
local function expect(key, kind)
  local t = redis.call("TYPE", key).ok
  if t ~= "none" and t ~= kind then
    return "WRONGTYPE registry key " .. key .. " holds a " .. t .. ", not a " .. kind
  end
end
`;

// KEYS: list, manifest, meta, assets. ARGV: base, release, keep, now, text, hash, size,
// upstream, appVersion, "1" when assets are given, then path, bytes pairs.
const REGISTER = `${STEP}
local problem = expect(KEYS[1], "list") or expect(KEYS[2], "string")
  or expect(KEYS[3], "hash") or expect(KEYS[4], "hash")
if problem then return redis.error_reply(problem) end
local previous = redis.call("HGET", KEYS[3], "manifestHash")
local registeredAt = ARGV[4]
if previous == ARGV[6] then registeredAt = redis.call("HGET", KEYS[3], "registeredAt") or ARGV[4] end
local replaced = 0
if previous and previous ~= ARGV[6] then replaced = 1 end
local kept, removed = {}, {}
if ARGV[2] == "" then
  kept = redis.call("LRANGE", KEYS[1], 0, -1)
else
  kept, removed = step(KEYS[1], ARGV[2], tonumber(ARGV[3]))
end
redis.call("SET", KEYS[2], ARGV[5])
redis.call("DEL", KEYS[3])
redis.call("HSET", KEYS[3], "registeredAt", registeredAt, "manifestHash", ARGV[6], "size", ARGV[7],
  "upstream", ARGV[8], "appVersion", ARGV[9])
if ARGV[10] == "1" then
  redis.call("DEL", KEYS[4])
  for i = 11, #ARGV, 2 do redis.call("HSET", KEYS[4], ARGV[i], ARGV[i + 1]) end
end
return { kept, removed, replaced }
`;

// KEYS: list. ARGV: base, keep.
const PRUNE = `${STEP}
local problem = expect(KEYS[1], "list")
if problem then return redis.error_reply(problem) end
local kept, removed = step(KEYS[1], nil, tonumber(ARGV[2]))
return { kept, removed, 0 }
`;

// KEYS: list, manifest, meta. ARGV: release. Only a listed release's manifest is visible.
const READ = `
if ARGV[1] ~= "" and not redis.call("LPOS", KEYS[1], ARGV[1]) then return false end
local text = redis.call("GET", KEYS[2])
if not text then return false end
local m = redis.call("HMGET", KEYS[3], "registeredAt", "upstream", "appVersion")
return { text, m[1] or "", m[2] or "", m[3] or "" }
`;

// KEYS: list. ARGV: base.
const RELEASES = `
local out = {}
for _, r in ipairs(redis.call("LRANGE", KEYS[1], 0, -1)) do
  local m = redis.call("HMGET", ARGV[1] .. ":meta:" .. r, "registeredAt", "manifestHash", "size",
    "upstream", "appVersion")
  out[#out + 1] = { r, m[1] or "", m[2] or "", m[3] or "", m[4] or "", m[5] or "" }
end
return out
`;

// KEYS: list, manifest, meta. ARGV: release, text, now, hash, size.
const WRITE_THROUGH = `
if not redis.call("LPOS", KEYS[1], ARGV[1]) then return 0 end
if redis.call("EXISTS", KEYS[2]) == 1 then return 0 end
local t = redis.call("TYPE", KEYS[3]).ok
if t ~= "none" and t ~= "hash" then
  return redis.error_reply("WRONGTYPE registry key " .. KEYS[3] .. " holds a " .. t .. ", not a hash")
end
redis.call("SET", KEYS[2], ARGV[2])
if redis.call("HEXISTS", KEYS[3], "registeredAt") == 0 then
  redis.call("HSET", KEYS[3], "registeredAt", ARGV[3])
end
redis.call("HSET", KEYS[3], "manifestHash", ARGV[4], "size", ARGV[5])
return 1
`;

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

const SCRIPTS = {
  register: script(REGISTER),
  prune: script(PRUNE),
  read: script(READ),
  releases: script(RELEASES),
  writeThrough: script(WRITE_THROUGH),
};

type Arg = string | Buffer;

/** The few operations the store needs, over whichever client it was given. */
interface Adapter {
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

/** Nodes' connection-level failures: the server is down, unreachable or too slow. */
const OUTAGE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);
const OUTAGE_NAMES = new Set([
  "MaxRetriesPerRequestError",
  "ClientClosedError",
  "ClientOfflineError",
  "ConnectionTimeoutError",
  "SocketClosedUnexpectedlyError",
  "TimeoutError",
  "ClusterAllFailedError",
]);
const OUTAGE_MESSAGES =
  /Connection is closed|Stream isn't writeable|ECONNREFUSED|max retries|Failed to refresh slots cache|None of startup nodes is available|The client is closed|timed out/i;

/** Whether `error` means "Redis cannot be reached" rather than "Redis refused this command". */
export function isOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && OUTAGE_CODES.has(code)) return true;
  if (OUTAGE_NAMES.has(error.name)) return true;
  if (error instanceof AggregateError) return error.errors.some(isOutage);
  return OUTAGE_MESSAGES.test(error.message);
}

/** Turns a client error into one `[redis]` line naming the server and the fix. */
function toRegistryError(error: unknown, location: string): ViteRollingError {
  if (error instanceof ViteRollingError) return error;
  const message = error instanceof Error ? error.message || error.name : String(error);
  const oneLine = message.replace(/\s+/g, " ").trim().replace(/\.$/, "");
  if (isOutage(error)) {
    return new ViteRollingError(
      "redis",
      `Redis at ${location} is unreachable (${oneLine}). Start it, or point REDIS_URL / the "redis" option at a running server.`,
      { cause: error, code: "ERR_VITE_ROLLING_REDIS_UNREACHABLE" },
    );
  }
  if (oneLine.startsWith("MOVED") || oneLine.startsWith("CROSSSLOT")) {
    return new ViteRollingError(
      "redis",
      `Redis at ${location} is a Cluster node (${oneLine}). Pass an ioredis Cluster (or node-redis createCluster) client as "redis", e.g. from vite-rolling.config.js.`,
      { cause: error, code: "ERR_VITE_ROLLING_REDIS" },
    );
  }
  const fix = oneLine.startsWith("WRONGTYPE")
    ? " Another program writes under this prefix: choose another cacheKeyPrefix."
    : oneLine.includes("unknown command")
      ? " The registry needs Redis 6.2+ or Valkey (EVALSHA, LPOS)."
      : "";
  return new ViteRollingError(
    "redis",
    `Redis at ${location} refused a registry command: ${oneLine}.${fix}`,
    {
      cause: error,
      code: "ERR_VITE_ROLLING_REDIS",
    },
  );
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
): Adapter {
  let connecting: Promise<void> | null = null;
  let closed = false;
  // A client this store made connects lazily, with no offline queue: connect on first use,
  // and while it is reconnecting let commands fail at once instead of queueing (outage = fast fallback).
  const ready = async (): Promise<void> => {
    if (!owned) return;
    if (closed) fail("redis", `the registry at ${location} is closed; open a new one.`);
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

async function adapterFor(
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
        { cause: error },
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
    return ioredisAdapter(client, location, true, commandTimeout, () => lastError);
  }
  if (typeof redis !== "object" || redis === null) {
    fail(
      "redis",
      `option "redis" must be a Redis URL or a client, received ${describe(redis)}. Pass e.g. "redis://127.0.0.1:6379".`,
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
  );
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item) => String(item)) : [];
}

function orNull(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value;
}

function stepResult(reply: unknown): RegisterResult {
  const [kept, removed, replaced] = Array.isArray(reply) ? reply : [];
  return { kept: asStrings(kept), removed: asStrings(removed), replaced: Number(replaced) === 1 };
}

class RedisStore implements RegistryStore {
  readonly kind = "redis";
  readonly #options: ResolvedStoreOptions;
  readonly #keys: ReturnType<typeof redisKeys>;
  readonly #adapter: Promise<Adapter>;
  #location: string;

  constructor(options: RedisStoreOptions) {
    this.#options = resolveStoreOptions(options);
    this.#keys = redisKeys(this.#options.prefix, this.#options.versionsKey);
    const base = typeof options.redis === "string" ? redactUrl(options.redis) : "redis";
    this.#location = `${base} ${this.#keys.base}`;
    this.#adapter = adapterFor(
      options.redis,
      options.connectTimeout ?? 2000,
      options.commandTimeout ?? 5000,
    );
    // Configuration errors surface on first use; do not let an unused store crash the process.
    this.#adapter.then(
      (adapter) => {
        this.#location = `${adapter.location} ${this.#keys.base}`;
      },
      () => {},
    );
  }

  get location(): string {
    return this.#location;
  }

  async #run(s: Script, keys: string[], args: Arg[]): Promise<unknown> {
    const adapter = await this.#adapter;
    try {
      return await adapter.run(s, keys, args);
    } catch (error) {
      throw toRegistryError(error, adapter.location);
    }
  }

  async getManifest(release: string): Promise<StoredManifest | null> {
    assertReleaseId(release);
    const k = this.#keys;
    const reply = await this.#run(
      SCRIPTS.read,
      [k.list, k.manifest(release), k.meta(release)],
      [release],
    );
    if (!Array.isArray(reply)) return null;
    const [text = "", registeredAt = "", upstream, appVersion] = asStrings(reply);
    // Hash and size describe the bytes actually read, whatever the metadata says.
    return {
      text,
      info: {
        release,
        registeredAt,
        manifestHash: sha256(text),
        size: Buffer.byteLength(text, "utf8"),
        upstream: orNull(upstream),
        appVersion: orNull(appVersion),
      },
    };
  }

  async writeThrough(release: string, text: string): Promise<boolean> {
    assertReleaseId(release);
    if (release === "") return false;
    const k = this.#keys;
    const reply = await this.#run(
      SCRIPTS.writeThrough,
      [k.list, k.manifest(release), k.meta(release)],
      [release, text, new Date().toISOString(), sha256(text), String(Buffer.byteLength(text))],
    );
    return Number(reply) === 1;
  }

  async register(input: RegisterInput): Promise<RegisterResult> {
    const { release, manifestText } = input;
    assertReleaseId(release);
    if (typeof manifestText !== "string") {
      fail("registry", `manifestText must be a string, received ${describe(manifestText)}.`);
    }
    const assets = assetEntries(input.assets);
    const k = this.#keys;
    const args: Arg[] = [
      k.base,
      release,
      String(this.#options.versionsToKeep),
      new Date().toISOString(),
      manifestText,
      sha256(manifestText),
      String(Buffer.byteLength(manifestText)),
      input.upstream ?? "",
      input.appVersion ?? "",
      assets ? "1" : "0",
    ];
    for (const [file, bytes] of assets ?? []) {
      args.push(file, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
    const reply = await this.#run(
      SCRIPTS.register,
      [k.list, k.manifest(release), k.meta(release), k.assets(release)],
      args,
    );
    if (release === "") this.#options.logger.warn(bareReleaseWarning(k.base));
    return stepResult(reply);
  }

  async prune(keep = this.#options.versionsToKeep): Promise<RegisterResult> {
    checkKeep(keep, "keep");
    const reply = await this.#run(
      SCRIPTS.prune,
      [this.#keys.list],
      [this.#keys.base, String(keep)],
    );
    return stepResult(reply);
  }

  async releases(): Promise<ReleaseInfo[]> {
    const reply = await this.#run(SCRIPTS.releases, [this.#keys.list], [this.#keys.base]);
    const seen = new Set<string>();
    const out: ReleaseInfo[] = [];
    for (const row of Array.isArray(reply) ? reply : []) {
      const [release = "", registeredAt = "", manifestHash = "", size, upstream, appVersion] =
        asStrings(row);
      if (release === "" || seen.has(release)) continue;
      seen.add(release);
      out.push({
        release,
        registeredAt,
        manifestHash,
        size: Number(size) || 0,
        upstream: orNull(upstream),
        appVersion: orNull(appVersion),
      });
    }
    return out;
  }

  async getAsset(release: string, file: string): Promise<Buffer | null> {
    assertReleaseId(release);
    assertAssetPath(file);
    const adapter = await this.#adapter;
    try {
      return await adapter.hgetBuffer(this.#keys.assets(release), file);
    } catch (error) {
      throw toRegistryError(error, adapter.location);
    }
  }

  async close(): Promise<void> {
    const adapter = await this.#adapter.catch(() => null);
    await adapter?.close();
  }
}

/**
 * A registry in Redis, Redis Cluster or Valkey; key layout in `redisKeys`. A URL makes an
 * ioredis client (imported on first use) that `close()` ends; a passed client stays open.
 * @example
 * const store = createRedisStore({ redis: process.env.REDIS_URL!, prefix: "vite_manifest" });
 * await store.register({ release: "v42", manifestText });
 * await store.close();
 */
export function createRedisStore(options: RedisStoreOptions): RegistryStore {
  return new RedisStore(options);
}
