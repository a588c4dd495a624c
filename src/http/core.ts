/**
 * The framework-neutral HTTP layer: what every adapter does, as decisions over plain request
 * facts. Adapters (src/adapters/*) only translate a framework's request into `RequestFacts`
 * and an `Answer` back into its response, so the behaviour is written (and tested) once.
 */
import { describe, fail } from "../errors.js";
import { DEFAULTS } from "../options.js";
import { IMMUTABLE_CACHE_CONTROL } from "../static/immutable-cache-control.js";
import type { RenderContext, RetainedAsset, ViteRolling } from "../types.js";
import { closest } from "../util/closest.js";
import { verifyBearer } from "./bust-token.js";

/** What the core needs to know about a request; header names lower-case. */
export interface RequestFacts {
  method: string;
  /** Path without the query, as the middleware sees it (relative to its mount point). */
  path: string;
  /** Path and query as the client sent them (the stale-redirect target). */
  url: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** A complete response the adapter sends instead of calling the application. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** "" for none. Servers drop it for HEAD themselves. */
  body: string | Uint8Array;
}

/** Options every adapter takes; adapters add nothing else (DESIGN.md). */
export interface AdapterOptions<Args extends unknown[] = never[]> {
  /**
   * Insert `vr.versionTags()` before `</head>` of HTML responses that do not already carry
   * `<meta name="app-version">` (never into streamed or compressed bodies).
   * @default true, false when `appVersionMismatch` is "ignore"
   */
  inject?: boolean;
  /**
   * The request's CSP nonce, put on every tag the helpers and the injection write; read
   * lazily, at render time, so a nonce middleware may run after this one.
   * @default the framework's usual place (`res.locals.cspNonce`, `ctx.state.cspNonce`, ...)
   */
  nonce?: ((...args: Args) => string | undefined) | null;
  /** Where `SECRET_KEY` is read from when the `secret` option is null. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** A request's context for the template helpers; `nonce` may be a getter (read per render). */
export interface HelperContext {
  host?: string | undefined;
  nonce?: string | (() => string | undefined) | undefined;
  /**
   * Where the request's `Link` header and early hints go; none: `preload()` does nothing. A
   * function is asked on first use, so a request that sends no preload links builds no sink.
   */
  hints?: HintSink | (() => HintSink | null) | null;
}

/** How an adapter puts preload links on its response. */
export interface HintSink {
  /** Adds one `Link` header value to the response (nothing once its headers are sent). */
  link(value: string): void;
  /** Sends `103 Early Hints` with these links now; absent where the server cannot. */
  earlyHints?: ((links: string[]) => void) | null;
}

/**
 * The template helpers bound to one request (`res.locals.vite`, `c.get("vite")`, ...). `build`
 * names one of several builds (`combineBuilds`); leave it out with a single build.
 */
export interface TemplateHelpers {
  /** `<link rel="stylesheet">` tags for the entries (and their `Link` header with `linkHeader`). */
  styles(entries: string | readonly string[], build?: string): string;
  /**
   * The import map (first call of the request only), modulepreload links, module scripts and
   * prefetch for the entries (and their `Link` header with `linkHeader`).
   */
  scripts(entries: string | readonly string[], build?: string): string;
  /**
   * Announces the entries a page will use before it renders: sends `103 Early Hints` now
   * (option `earlyHints`, Node's `writeEarlyHints`) and adds them to the `Link` header
   * (option `linkHeader`). Call it first in the handler, before slow work.
   */
  preload(entries: string | readonly string[], build?: string): void;
  /** The version meta tag and the stale-client script, for `<head>`. */
  versionTags(): string;
  /** The app version this response carries in `X-App-Version`. */
  appVersion(): string;
  /** URL of a static file Vite does not process. */
  staticUrl(path: string): string;
  /** URL of one built file, by source path. */
  assetUrl(path: string, build?: string): string;
  /** React Refresh preamble (dev mode only). */
  reactRefresh(build?: string): string;
  /** The request's CSP nonce, for the page's own inline tags. */
  nonce(): string | undefined;
  /** The request's Host header (dev mode derives the dev server's host from it). */
  readonly host: string | undefined;
}

export interface HttpCore {
  /** Headers every response carries (`X-App-Version`); same object while the version holds. */
  responseHeaders(): Readonly<Record<string, string>>;
  /**
   * The answer to a request the library owns (`/version`, `/cache/bust`, a stale htmx or
   * Inertia request), or null to hand the request to the application. Synchronous for the
   * requests it passes, so the common path costs no promise.
   */
  handle(req: RequestFacts): Answer | Promise<Answer | null> | null;
  /** Template helpers bound to one request. */
  helpersFor(ctx: HelperContext): TemplateHelpers;
  /** True when a body of this type and encoding may get the version tags injected. */
  injectable(contentType: unknown, contentEncoding: unknown): boolean;
  /** `html` with the version tags injected (unchanged when injection is off or not needed). */
  inject(html: string, nonce?: string): string;
}

/** Sends one call's preload links (`early`: as 103 Early Hints too), each link once a response. */
type RequestHints = (
  entries: string | readonly string[],
  build: string | undefined,
  early: boolean,
) => void;

/** The first value of a header, or undefined when absent. */
export function header(req: RequestFacts, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : value?.[0];
}

/**
 * A header value Node will send and no client will split: visible ASCII and inner spaces.
 * Node throws (a 500) on CR/LF and on characters outside Latin-1, so an unsafe version is
 * dropped instead of breaking every response.
 */
const SAFE_HEADER = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

export function isSafeHeaderValue(value: string): boolean {
  return SAFE_HEADER.test(value);
}

const HEAD_CLOSE = /<\/head\s*>/i;
const VERSION_META = /<meta\b[^>]*\bname\s*=\s*["']?app-version["'\s/>]/i;

/**
 * Inserts `tags` before the first `</head>` (any case), unless the page already carries
 * `<meta name="app-version">` (the template placed the tags itself). A page without a head
 * (a fragment) is returned unchanged.
 *
 * @example
 * injectVersionTags("<html><head></head></html>", '<meta name="app-version" content="1">')
 * // '<html><head><meta name="app-version" content="1"></head></html>'
 */
export function injectVersionTags(html: string, tags: string): string {
  const at = insertionPoint(html);
  return at < 0 || tags === "" ? html : html.slice(0, at) + tags + html.slice(at);
}

/** Index of `</head>`, or -1 when there is none or the head already has the version meta. */
function insertionPoint(html: string): number {
  const close = HEAD_CLOSE.exec(html);
  return !close || VERSION_META.test(html.slice(0, close.index)) ? -1 : close.index;
}

/**
 * Where a stale client goes: the requested path and query, reduced to a same-origin path.
 * A request target `//evil.example/x` is a valid path, but as a Location-like header it
 * would be protocol-relative: an open redirect. Leading slashes collapse to one.
 */
export function redirectTarget(url: string): string {
  const u = new URL(url.replace(/^[/\\]+/, "/"), "http://localhost");
  return u.pathname + u.search;
}

const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

/** A JSON answer that no cache keeps. */
export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Answer {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

const CONTENT_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  map: "application/json; charset=utf-8",
  json: "application/json; charset=utf-8",
  wasm: "application/wasm",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/x-icon",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
};

/** A retained file of another release: immutable, typed by its extension, never sniffed. */
export function retainedAnswer(asset: RetainedAsset): Answer {
  const ext = asset.file.slice(asset.file.lastIndexOf(".") + 1).toLowerCase();
  return {
    status: 200,
    headers: {
      "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream",
      "cache-control": IMMUTABLE_CACHE_CONTROL,
      "x-content-type-options": "nosniff",
      // Release ids may hold any non-control character; only a header-safe one is named.
      ...(isSafeHeaderValue(asset.release) ? { "x-vite-rolling-release": asset.release } : {}),
    },
    body: asset.body,
  };
}

const CORE_OPTIONS = ["inject", "nonce", "env"] as const;

/**
 * Resolves everything once, at creation (configuration errors are thrown here, naming the
 * adapter), and returns the request-time functions every adapter shares.
 *
 * @param scope The adapter's name, for error messages ("express", "koa", ...).
 * @example
 * const core = createHttpCore(vr, { inject: true }, "node");
 * const answer = core.handle({ method: "GET", path: "/version", url: "/version", headers: {} });
 */
export function createHttpCore<Args extends unknown[]>(
  vr: ViteRolling,
  options: AdapterOptions<Args> = {},
  scope = "http",
): HttpCore {
  if (
    typeof vr !== "object" ||
    vr === null ||
    typeof vr.appVersion !== "function" ||
    typeof vr.reload !== "function"
  ) {
    fail(
      scope,
      `viteRolling(vr) expects the object createViteRolling() returns, received ${describe(vr)}. Fix: const vr = createViteRolling({ manifestPath }); then pass vr.`,
    );
  }
  if (typeof options !== "object" || options === null) {
    fail(
      scope,
      `viteRolling(vr, options) expects an options object, received ${describe(options)}.`,
    );
  }
  for (const [key, value] of Object.entries(options)) {
    if (!(CORE_OPTIONS as readonly string[]).includes(key)) {
      // The HTTP settings (secret, versionPath, ...) are the engine's, shared by every adapter.
      if (Object.hasOwn(DEFAULTS, key)) {
        fail(
          scope,
          `option "${key}" belongs to createViteRolling({ ${key} }), not to the adapter, which takes only ${CORE_OPTIONS.join(", ")}.`,
        );
      }
      const [near] = closest(key, CORE_OPTIONS, 1);
      fail(scope, `unknown adapter option "${key}". Did you mean "${near}"?`);
    }
    if (value === undefined) continue;
    if (key === "inject" && typeof value !== "boolean")
      fail(scope, `option "inject" must be true or false, received ${describe(value)}.`);
    if (key === "nonce" && value !== null && typeof value !== "function")
      fail(scope, `option "nonce" must be a function or null, received ${describe(value)}.`);
    if (key === "env" && typeof value !== "object")
      fail(scope, `option "env" must be an object, received ${describe(value)}.`);
  }

  const o = vr.options;
  if (o.versionEndpoint && o.versionPath === o.cacheBustPath) {
    fail(
      scope,
      `options "versionPath" and "cacheBustPath" are both "${o.versionPath}". Fix: give them different paths.`,
    );
  }
  // An empty secret would make the token guessable: treat it as "no secret".
  const secret = o.secret || (options.env ?? process.env).SECRET_KEY || null;
  const inject = options.inject ?? o.appVersionMismatch !== "ignore";
  const logger = o.logger;

  let lastVersion: string | null = null;
  let lastHeaders: Readonly<Record<string, string>> = {};
  function responseHeaders(): Readonly<Record<string, string>> {
    if (!o.appVersionHeader) return lastHeaders;
    const version = vr.appVersion();
    if (version !== lastVersion) {
      lastVersion = version;
      const safe = isSafeHeaderValue(version);
      if (!safe)
        logger.warn(
          `[vite-rolling] [${scope}] app version ${describe(version)} is not a valid header value; X-App-Version is not sent.`,
        );
      const headers: Record<string, string> = safe ? { "X-App-Version": version } : {};
      lastHeaders = Object.freeze(headers);
    }
    return lastHeaders;
  }

  async function versionAnswer(): Promise<Answer> {
    const info = vr.versionInfo();
    const body: Record<string, unknown> = {
      version: info.version,
      source: info.source,
      release: info.release,
      buildHash: info.buildHash,
      components: info.components,
      releases: [],
    };
    try {
      body.releases = await vr.releases();
    } catch (error) {
      // A registry outage never breaks the endpoint (DESIGN principle 5); it says so.
      body.registryError = error instanceof Error ? error.message : String(error);
      logger.warn(
        `[vite-rolling] [${scope}] ${o.versionPath}: registry unavailable: ${String(body.registryError)}`,
      );
    }
    return jsonAnswer(200, body);
  }

  const CHALLENGE = 'Bearer realm="vite-rolling"';
  async function bustAnswer(req: RequestFacts): Promise<Answer> {
    const verdict = verifyBearer(header(req, "authorization"), secret!);
    if (verdict === "missing")
      return jsonAnswer(
        401,
        { ok: false, error: "missing bearer token" },
        { "www-authenticate": CHALLENGE },
      );
    if (verdict === "malformed")
      return jsonAnswer(
        401,
        { ok: false, error: "malformed Authorization header; expected: Bearer <token>" },
        { "www-authenticate": `${CHALLENGE}, error="invalid_request"` },
      );
    if (verdict !== "ok") return jsonAnswer(403, { ok: false, error: "invalid token" });
    const previous = vr.appVersion();
    try {
      const info = await vr.reload();
      return jsonAnswer(200, { ok: true, version: info.version, previous });
    } catch (error) {
      // The caller is authenticated (a deploy script): tell it why, keep serving the release
      // already loaded, and let it retry; never a 5xx the platform would read as "app down".
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(`[vite-rolling] [${scope}] ${o.cacheBustPath}: reload failed: ${reason}`);
      return jsonAnswer(
        503,
        { ok: false, error: "reload failed", reason, version: vr.appVersion() },
        { "retry-after": "5" },
      );
    }
  }

  function staleAnswer(req: RequestFacts): Answer | null {
    // Only GETs: a stale client's POST still reaches the app (refusing it would lose what
    // the user submitted); the redirect that usually follows it is a GET and lands here.
    if (!o.staleRedirect || req.method !== "GET") return null;
    if (header(req, "x-inertia") === "true") {
      // Inertia protocol: 409 + X-Inertia-Location makes the client do a full visit.
      const client = header(req, "x-inertia-version");
      if (!client || client === vr.appVersion()) return null;
      return {
        status: 409,
        headers: {
          "x-inertia-location": redirectTarget(req.url),
          vary: "X-Inertia, X-Inertia-Version",
          "cache-control": "no-store",
        },
        body: "",
      };
    }
    if (header(req, "hx-request") !== "true") return null;
    const client = header(req, "x-client-version");
    if (!client || client === vr.appVersion()) return null;
    // A boosted navigation, a history restore or an htmx 4 "full" request asked for a page:
    // navigate there. A partial (hx-get into a div) asked for a fragment: reload the page the
    // user is on instead of navigating to the fragment's URL.
    const page =
      header(req, "hx-boosted") === "true" ||
      header(req, "hx-history-restore-request") === "true" ||
      header(req, "hx-request-type") === "full";
    return {
      status: 200,
      headers: {
        ...(page ? { "hx-redirect": redirectTarget(req.url) } : { "hx-refresh": "true" }),
        // Never let a cache hand this empty answer to a normal browser.
        vary: "HX-Request, X-Client-Version",
        "cache-control": "no-store",
      },
      body: "",
    };
  }

  function handle(req: RequestFacts): Answer | Promise<Answer | null> | null {
    if (req.method === "GET" || req.method === "HEAD") {
      // A hashed file of another kept release (retainAssets); the common path returns null
      // synchronously. A miss resolves to null: the app's static server may still have it.
      const retained = vr.retainedAsset(req.path);
      if (retained) return retained.then((asset) => asset && retainedAnswer(asset));
    }
    if (o.versionEndpoint && req.path === o.versionPath) {
      if (req.method === "GET" || req.method === "HEAD") return versionAnswer();
      return jsonAnswer(405, { error: "method not allowed" }, { allow: "GET, HEAD" });
    }
    if (secret && req.path === o.cacheBustPath) {
      if (req.method === "POST") return bustAnswer(req);
      return jsonAnswer(405, { error: "method not allowed" }, { allow: "POST" });
    }
    return staleAnswer(req);
  }

  function helpersFor(ctx: HelperContext): TemplateHelpers {
    const nonce =
      typeof ctx.nonce === "function" ? ctx.nonce : () => ctx.nonce as string | undefined;
    const render = (build?: string): RenderContext =>
      build === undefined
        ? { host: ctx.host, nonce: nonce() }
        : { host: ctx.host, nonce: nonce(), build };
    // Built on the first preload / Link header: most requests send none.
    let hints: RequestHints | null | undefined;
    const hintsOf = (): RequestHints | null => {
      if (hints === undefined) {
        const sink = typeof ctx.hints === "function" ? ctx.hints() : ctx.hints;
        hints = sink ? requestHints(sink) : null;
      }
      return hints;
    };
    // One import map per build and page: a second would be ignored, or an error in browsers
    // without multiple import maps.
    let importMaps: Set<string | undefined> | null = null;
    return {
      styles(entries, build) {
        const html = vr.styles(entries, render(build));
        if (o.linkHeader) hintsOf()?.(entries, build, false);
        return html;
      },
      scripts(entries, build) {
        const context = render(build);
        importMaps ??= new Set();
        const name = build ?? vr.defaultBuild;
        if (importMaps.has(name)) context.importMap = false;
        importMaps.add(name);
        const html = vr.scripts(entries, context);
        if (o.linkHeader) hintsOf()?.(entries, build, false);
        return html;
      },
      preload(entries, build) {
        hintsOf()?.(entries, build, true);
      },
      versionTags: () => vr.versionTags(render()),
      appVersion: () => vr.appVersion(),
      staticUrl: (path) => vr.staticUrl(path),
      assetUrl: (path, build) => vr.assetUrl(path, render(build)),
      reactRefresh: (build) => vr.reactRefresh(render(build)),
      nonce,
      host: ctx.host,
    };

    /**
     * One response's preload links: each link once, all within the caps, however many
     * `preload()` / `styles()` / `scripts()` calls add to them.
     */
    function requestHints(sink: HintSink): RequestHints {
      const sent = new Set<string>();
      let bytes = 0;
      return (entries: string | readonly string[], build: string | undefined, early: boolean) => {
        const sendEarly = early && o.earlyHints && typeof sink.earlyHints === "function";
        if (!sendEarly && !o.linkHeader) return;
        const fresh: string[] = [];
        for (const link of vr.preloadLinks(entries, render(build))) {
          if (sent.has(link)) continue;
          const added = link.length + (sent.size > 0 ? 2 : 0);
          if (sent.size >= o.linkHeaderMaxCount || bytes + added > o.linkHeaderMaxBytes) break;
          sent.add(link);
          bytes += added;
          fresh.push(link);
        }
        if (fresh.length === 0) return;
        if (sendEarly) sink.earlyHints!(fresh);
        if (o.linkHeader) sink.link(fresh.join(", "));
      };
    }
  }

  function injectable(contentType: unknown, contentEncoding: unknown): boolean {
    return (
      inject &&
      typeof contentType === "string" &&
      /^\s*text\/html\b/i.test(contentType) &&
      (contentEncoding === undefined ||
        contentEncoding === null ||
        contentEncoding === "" ||
        contentEncoding === "identity")
    );
  }

  function injectInto(html: string, nonce?: string): string {
    // Look before rendering the tags: most pages either have no head or carry the meta.
    const at = inject ? insertionPoint(html) : -1;
    return at < 0 ? html : html.slice(0, at) + vr.versionTags({ nonce }) + html.slice(at);
  }

  return { responseHeaders, handle, helpersFor, injectable, inject: injectInto };
}
