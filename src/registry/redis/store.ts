import type { RedisClientLike } from "../../options.js";
import type { ReleaseInfo } from "../../types.js";
import { assertReleaseId } from "../release-id.js";
import {
  assertAssetPath,
  bareReleaseWarning,
  checkKeep,
  checkMaxAge,
  checkRegisterInput,
  type RegisterInput,
  type RegisterResult,
  type RegistryStore,
  type ResolvedStoreOptions,
  resolveStoreOptions,
  type StoredManifest,
  type StoreOptions,
  sha256,
} from "../store.js";
import { type Adapter, type Arg, adapterFor, redactUrl } from "./client.js";
import { type RedisKeys, redisKeys } from "./keys.js";
import { toRegistryError } from "./outage.js";
import { SCRIPTS, type Script } from "./scripts.js";

/** Options of `createRedisStore`. */
export interface RedisStoreOptions extends StoreOptions {
  /** A Redis URL (`redis://`, `rediss://`; needs ioredis), or an ioredis client or Cluster, or a connected node-redis client or cluster. */
  redis: string | RedisClientLike;
  /** For a client made from a URL: ms to wait for a connection. @default 2000 */
  connectTimeout?: number;
  /** ms one registry command may take before it counts as an outage. @default 5000 */
  commandTimeout?: number;
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
  readonly #keys: RedisKeys;
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
      [release, text, sha256(text), String(Buffer.byteLength(text))],
    );
    return Number(reply) === 1;
  }

  async register(input: RegisterInput): Promise<RegisterResult> {
    const { release, manifestText, upstream, appVersion, assets } = checkRegisterInput(input);
    const k = this.#keys;
    const args: Arg[] = [
      k.base,
      release,
      String(this.#options.versionsToKeep),
      // The registration time is the server's (scripts.ts), so instances' clocks never matter.
      String(this.#options.versionsMaxAge),
      manifestText,
      sha256(manifestText),
      String(Buffer.byteLength(manifestText)),
      upstream ?? "",
      appVersion ?? "",
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

  async prune(
    keep = this.#options.versionsToKeep,
    maxAge = this.#options.versionsMaxAge,
  ): Promise<RegisterResult> {
    checkKeep(keep, "keep");
    checkMaxAge(maxAge, "maxAge");
    const reply = await this.#run(
      SCRIPTS.prune,
      [this.#keys.list],
      [this.#keys.base, String(keep), String(maxAge)],
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
