/**
 * The one error type of the library. Messages read `[vite-rolling] [scope] what happened`,
 * say what was expected and received, and end with the fix. Every error carries a code from
 * `ERROR_CODES`; the README's "Errors" table lists the same codes (a test pins the two).
 */

/**
 * Every code a `ViteRollingError` may carry, with what it means and the usual fix. Grouped by
 * layer; add a code to the group of the layer that throws it.
 */
export const ERROR_CODES = {
  // options (createViteRolling, adapters, the Vite plugin, CLI config)
  ERR_OPTIONS: [
    "an option has an unknown name, a wrong type or a bad value",
    "fix the option the message names",
  ],
  ERR_RELEASE_ID: [
    "a release id or upstream is not one the registry and proxy accept",
    "use letters, digits and . _ - only; upstreams as host:port, [ipv6]:port, unix:/path or an upstream name",
  ],
  // manifest
  ERR_MANIFEST_NOT_FOUND: [
    "no Vite manifest at manifestPath",
    "run vite build with build.manifest: true, or fix manifestPath",
  ],
  ERR_MANIFEST_UNREADABLE: [
    "the manifest file exists but cannot be read",
    "fix the file's permissions",
  ],
  ERR_MANIFEST_JSON: [
    "the manifest is not valid JSON",
    "rebuild; the message gives the line and column",
  ],
  ERR_MANIFEST_SHAPE: [
    "the manifest is JSON but not a Vite client manifest",
    "point manifestPath at the client build's .vite/manifest.json",
  ],
  ERR_MANIFEST_IMPORT: [
    "a chunk imports a key the manifest lacks",
    "rebuild; the manifest is incomplete",
  ],
  // render
  ERR_NOT_READY: [
    "a render ran before the manifest loaded, or loading failed",
    "await vr.ready() at startup",
  ],
  ERR_UNKNOWN_ENTRY: [
    "an entry name is not a key of the manifest",
    "use the source path Vite's input names (the message lists the closest keys)",
  ],
  ERR_NOT_AN_ENTRY: [
    "an asset was passed where a script or stylesheet entry goes",
    "use vr.assetUrl() for assets",
  ],
  ERR_UNKNOWN_ASSET: [
    "assetUrl() got a path that is neither a manifest key nor an output file",
    "pass a source path relative to Vite's root",
  ],
  ERR_UNKNOWN_BUILD: [
    "a build name that this object does not serve",
    "name one of the combineBuilds() builds, or leave it out",
  ],
  ERR_RENDER: [
    "a render helper got an argument of the wrong type",
    "pass an entry name or a list of them",
  ],
  ERR_DEV_HTML_ENTRY: [
    "in dev mode an HTML entry (index.html) was rendered without the vite-rolling/vite plugin in the dev server",
    'add viteRolling() to vite.config\'s plugins and start vite, or make the module the entry (scripts("src/main.ts"))',
  ],
  // version
  ERR_VERSION_COMPONENT: [
    "registerVersionComponent got a bad name or file list, or a file cannot be read",
    "pass a name and a list of existing files",
  ],
  // registry
  ERR_REDIS: [
    "a Redis command failed for a reason other than an outage",
    "check the Redis server's log and the key prefix",
  ],
  ERR_REDIS_UNREACHABLE: ["Redis cannot be reached", "check REDIS_URL and that Redis runs"],
  ERR_REDIS_CLIENT: [
    'the "redis" option names a client the registry cannot use',
    "install ioredis for a URL, or pass a connected ioredis / node-redis client",
  ],
  ERR_REGISTRY_INPUT: [
    "register() got a manifest or a retained asset of the wrong type",
    "pass manifestText as a string and assets as Buffers",
  ],
  ERR_REGISTRY_ASSET_PATH: [
    "a retained asset path is not a relative output path",
    'pass paths as Vite writes them, e.g. "assets/index-4f2a.js"',
  ],
  ERR_REGISTRY_CORRUPT: [
    "the file registry's index was changed by something other than vite-rolling",
    "delete the index file and run vite-rolling refresh again",
  ],
  ERR_REGISTRY_LOCKED: [
    "another process held the file registry's lock for too long",
    "if no vite-rolling command runs, delete the .lock directory the message names",
  ],
  ERR_REGISTRY_CLOSED: ["a registry was used after close()", "open a new registry"],
  ERR_REGISTRY_LOCK_LOST: [
    "a file-registry step stalled past the lock's stale time, another step took the lock, and this one committed nothing",
    "run the command again (the registry holds the other step's result)",
  ],
  ERR_REGISTRY_DB: [
    "the Redis URL names a database the server does not have",
    "use a database number below the server's `databases` setting (usually 0-15)",
  ],
  // deploy (refresh, prune-assets)
  ERR_DEPLOY_ASSET_UNREADABLE: [
    "retainAssets: a file the build lists cannot be read",
    "register right after vite build, before anything prunes the output directory",
  ],
  ERR_DEPLOY_DIR_UNREADABLE: [
    "prune-assets cannot read the directory it was given",
    "pass the folder your server serves built files from",
  ],
  ERR_DEPLOY_NO_RELEASE: [
    "prune-assets found no release in the registry, so every file would go",
    "run vite-rolling refresh first",
  ],
  ERR_DEPLOY_MANIFEST_MISSING: [
    "a listed release lost its manifest; nothing was deleted",
    "run vite-rolling refresh for that release again",
  ],
  // assets (object storage: assetStore)
  ERR_ASSETS_CLIENT: [
    "assetStore is set but the optional peer aws4fetch cannot be imported",
    "npm install aws4fetch",
  ],
  ERR_ASSETS_CONFIG: [
    "the asset store's credentials or endpoint are missing or malformed",
    "set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for S3-compatible servers, AWS_ENDPOINT_URL",
  ],
  ERR_ASSETS_REQUEST: [
    "the asset store refused a request or could not be reached",
    "the message gives the status and S3 error code: check the bucket, region, endpoint and the key's rights",
  ],
  ERR_ASSETS_UPLOAD: [
    "refresh could not upload every file of the release, so it registered nothing",
    "fix the cause the message gives and run refresh again (stored files are not sent twice)",
  ],
  ERR_ASSETS_PRUNE: [
    "prune-assets cannot tell what a kept release needs in the asset store, so it deleted nothing",
    "run vite-rolling refresh for the release the message names again",
  ],
  // http (endpoints, version routing)
  ERR_HTTP_NO_SECRET: [
    "the cache-bust token was asked for without a secret",
    "set SECRET_KEY or the secret option",
  ],
  ERR_HTTP_ROUTE_TARGET: [
    "a versionRouter versions function gave an upstream no header can carry",
    "return upstream names of visible ASCII, without CR/LF",
  ],
  // cli
  ERR_CLI_USAGE: [
    "a command got a flag or argument it cannot take",
    "see vite-rolling <command> --help",
  ],
  ERR_CLI_CONFIG: [
    "the config file is missing, invalid, or exports no options object",
    "fix the file the message names",
  ],
  // static files and build records
  ERR_STATIC_PATH: [
    "a static path is not a relative path inside the static root",
    'use "/" separators and no ".."',
  ],
  ERR_STATIC_UNKNOWN_FILE: [
    "staticUrl() names a file that staticfiles.json or staticRoot does not hold",
    "fix the path, or run vite-rolling collect again",
  ],
  ERR_STATIC_MANIFEST: [
    "staticfiles.json is missing, unreadable or malformed",
    "run vite-rolling collect again and point staticManifestPath at its staticfiles.json",
  ],
  ERR_STATIC_COLLECT: [
    "collect got a source or output directory it cannot use",
    "pass an existing source directory and a separate output directory",
  ],
  ERR_SIDECAR: [
    "the build record .vite/vite-rolling.json is malformed or unreadable",
    "rebuild with vite build to regenerate it",
  ],
} as const satisfies Record<string, readonly [meaning: string, fix: string]>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ViteRollingError extends Error {
  readonly scope: string;
  readonly code: ErrorCode;

  constructor(scope: string, message: string, options: { cause?: unknown; code: ErrorCode }) {
    super(`[vite-rolling] [${scope}] ${message}`, { cause: options.cause });
    this.name = "ViteRollingError";
    this.scope = scope;
    this.code = options.code;
  }
}

/** Shorthand used everywhere a piece of the library fails in a way its caller can fix. */
export function fail(
  scope: string,
  message: string,
  options: { cause?: unknown; code: ErrorCode },
): never {
  throw new ViteRollingError(scope, message, options);
}

/** A short, safe rendering of a value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "object") return "an object";
  if (typeof value === "function") return "a function";
  return `${typeof value} ${String(value)}`;
}

/** Logger contract: anything with warn (console works). */
export interface Logger {
  warn(message: string): void;
  info?(message: string): void;
}
