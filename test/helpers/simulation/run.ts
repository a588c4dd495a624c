/**
 * One rolling-deploy simulation: two instances of release A behind nginx, real Chromium users
 * (browser-driver.ts) working through it, then a deploy that moves the instances to B one at a
 * time and a rollback to A the same way. Each deploy step waits for a number of user actions
 * (pacing by work done, never by the clock), so every mix of live instances carries traffic;
 * once a deploy has finished, the next step waits until every user has navigated once.
 *
 * Deploy step order, per instance: start the new one (it boots while the previous phase's
 * pages load, as a new container would), register its release (`refresh`, before any traffic
 * can reach it: its pages reference files only the registry can give the other instances),
 * add it to nginx, then take an old one out of nginx (reload, old workers drained) and stop
 * it gracefully.
 *
 * Old releases' files (an old tab's lazy chunk asked of a new instance) come from the registry
 * (`retainAssets`), or from an S3 bucket alone (`oldAssets: "bucket"`: a real s3rver on loopback,
 * `refresh` uploads each release, the instances get `assetStore` and the AWS variables), or from
 * nowhere (`"none"`, the bucket run's negative control).
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { RELEASES_FOLDER } from "../../../src/assets/open-asset-store.js";
import { GUARD_PREFIX } from "../../../src/client/load-guard.js";
import { refresh } from "../../../src/deploy/refresh.js";
import { resolveOptions, type ViteRollingOptions } from "../../../src/options.js";
import { openRegistry } from "../../../src/registry/connect.js";
import { type S3Server, startS3 } from "../../assets/s3-server.js";
import { freePort } from "../nginx.js";
import { uniquePrefix } from "../tmp.js";
import type { BuiltRelease } from "./app.js";
import { startBalancer } from "./balancer.js";
import { BrowserDriver } from "./browser-driver.js";
import { type Instance, type Mode, startInstance } from "./instances.js";
import type { Figures, LoadRecord, SimEvent, StepRecord } from "./journal.js";
import { type OwnRedis, ownRedis } from "./redis-server.js";
import type { ReleaseBook } from "./tab.js";

export interface SimulationOptions {
  /** Row label in the figures table. */
  label: string;
  mode: Mode;
  /** Where the product's registry lives (ignored by the naive mode, which has none). */
  registry: "file" | "redis";
  /** Releases A (live first) and B (deployed, then rolled back from). */
  releases: readonly [BuiltRelease, BuiltRelease];
  /** Scratch directory of this run. */
  dir: string;
  /**
   * User actions between two deploy steps (3 phases per deploy, 4 more around the outage); the
   * phase before a deploy's first new instance, and the last one, take one action per user.
   */
  actionsPerPhase: number;
  /** Roll back to A after the deploy of B. @default true */
  rollback?: boolean;
  /**
   * Hide the stale-client script's loop guard from it (its sessionStorage memory reads empty):
   * the negative control of the loop count.
   */
  guardOff?: boolean;
  /**
   * Redis only: kill the registry's Redis while only B's instances serve (between the deploy
   * and the rollback), attempt a `refresh` then, and bring Redis back before the rollback.
   */
  redisOutage?: boolean;
  /**
   * Where the product finds another release's hashed files, each instance having only its own
   * build on disk: "registry" (`retainAssets: true`), "bucket" (an s3rver started for the run:
   * `refresh` uploads each release there, the instances get `assetStore` and the AWS variables,
   * nothing is retained in the registry), "none" (nothing anywhere: old chunks answer 404, the
   * negative control of the bucket run). @default "registry"
   */
  oldAssets?: OldAssets;
  /** Browser contexts (users). @default 4 */
  users?: number;
  /** A running Chromium to open the users' contexts in. @default one launched for the run */
  browser?: Browser | null;
  /** Progress lines. @default nothing */
  log?: (line: string) => void;
}

export type OldAssets = "registry" | "bucket" | "none";

/** Where the bucket run's old files came from. */
export interface BucketReport {
  /** Files `refresh` uploaded, per release. */
  uploaded: Record<string, number>;
  /** Hashed files the instances read from the bucket (GETs s3rver answered 200). */
  reads: number;
  /** Retained assets the registry held at the end of the run (0: the bucket is the only source). */
  registryAssets: number;
}

/** What the Redis outage showed. */
export interface OutageReport {
  /** The one-line message `refresh` failed with while Redis was down (null: it did not fail). */
  refreshError: string | null;
  /** The registry (list, manifests, retained assets) before the kill and after the restart. */
  before: RegistrySnapshot;
  after: RegistrySnapshot;
  /** User actions completed while Redis was down. */
  actionsDuringOutage: number;
  /** Broken pages while Redis was down. */
  brokenDuringOutage: number;
  /** What the instance started during the outage printed (its registry warning). */
  bootLog: string;
}

export interface SimulationResult {
  label: string;
  figures: Figures;
  /** The first failures, described. */
  samples: string[];
  /** The deploy steps, in order, with their time. */
  steps: StepRecord[];
  /** Every page load and every failure, for the report's timeline. */
  loads: LoadRecord[];
  events: SimEvent[];
  /** Milliseconds the driven part of the run took. */
  duration: number;
  outage: OutageReport | null;
  /** The bucket run's figures (null without a bucket). */
  bucket: BucketReport | null;
  /** Warnings the instances printed (last lines per instance). */
  instanceLogs: Record<string, string>;
}

/** The registry's content, comparable with `toEqual`: list order, manifest hashes, asset hashes. */
export interface RegistrySnapshot {
  releases: string[];
  manifests: Record<string, string | null>;
  assets: Record<string, string | null>;
}

/** The bucket of the "bucket" run, and the key prefix (the `base` path, as a CDN would map it). */
const BUCKET = "sim-assets";
const BUCKET_PREFIX = "static";

const digest = (bytes: string | Buffer | null): string | null =>
  bytes === null ? null : createHash("sha256").update(bytes).digest("hex");

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const { mode, releases, dir, actionsPerPhase } = options;
  const log = options.log ?? (() => {});
  const [A, B] = releases;
  const prefix = uniquePrefix(`sim-${options.label.replace(/\W+/g, "-")}`);
  const registryDir = join(dir, "registry");
  mkdirSync(registryDir, { recursive: true });
  let redis: OwnRedis | null = null;
  const useRegistry = mode === "product";
  if (useRegistry && options.registry === "redis") redis = await ownRedis(dir);
  const location = redis ? { redis: redis.url } : { registryDir };
  const oldAssets = options.oldAssets ?? "registry";
  let s3: S3Server | null = null;
  if (useRegistry && oldAssets === "bucket") s3 = await startS3([BUCKET]);
  const assetStore = s3 ? `s3://${BUCKET}/${BUCKET_PREFIX}` : null;
  const uploaded: Record<string, number> = {};

  const optionsFor = (built: BuiltRelease): ViteRollingOptions => ({
    manifestPath: built.manifestPath,
    dev: false,
    release: built.release,
    retainAssets: oldAssets === "registry",
    assetStore,
    cacheKeyPrefix: prefix,
    versionsRedisKey: `${prefix}:releases`,
    ...location,
  });
  const register = async (built: BuiltRelease): Promise<void> => {
    if (!useRegistry) return;
    // The AWS variables as a deploy job has them (the parent's own environment stays untouched).
    const env = s3 ? { ...process.env, ...s3.env } : process.env;
    const result = await refresh(resolveOptions(optionsFor(built), env), {}, { cwd: dir });
    const upload = result.upload
      ? `; uploaded ${result.upload.uploaded.length} file(s) to ${assetStore} (${result.upload.skipped.length} already there)`
      : "";
    if (result.upload)
      uploaded[built.release] = (uploaded[built.release] ?? 0) + result.upload.uploaded.length;
    log(`refresh ${built.release}: kept ${result.kept.join(", ")}${upload}`);
  };
  const snapshot = async (): Promise<RegistrySnapshot> => {
    const registry = openRegistry(resolveOptions(optionsFor(A)), dir);
    try {
      const list = (await registry.releases()).map((r) => r.release);
      const manifests: Record<string, string | null> = {};
      const assets: Record<string, string | null> = {};
      for (const release of list) {
        manifests[release] = digest((await registry.getManifest(release))?.text ?? null);
        const built = releases.find((r) => r.release === release);
        for (const file of built?.files ?? []) {
          assets[`${release}:${file}`] = digest(await registry.getAsset(release, file));
        }
      }
      return { releases: list, manifests, assets };
    } finally {
      await registry.close();
    }
  };

  const upstreams = new Map<string, string>();
  const owners = new Map<string, string>();
  const lazy = new Set<string>();
  for (const built of releases) {
    for (const file of built.files) owners.set(file, built.release);
    for (const file of built.lazy) lazy.add(file);
  }
  const book: ReleaseBook = {
    releaseOfFile: (file) => owners.get(file),
    isLazy: (file) => lazy.has(file),
    releaseOfUpstream: (address) => upstreams.get(address),
  };

  const all: Instance[] = [];
  const live: Instance[] = [];
  const recorded = new Set<string>();
  const start = async (built: BuiltRelease, name: string): Promise<Instance> => {
    const instance = await startInstance(
      mode,
      name,
      built.release,
      {
        SIM_DIST: built.dist,
        SIM_PREFIX: prefix,
        SIM_RETAIN_ASSETS: oldAssets === "registry" ? "1" : "0",
        ...(redis ? { SIM_REDIS_URL: redis.url } : { SIM_REGISTRY_DIR: registryDir }),
        ...(s3 && assetStore ? { SIM_ASSET_STORE: assetStore, ...s3.env } : {}),
      },
      (token) => recorded.add(token),
    );
    all.push(instance);
    upstreams.set(`127.0.0.1:${instance.port}`, built.release);
    return instance;
  };

  await register(A);
  live.push(await start(A, "A1"), await start(A, "A2"));
  const balancer = await startBalancer(
    join(dir, "nginx"),
    await freePort(),
    live.map((i) => i.port),
  );
  const users = options.users ?? 4;
  const driver = new BrowserDriver({
    port: balancer.port,
    book,
    users,
    browser: options.browser ?? null,
    guardPrefix: options.guardOff ? GUARD_PREFIX : null,
  });
  const { journal } = driver;
  const step = (text: string) => {
    const names = live.map((i) => i.name).join(" + ");
    journal.step(`${text} (live: ${names})`);
    const at = `${(journal.now() / 1000).toFixed(1)} s, action ${driver.figures.actions}`;
    log(`  ${text} (live: ${names}; ${at})`);
  };
  /**
   * Lets users do `count` actions on the live instances. `boot`: an instance booting meanwhile
   * (a new container boots while the old ones serve), returned once both are done.
   */
  const phase = async (
    count = actionsPerPhase,
    boot?: Promise<Instance>,
  ): Promise<Instance | null> => {
    const [, booted] = await Promise.all([driver.actionsMore(count), boot ?? null]);
    return booted;
  };
  /**
   * Replaces the live instances by instances of `to`, one at a time (4 phases). Both new
   * instances boot from the start (as a deploy starts its containers before the balancer sends
   * them traffic), which keeps the run short on a slow machine.
   */
  const roll = async (to: BuiltRelease): Promise<void> => {
    const booting = [1, 2].map((n) => start(to, `${to.release}${n}`));
    // The second one's failure surfaces when it is awaited, not as an unhandled rejection.
    for (const boot of booting) boot.catch(() => {});
    for (const n of [1, 2]) {
      // Before the first new instance only one release serves: a short phase (each user acts
      // about once) is enough there; the phases with both releases live carry the risk.
      const fresh = (await phase(n === 1 ? users : actionsPerPhase, booting[n - 1]))!;
      if (n === 1) await register(to);
      live.push(fresh);
      await balancer.update(live.map((i) => i.port));
      step(`${n === 1 && useRegistry ? `refresh ${to.release}, ` : ""}add ${fresh.name} to nginx`);
      await phase();
      const old = live.shift()!;
      await balancer.update(live.map((i) => i.port));
      await old.stop();
      step(`take ${old.name} out of nginx, stop it`);
    }
    await driver.deployed(to.release);
    step(`every tab navigated once since ${to.release} was deployed`);
  };

  let outage: OutageReport | null = null;
  let bucket: BucketReport | null = null;
  try {
    await driver.start();
    step("serve");
    log(`deploy ${B.release}`);
    await roll(B);
    if (redis && options.redisOutage) {
      await phase();
      const before = await snapshot();
      const actionsBefore = driver.figures.actions;
      const brokenBefore = driver.figures.broken;
      await redis.kill();
      step("kill Redis");
      // A rolling restart in the outage: the new instance boots with the registry down.
      const spare = (await phase(actionsPerPhase, start(B, `${B.release}3`)))!;
      live.push(spare);
      await balancer.update(live.map((i) => i.port));
      step(`add ${spare.name} (started while Redis is down) to nginx`);
      let refreshError: string | null = null;
      try {
        await register(B);
      } catch (error) {
        refreshError = error instanceof Error ? error.message : String(error);
      }
      step(`refresh ${B.release} while Redis is down: ${refreshError ?? "succeeded (!)"}`);
      await phase();
      const old = live.shift()!;
      await balancer.update(live.map((i) => i.port));
      await old.stop();
      step(`take ${old.name} out of nginx, stop it`);
      await phase();
      const actionsDuringOutage = driver.figures.actions - actionsBefore;
      const brokenDuringOutage = driver.figures.broken - brokenBefore;
      await redis.start();
      const after = await snapshot();
      step("restart Redis");
      outage = {
        refreshError,
        before,
        after,
        actionsDuringOutage,
        brokenDuringOutage,
        bootLog: spare.log(),
      };
    }
    if (options.rollback ?? true) {
      log(`roll back to ${A.release}`);
      await roll(A);
    }
    await phase(users);
    step("serve");
    if (s3) {
      const assets = Object.values((await snapshot()).assets);
      bucket = {
        uploaded,
        reads: s3.reads().filter((path) => !path.includes(`/${RELEASES_FOLDER}`)).length,
        registryAssets: assets.filter((a) => a !== null).length,
      };
    }
  } finally {
    await driver.stop();
    journal.step("users stopped");
    await balancer.stop();
    for (const instance of all) await instance.stop();
    await redis?.kill();
    await s3?.close();
  }
  driver.settlePosts(recorded);
  return {
    label: options.label,
    figures: driver.figures,
    samples: journal.samples(),
    steps: journal.steps,
    loads: journal.loads,
    events: journal.events,
    duration: journal.now(),
    outage,
    bucket,
    instanceLogs: Object.fromEntries(all.map((i) => [i.name, i.log()])),
  };
}
