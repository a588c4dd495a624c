import { type AwsEnv, awsEnvFrom } from "./assets/s3-env.js";
import { parseS3Url } from "./assets/s3-url.js";
import { describe, fail, type Logger } from "./errors.js";
import { assertReleaseId } from "./registry/release-id.js";
import { MAX_AGE_LIMIT, resolveStoreOptions } from "./registry/store.js";
import { closest } from "./util/closest.js";

/** Kinds of tag the library writes; the `attributes` hook receives one of these. */
export type TagKind = "stylesheet" | "modulepreload" | "script" | "prefetch" | "inline-script";

export type MismatchAction = "reload" | "warn" | "ignore";

/** Anything that looks like an ioredis or node-redis client. */
export type RedisClientLike = object;

/**
 * Options of `createViteRolling`. Every setting of the two seed documents, in camelCase,
 * with the seed's defaults (see `DEFAULTS` and the README's settings table).
 */
export interface ViteRollingOptions {
  /** Path to Vite's `.vite/manifest.json`. Required. */
  manifestPath: string;
  /** URL prefix of built files; may be a CDN origin. `null`: the base the build recorded, else "/". @default null */
  base?: string | null;
  /** Dev mode: tags point at the Vite dev server. @default process.env.NODE_ENV !== "production" */
  dev?: boolean;
  /** Cache manifests in the registry (set false in dev). @default true */
  cache?: boolean;
  /** Registry key prefix; a release's manifest lives at `<prefix>:<release>`. @default "vite_manifest" */
  cacheKeyPrefix?: string;
  /** Dev server host; `null` derives it from the request's Host header (fallback localhost). @default null */
  devServerHost?: string | null;
  /** @default 3001 */
  devServerPort?: number;
  /** @default "http" */
  devServerProtocol?: "http" | "https";
  /** Path prefix the Vite dev server serves from (Vite's `base`). @default "/static" */
  devServerStaticPath?: string;
  /**
   * The file the `vite-rolling/vite` plugin writes while Vite's dev server runs, naming its
   * protocol, host, port and base (Laravel's `public/hot`). In dev mode the tags point where
   * it says; without it they come from the build's manifest when one exists, else from the
   * devServer* options. Relative paths resolve against the working directory, as the
   * plugin's `hotFile` does.
   * @default ".vite-rolling/hot"
   */
  hotFile?: string;
  /**
   * For an app's own test suite: no manifest, no dev server, no registry. `ready()` loads
   * nothing and `styles()` / `scripts()` render an HTML comment naming the entries (Laravel's
   * `withoutVite`). Never set it in production.
   * @default false
   */
  withoutVite?: boolean;
  /** How many recent releases the registry keeps. @default 5 */
  versionsToKeep?: number;
  /**
   * Seconds a release stays in the registry after it was registered, even past
   * `versionsToKeep` (Phoenix's `phx.digest.clean --age`): `refresh` and `prune` drop a
   * release only when it is both beyond the `versionsToKeep` most recent and older than this.
   * Measured on the registry's clock (Redis: the server's `TIME`). 0: count only. Unset:
   * `VITE_ROLLING_VERSIONS_MAX_AGE`, else 0.
   * @default 0
   */
  versionsMaxAge?: number;
  /** Name of the environment variable holding the release id. @default "RELEASE_VERSION" */
  versionSetting?: string;
  /** Registry key of the list of recent releases. @default "recent-manifest-versions" */
  versionsRedisKey?: string;
  /** Redis URL or an existing ioredis / node-redis client; `null`: `REDIS_URL`, else the file registry. @default null */
  redis?: string | RedisClientLike | null;
  /** Directory of the embedded file registry (one machine, many processes). @default ".vite-rolling" */
  registryDir?: string;
  /** This process's release id; `null`: `process.env[versionSetting]`. @default null */
  release?: string | null;
  /** Upstream name this release is served by, for version routing. @default null */
  upstream?: string | null;
  /** Explicit app version (git SHA, semver); empty: `APP_VERSION`, else derived from the build. @default "" */
  appVersion?: string;
  /** Send `X-App-Version` on every response. @default true */
  appVersionHeader?: boolean;
  /** What a stale browser tab does: "reload" | "warn" | "ignore". @default "reload" */
  appVersionMismatch?: MismatchAction;
  /** Serve `GET /version`. @default true */
  versionEndpoint?: boolean;
  /**
   * List each release's upstream (`host:port`) in `GET /version`; off, the unauthenticated
   * endpoint tells no internal addresses. @default false
   */
  versionEndpointUpstreams?: boolean;
  /** @default "/version" */
  versionPath?: string;
  /** @default "/cache/bust" */
  cacheBustPath?: string;
  /** Secret for the `/cache/bust` token; `null`: `SECRET_KEY`; none disables the endpoint. @default null */
  secret?: string | null;
  /** Append `?v=<content hash>` to static URLs in dev mode. @default true */
  staticDevVersionQuery?: boolean;
  /** Source directory of static files Vite does not process (for `staticUrl`). @default null */
  staticRoot?: string | null;
  /** Path to `staticfiles.json` written by `vite-rolling collect`. @default null */
  staticManifestPath?: string | null;
  /** URL prefix static files are served under. @default "/static/" */
  staticBase?: string;
  /** Emit `integrity` when the build recorded one. @default true */
  integrity?: boolean;
  /** Add attributes per tag. */
  attributes?:
    | ((kind: TagKind, url: string) => Record<string, string | boolean | undefined>)
    | null;
  /** Put `data-turbo-track="reload"` on emitted tags. @default false */
  turboTrack?: boolean;
  /** Answer stale htmx / Inertia requests with a full-navigation redirect. @default true */
  staleRedirect?: boolean;
  /**
   * Milliseconds between the stale-client script's checks of the version endpoint while the
   * tab is visible (it also checks when the tab becomes visible); 0 turns the checks off. They
   * are conditional requests answered `304` from memory. Off when `versionEndpoint` is false.
   * @default 60000
   */
  pollInterval?: number;
  /**
   * Save what the user typed into forms before an automatic reload and restore it after
   * (passwords, hidden, file, `autocomplete="off"` and `data-vite-rolling-skip` fields never).
   * @default true
   */
  formRestore?: boolean;
  /**
   * How pages carry the stale-client script: `"external"`, a short `<script src>` to one
   * immutable, integrity-pinned file the middleware serves under `/__vite-rolling/` (fetched
   * once per library version, not 3 KB on every page), or `"inline"`, the whole script in every
   * page (for pages served without one of the adapters, or an app mounted under a sub-path).
   * @default "external"
   */
  staleClientScript?: "external" | "inline";
  /** Store built assets in the registry and serve retained old assets. @default false */
  retainAssets?: boolean;
  /**
   * Object storage for old releases' built files, `"s3://bucket/prefix"` (S3, R2, MinIO, any
   * S3-compatible server): `refresh` uploads each release's hashed files there before
   * registering it, the server answers other kept releases' files from it, and
   * `prune-assets` deletes what no kept release references. Endpoint and credentials come
   * from the standard AWS variables. Needs the optional peer `aws4fetch`. `null`:
   * `VITE_ROLLING_ASSET_STORE`, else none.
   * @default null
   */
  assetStore?: string | null;
  /**
   * Prefetch an entry's lazy chunks (its dynamic imports, their imports and CSS), written by
   * `scripts()`: false | "aggressive" (`<link rel="prefetch">` tags) | "waterfall" (a script
   * adding them after `load`, `prefetchConcurrency` at a time).
   * @default false
   */
  prefetch?: false | "aggressive" | "waterfall";
  /** Chunks fetched at a time with "waterfall". @default 3 */
  prefetchConcurrency?: number;
  /**
   * Send the page's preloads as a `Link` header: the adapters' template helpers add the links
   * of every entry they render (and of `preload(entries)`).
   * @default false
   */
  linkHeader?: boolean;
  /** Most entries in one `Link` header. @default 20 */
  linkHeaderMaxCount?: number;
  /** Most bytes of one `Link` header. @default 4000 */
  linkHeaderMaxBytes?: number;
  /**
   * Send `103 Early Hints` from the template helpers' `preload(entries)`, called before the
   * handler's slow work, where Node supports it (`res.writeEarlyHints`).
   * @default false
   */
  earlyHints?: boolean;
  /** Where warnings go. @default console */
  logger?: Logger;
}

/**
 * Options after `resolveOptions`: every default filled in and the environment read, once.
 * `release`, `appVersion`, `secret`, `redis` and `dev` hold what this process runs with (the
 * option, else its environment variable), so no other module reads `process.env`.
 */
export type ResolvedOptions = Required<Omit<ViteRollingOptions, "dev" | "logger" | "release">> & {
  /** This process's release id: the option, else the variable `versionSetting` names, else "". */
  release: string;
  /** The option, else `NODE_ENV !== "production"`. */
  dev: boolean;
  logger: Logger;
  /** The AWS variables (endpoint, region, credentials) an `assetStore` is opened with. */
  assetStoreEnv: AwsEnv;
};

/** Defaults of every option but `manifestPath`, `dev` and `logger` (computed at creation). */
export const DEFAULTS = {
  base: null,
  cache: true,
  cacheKeyPrefix: "vite_manifest",
  devServerHost: null,
  devServerPort: 3001,
  devServerProtocol: "http",
  devServerStaticPath: "/static",
  hotFile: ".vite-rolling/hot",
  withoutVite: false,
  versionsToKeep: 5,
  versionsMaxAge: 0,
  versionSetting: "RELEASE_VERSION",
  versionsRedisKey: "recent-manifest-versions",
  redis: null,
  registryDir: ".vite-rolling",
  release: null,
  upstream: null,
  appVersion: "",
  appVersionHeader: true,
  appVersionMismatch: "reload",
  versionEndpoint: true,
  versionEndpointUpstreams: false,
  versionPath: "/version",
  cacheBustPath: "/cache/bust",
  secret: null,
  staticDevVersionQuery: true,
  staticRoot: null,
  staticManifestPath: null,
  staticBase: "/static/",
  integrity: true,
  attributes: null,
  turboTrack: false,
  staleRedirect: true,
  pollInterval: 60_000,
  formRestore: true,
  staleClientScript: "external",
  retainAssets: false,
  assetStore: null,
  prefetch: false,
  prefetchConcurrency: 3,
  linkHeader: false,
  linkHeaderMaxCount: 20,
  linkHeaderMaxBytes: 4000,
  earlyHints: false,
} as const satisfies Required<Omit<ViteRollingOptions, "manifestPath" | "dev" | "logger">>;

type Check = (value: unknown) => string | null;

const str: Check = (v) => (typeof v === "string" ? null : "a string");
const nonEmpty: Check = (v) =>
  typeof v === "string" && v.length > 0 ? null : "a non-empty string";
const bool: Check = (v) => (typeof v === "boolean" ? null : "true or false");
const orNull =
  (check: Check): Check =>
  (v) =>
    v === null ? null : check(v) && `${check(v)} or null`;
const oneOf =
  (...values: unknown[]): Check =>
  (v) =>
    values.includes(v) ? null : `one of ${values.map((x) => JSON.stringify(x)).join(", ")}`;
const int =
  (min: number, max = 65535): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? null
      : `an integer from ${min} to ${max}`;
const path: Check = (v) =>
  typeof v === "string" && v.startsWith("/") ? null : 'a path starting with "/"';

const CHECKS: Record<keyof ViteRollingOptions, Check> = {
  manifestPath: nonEmpty,
  base: orNull(nonEmpty),
  dev: bool,
  cache: bool,
  cacheKeyPrefix: nonEmpty,
  devServerHost: orNull(nonEmpty),
  devServerPort: int(1),
  devServerProtocol: oneOf("http", "https"),
  devServerStaticPath: str,
  hotFile: nonEmpty,
  withoutVite: bool,
  versionsToKeep: int(1, 1000),
  versionsMaxAge: int(0, MAX_AGE_LIMIT),
  versionSetting: nonEmpty,
  versionsRedisKey: nonEmpty,
  redis: (v) =>
    v === null || (typeof v === "string" && v.length > 0) || (typeof v === "object" && v !== null)
      ? null
      : "a Redis URL, an ioredis or node-redis client, or null",
  registryDir: nonEmpty,
  release: orNull(str),
  upstream: orNull(nonEmpty),
  appVersion: str,
  appVersionHeader: bool,
  appVersionMismatch: oneOf("reload", "warn", "ignore"),
  versionEndpoint: bool,
  versionEndpointUpstreams: bool,
  versionPath: path,
  cacheBustPath: path,
  secret: orNull(str),
  staticDevVersionQuery: bool,
  staticRoot: orNull(nonEmpty),
  staticManifestPath: orNull(nonEmpty),
  staticBase: nonEmpty,
  integrity: bool,
  attributes: (v) => (v === null || typeof v === "function" ? null : "a function or null"),
  turboTrack: bool,
  staleRedirect: bool,
  pollInterval: int(0, 2_147_483_647),
  formRestore: bool,
  staleClientScript: oneOf("external", "inline"),
  retainAssets: bool,
  assetStore: orNull(nonEmpty),
  prefetch: oneOf(false, "aggressive", "waterfall"),
  prefetchConcurrency: int(1, 64),
  linkHeader: bool,
  linkHeaderMaxCount: int(1, 1000),
  linkHeaderMaxBytes: int(100, 65536),
  earlyHints: bool,
  logger: (v) =>
    typeof v === "object" && v !== null && typeof (v as Logger).warn === "function"
      ? null
      : "an object with a warn(message) method",
};

/**
 * Validates options once, at creation: an unknown or ill-typed option is an error naming
 * the option, what it must be, what it got, and (for a typo) the option meant.
 */
export function resolveOptions(
  input: ViteRollingOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedOptions {
  if (typeof input !== "object" || input === null) {
    fail("options", `createViteRolling expects an options object, received ${describe(input)}.`, {
      code: "ERR_OPTIONS",
    });
  }
  for (const [key, value] of Object.entries(input)) {
    const check = CHECKS[key as keyof ViteRollingOptions];
    if (!check) {
      const [near] = closest(key, Object.keys(CHECKS), 1);
      fail("options", `unknown option "${key}". Did you mean "${near}"?`, { code: "ERR_OPTIONS" });
    }
    // An explicit undefined means "use the default", as with `??`.
    if (value === undefined) continue;
    const expected = check(value);
    if (expected) {
      fail("options", `option "${key}" must be ${expected}, received ${describe(value)}.`, {
        code: "ERR_OPTIONS",
      });
    }
  }
  if (input.manifestPath === undefined) {
    fail(
      "options",
      'option "manifestPath" is required: pass the path of the manifest Vite writes with build.manifest, e.g. "dist/.vite/manifest.json".',
      { code: "ERR_OPTIONS" },
    );
  }
  const out: Record<string, unknown> = { manifestPath: input.manifestPath };
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    out[key] = input[key] ?? DEFAULTS[key];
  }
  const fromEnv = optionsFromEnv(env, out.versionSetting as string);
  // Empty strings mean "not set" for these three, as the seed's settings do.
  out.release = input.release ?? fromEnv.release ?? "";
  out.appVersion = input.appVersion || fromEnv.appVersion || "";
  out.secret = input.secret || fromEnv.secret || null;
  out.redis = input.redis ?? fromEnv.redis ?? null;
  out.assetStore = input.assetStore ?? fromEnv.assetStore ?? null;
  out.versionsMaxAge = input.versionsMaxAge ?? fromEnv.versionsMaxAge ?? DEFAULTS.versionsMaxAge;
  if (out.assetStore !== null) parseS3Url(out.assetStore);
  out.assetStoreEnv = out.assetStore === null ? {} : awsEnvFrom(env);
  out.dev = input.dev ?? env.NODE_ENV !== "production";
  out.logger = input.logger ?? console;
  const resolved = out as ResolvedOptions;
  // A bad release id or key prefix is a deploy mistake: say so at creation, not at ready().
  assertReleaseId(
    resolved.release,
    // Name the variable when the id is its value (the CLI passes it on as the option).
    input.release == null || input.release === fromEnv.release
      ? `release id (${resolved.versionSetting})`
      : 'option "release"',
  );
  resolveStoreOptions({
    prefix: resolved.cacheKeyPrefix,
    versionsKey: resolved.versionsRedisKey,
    versionsToKeep: resolved.versionsToKeep,
    versionsMaxAge: resolved.versionsMaxAge,
  });
  return resolved;
}

/** Options the environment can set, and the variable of each (the release's is `versionSetting`). */
const ENV_OPTIONS = {
  APP_VERSION: "appVersion",
  SECRET_KEY: "secret",
  REDIS_URL: "redis",
  VITE_ROLLING_ASSET_STORE: "assetStore",
  VITE_ROLLING_VERSIONS_MAX_AGE: "versionsMaxAge",
} as const satisfies Record<string, keyof ViteRollingOptions>;

/** What `optionsFromEnv` reads. */
export type EnvOptions = Partial<
  Record<"release" | "appVersion" | "secret" | "redis" | "assetStore", string>
> & { versionsMaxAge?: number };

/**
 * The options the environment sets: the release id from the variable `versionSetting` names,
 * `APP_VERSION`, `SECRET_KEY`, `REDIS_URL`, `VITE_ROLLING_ASSET_STORE`,
 * `VITE_ROLLING_VERSIONS_MAX_AGE` (whole seconds, as a number) and, with an asset store, the
 * AWS variables of `awsEnvFrom`. The one place the library reads them (the CLI
 * layers them between its flags and its config file). An empty variable counts as unset, as a
 * shell's `VAR=` usually means.
 */
export function optionsFromEnv(
  env: NodeJS.ProcessEnv,
  versionSetting: string = DEFAULTS.versionSetting,
): EnvOptions {
  const out: EnvOptions = {};
  const pairs: [string, keyof EnvOptions][] = [
    ...Object.entries(ENV_OPTIONS),
    [versionSetting, "release"],
  ];
  for (const [name, option] of pairs) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    if (option === "versionsMaxAge") out.versionsMaxAge = envSeconds(name, value);
    else out[option] = value;
  }
  return out;
}

/** A variable holding whole seconds, as a number; anything else is an error naming it. */
function envSeconds(name: string, value: string): number {
  const seconds = Number(value.trim());
  if (!/^\s*\d+\s*$/.test(value) || seconds > MAX_AGE_LIMIT) {
    fail(
      "options",
      `environment variable ${name} must be a whole number of seconds from 0 (off) to ${MAX_AGE_LIMIT}, received ${JSON.stringify(value)}. E.g. ${name}=86400 keeps the releases of the last day.`,
      { code: "ERR_OPTIONS" },
    );
  }
  return seconds;
}
