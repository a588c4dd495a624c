/**
 * The contract between the framework-neutral HTTP layer and the adapters: an adapter turns its
 * framework's request into `RequestFacts`, applies what the core gives back (an `Answer`, or
 * nothing: the application's turn) and reads the request's nonce and preload sink through a
 * `HelperSource`. Types only.
 */
import type { HeaderRecord } from "./first-header.js";

/** What the core needs to know about a request; header names lower-case. */
export interface RequestFacts {
  method: string;
  /** Path without the query, as the middleware sees it (relative to its mount point). */
  path: string;
  /** Path and query as the client sent them (the stale-redirect target). */
  url: string;
  headers: HeaderRecord;
}

/** A complete response the adapter sends instead of calling the application. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** "" for none. Servers drop it for HEAD themselves. */
  body: string | Uint8Array;
}

/**
 * What the core gives for a request: an answer now, a promise of one (a retained file,
 * `/version`, `/cache/bust`; null when it turns out not to be the library's), or null: the
 * application's request. Null and answers come synchronously, so the common path costs no
 * promise.
 */
export type Handled = Answer | Promise<Answer | null> | null;

/** One of the library's endpoints: what it gives for a request (null: not its request). */
export type Endpoint = (req: RequestFacts) => Handled;

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
  /**
   * An environment whose `SECRET_KEY` turns `/cache/bust` on when `createViteRolling` found no
   * secret (neither the `secret` option nor `SECRET_KEY` in its environment).
   * @default none: the engine's secret alone
   */
  env?: NodeJS.ProcessEnv;
}

/** How an adapter puts preload links on its response. */
export interface HintSink {
  /** Adds one `Link` header value to the response (nothing once its headers are sent). */
  link(value: string): void;
  /** Sends `103 Early Hints` with these links now; absent where the server cannot. */
  earlyHints?: ((links: string[]) => void) | null;
}

/**
 * How an adapter reads a request's nonce and preload sink, made once per middleware: the
 * helpers of a request hold the request and call these, so binding helpers to a request makes
 * no closure over it.
 */
export interface HelperSource<Request> {
  /** The request's CSP nonce, read at each render (a nonce middleware may run later). */
  nonce(request: Request): string | undefined;
  /** Where the request's preload links go, asked on first use; null: `preload()` does nothing. */
  hints(request: Request): HintSink | null;
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
  /** The `@vitejs/plugin-legacy` scripts of the entries, for the end of `<body>` ("" without). */
  legacyScripts(entries: string | readonly string[], build?: string): string;
  /** The request's CSP nonce, for the page's own inline tags. */
  nonce(): string | undefined;
  /** The request's Host header (dev mode derives the dev server's host from it). */
  readonly host: string | undefined;
}

/** What every adapter shares, resolved once per middleware by `createHttpCore`. */
export interface HttpCore {
  /** Headers every response carries (`X-App-Version`); same object while the version holds. */
  responseHeaders(): Readonly<Record<string, string>>;
  /** The answer to a request the library owns (`/version`, `/cache/bust`, a stale client). */
  handle(req: RequestFacts): Handled;
  /** Template helpers bound to one request, read through the adapter's `source`. */
  helpersFor<Request>(
    source: HelperSource<Request>,
    request: Request,
    host: string | undefined,
  ): TemplateHelpers;
  /**
   * True when a body of this type and encoding may get the version tags injected. The encoding
   * is `encodingOf(target)`, read only for an HTML type (most responses are not: one header
   * lookup fewer on each).
   */
  injectable<Target>(
    contentType: unknown,
    target: Target,
    encodingOf: (target: Target) => unknown,
  ): boolean;
  /** `html` with the version tags injected (unchanged when injection is off or not needed). */
  inject(html: string, nonce?: string): string;
}
