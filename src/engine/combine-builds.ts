import { describe, fail } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import type { ReleaseInfo, RetainedAsset, VersionInfo, ViteRolling } from "../types.js";
import { closest } from "../util/closest.js";
import { hashOfPairs, shortHash } from "../version/hash.js";
import { FrontBase } from "./front-base.js";

/** Options of `combineBuilds`. */
export interface CombineBuildsOptions {
  /**
   * The build a call without `build` renders; its options are the HTTP settings of the whole
   * (`versionPath`, `secret`, `linkHeader`, `earlyHints`, ...), its registry answers `/version`.
   * @default the first build named
   */
  default?: string;
}

/**
 * One object over several Vite builds served by one server (an admin app and a public app),
 * each made by its own `createViteRolling` (its own manifest, base and `cacheKeyPrefix`, so
 * each is registered by its own `vite-rolling refresh`). Every method takes the build's name
 * in the render context (`{ build: "admin" }`); without one, the default build renders.
 * `ready()`, `reload()` and `close()` act on every build. The app version is the builds'
 * common version, else a hash of all of them, so a deploy of either makes open tabs stale.
 *
 * @example
 * const vr = combineBuilds({
 *   public: createViteRolling({ manifestPath: "dist/public/.vite/manifest.json" }),
 *   admin: createViteRolling({ manifestPath: "dist/admin/.vite/manifest.json", cacheKeyPrefix: "admin_manifest" }),
 * });
 * await vr.ready();
 * vr.scripts("src/admin.ts", { build: "admin", nonce });
 * // templates: vite.scripts("src/admin.ts", "admin"); {% vite_scripts "src/admin.ts" build="admin" %}
 */
export function combineBuilds(
  builds: Record<string, ViteRolling>,
  options: CombineBuildsOptions = {},
): ViteRolling {
  return new CombinedBuilds(builds, options);
}

class CombinedBuilds extends FrontBase {
  readonly defaultBuild: string;
  readonly #builds: ReadonlyMap<string, ViteRolling>;
  readonly #default: ViteRolling;
  #version: VersionInfo;

  constructor(builds: Record<string, ViteRolling>, options: CombineBuildsOptions) {
    super();
    if (typeof builds !== "object" || builds === null || Object.keys(builds).length === 0) {
      fail(
        "builds",
        `combineBuilds expects an object of build name to createViteRolling(...) result, like { admin: vrAdmin, public: vrPublic }, received ${describe(builds)}.`,
        { code: "ERR_OPTIONS" },
      );
    }
    for (const [name, vr] of Object.entries(builds)) {
      if (typeof vr !== "object" || vr === null || typeof vr.scripts !== "function") {
        fail(
          "builds",
          `build "${name}" must be what createViteRolling() returns, received ${describe(vr)}.`,
          { code: "ERR_OPTIONS" },
        );
      }
    }
    this.#builds = new Map(Object.entries(builds));
    this.defaultBuild = options.default ?? Object.keys(builds)[0]!;
    this.#default = this.#pick(this.defaultBuild, "combineBuilds");
    checkRegistries(this.#builds);
    this.#version = this.#combine();
  }

  get options(): ResolvedOptions {
    return this.#default.options;
  }

  get release(): string {
    return this.#default.release;
  }

  /** The build a context names; it renders without the name (it serves only itself). */
  protected target(build: string | undefined, method: string): ViteRolling {
    return build === undefined ? this.#default : this.#pick(build, method);
  }

  #pick(name: string, method: string): ViteRolling {
    const vr = this.#builds.get(name);
    if (vr) return vr;
    const names = [...this.#builds.keys()];
    const [near] = closest(String(name), names, 1);
    return fail(
      "builds",
      `${method}(): no build named ${describe(name)}; the builds are ${names.map((n) => JSON.stringify(n)).join(", ")}.${near ? ` Did you mean "${near}"?` : ""}`,
      { code: "ERR_UNKNOWN_BUILD" },
    );
  }

  /** The common version of the builds, else one derived from all of them. */
  #combine(): VersionInfo {
    const infos = [...this.#builds].map(([name, vr]) => [name, vr.versionInfo()] as const);
    const base = this.#default.versionInfo();
    if (infos.every(([, info]) => info.version === base.version)) return base;
    const pairs = infos.map(([name, info]): [string, string] => [name, info.version]);
    return { ...base, version: shortHash(hashOfPairs(pairs)) };
  }

  async ready(): Promise<void> {
    await Promise.all([...this.#builds.values()].map((vr) => vr.ready()));
    this.#version = this.#combine();
  }

  /** Static files Vite does not process belong to no build: the default build's settings. */
  staticUrl(path: string): string {
    return this.#default.staticUrl(path);
  }

  versionInfo(): VersionInfo {
    return this.#version;
  }

  /** Components count once, in the default build's version (and so in the combined one). */
  registerVersionComponent(name: string, files: readonly string[]): void {
    this.#default.registerVersionComponent(name, files);
  }

  async reload(): Promise<VersionInfo> {
    // Every build reloads even when one fails; the first failure is reported.
    const results = await Promise.allSettled([...this.#builds.values()].map((vr) => vr.reload()));
    this.#version = this.#combine();
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    return this.#version;
  }

  /** The first build whose base and registry know the path. */
  retainedAsset(path: string): Promise<RetainedAsset | null> | null {
    const pending = [...this.#builds.values()].flatMap((vr) => vr.retainedAsset(path) ?? []);
    if (pending.length === 0) return null;
    return (async () => {
      for (const lookup of pending) {
        const asset = await lookup;
        if (asset) return asset;
      }
      return null;
    })();
  }

  /** The default build's releases (each build has its own registry list). */
  releases(): Promise<ReleaseInfo[]> {
    return this.#default.releases();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#builds.values()].map((vr) => vr.close()));
  }
}

/**
 * Two builds registering under one prefix of one registry would overwrite each other's
 * manifests (a release id names both): each needs its own `cacheKeyPrefix`.
 */
function checkRegistries(builds: ReadonlyMap<string, ViteRolling>): void {
  // Builds that never open a registry (dev, cache off) cannot clash.
  const registered = [...builds].filter(([, vr]) => !vr.options.dev && vr.options.cache);
  for (const [i, [first, a]] of registered.entries()) {
    for (const [second, b] of registered.slice(i + 1)) {
      const x = a.options;
      const y = b.options;
      // Resolved options hold REDIS_URL in `redis`; null is the file registry in registryDir.
      const sameStore =
        x.redis === y.redis && (x.redis !== null || x.registryDir === y.registryDir);
      if (sameStore && x.cacheKeyPrefix === y.cacheKeyPrefix) {
        fail(
          "builds",
          `builds "${first}" and "${second}" share the registry prefix "${x.cacheKeyPrefix}", so their manifests would overwrite each other. Fix: give each build its own cacheKeyPrefix, e.g. createViteRolling({ cacheKeyPrefix: "${second}_manifest", ... }).`,
          { code: "ERR_OPTIONS" },
        );
      }
    }
  }
}
