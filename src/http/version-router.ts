import { describe, fail } from "../errors.js";
import { closest } from "../util/closest.js";
import { firstHeader, type HeaderRecord } from "./first-header.js";

/** Release versions and the upstream (backend) serving each. */
export type VersionMap = Readonly<Record<string, string>>;

/** Options of `createVersionRouter`. */
export interface VersionRouterOptions {
  /**
   * Live versions and their upstream targets, or a function returning them (called per
   * decision, so it can follow a registry the app refreshes in the background). Required.
   */
  versions: VersionMap | (() => VersionMap);
  /** Version unpinned requests, and navigations with an unknown pin, belong to. Required. */
  defaultVersion: string;
  /** Request header pinning a version. @default "x-app-requested-version" */
  header?: string;
  /** Query parameter pinning a version (as in `?dpl=<version>`). @default "dpl" */
  query?: string;
  /** Cookie pinning a version. @default "app_version" */
  cookie?: string;
  /** Response header naming the chosen upstream, for the proxy in front. @default "x-backend-target" */
  targetHeader?: string;
}

/** Defaults of the optional settings of `createVersionRouter`. */
export const VERSION_ROUTER_DEFAULTS = {
  header: "x-app-requested-version",
  query: "dpl",
  cookie: "app_version",
  targetHeader: "x-backend-target",
} as const;

/** The request facts a decision needs; header names lower-case, as Node gives them. */
export interface VersionRequest {
  method: string;
  headers: HeaderRecord;
  /** The Cookie header; `headers.cookie` when left out. */
  cookieHeader?: string;
  /** Request URL: a path with query (`/a?dpl=v1`) or absolute. */
  url: string;
}

/** Where a pin came from, in precedence order. */
export type PinSource = "header" | "query" | "cookie";

/** Body of a 409 answer to an API request pinned to a version that is not live. */
export interface VersionConflictBody {
  error: string;
  requested: string;
  available: string[];
}

export type VersionDecision =
  /**
   * Serve this version: set `targetHeader: target` (or proxy to `target`). `fallback` is set
   * when a navigation's pin named no live version and the default was chosen instead; an
   * adapter may then expire the stale cookie.
   */
  | {
      action: "route";
      version: string;
      target: string;
      source: PinSource | "default";
      fallback?: { requested: string; from: PinSource };
    }
  /** Answer 409 with `body` (JSON): the client asked for a version that is not live. */
  | { action: "conflict"; status: 409; body: VersionConflictBody }
  /** No pin: nothing to do, the request is served where it landed. */
  | { action: "pass" };

/** A version router: resolved options and the pure decision function. */
export interface VersionRouter {
  readonly header: string;
  readonly query: string;
  readonly cookie: string;
  readonly targetHeader: string;
  readonly defaultVersion: string;
  /** Decides where one request goes. Pure: reads only its argument and the versions. */
  decide(request: VersionRequest): VersionDecision;
}

// RFC 9110 token: what header and cookie names may contain.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const KNOWN = ["versions", "defaultVersion", "header", "query", "cookie", "targetHeader"];

/**
 * Creates the blue/green routing decision: which release a request is pinned to, by the
 * `header`, then the `?query` parameter, then the `cookie` (the first one present decides).
 *
 * - A live version routes to its target.
 * - An unknown version answers 409 with the live versions to API / XHR requests (htmx,
 *   `X-Requested-With`, fetches), so the client can re-pin; a top-level navigation falls back
 *   to `defaultVersion` instead, so an expired cookie never locks a user out.
 * - No pin: `pass`.
 *
 * Options are validated here, once; framework adapters wrap `decide` (see `versionRouter`).
 *
 * @example
 * const router = createVersionRouter({
 *   versions: { "v1.0": "backend-blue", "v1.1": "backend-green" },
 *   defaultVersion: "v1.1",
 * });
 * router.decide({ method: "GET", url: "/?dpl=v1.0", headers: { accept: "text/html" } });
 * // { action: "route", version: "v1.0", target: "backend-blue", source: "query" }
 */
export function createVersionRouter(options: VersionRouterOptions): VersionRouter {
  if (typeof options !== "object" || options === null) {
    fail(
      "version-router",
      `createVersionRouter expects an options object, received ${show(options)}.`,
      { code: "ERR_OPTIONS" },
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) {
      fail(
        "version-router",
        `unknown option "${key}". Did you mean "${closest(key, KNOWN, 1)[0]}"?`,
        { code: "ERR_OPTIONS" },
      );
    }
  }
  const { versions, defaultVersion } = options;
  if (typeof defaultVersion !== "string" || defaultVersion === "") {
    fail(
      "version-router",
      `option "defaultVersion" must be a non-empty string, received ${show(defaultVersion)}.`,
      { code: "ERR_OPTIONS" },
    );
  }
  // A function is not called here: a registry-backed map may still be empty at startup.
  if (typeof versions !== "function") {
    checkVersions(versions);
    if (!Object.hasOwn(versions, defaultVersion)) {
      fail(
        "version-router",
        `option "defaultVersion" ${show(defaultVersion)} is not one of the versions (${Object.keys(versions).join(", ")}): add it to "versions" or pick one of them.`,
        { code: "ERR_OPTIONS" },
      );
    }
  }
  const name = (key: "header" | "query" | "cookie" | "targetHeader", lower: boolean): string => {
    const value = options[key] ?? VERSION_ROUTER_DEFAULTS[key];
    if (typeof value !== "string" || !TOKEN.test(value)) {
      fail(
        "version-router",
        `option "${key}" must be a header-safe name (letters, digits, -_.), received ${show(value)}.`,
        { code: "ERR_OPTIONS" },
      );
    }
    return lower ? value.toLowerCase() : value;
  };
  const header = name("header", true);
  const query = name("query", false);
  const cookie = name("cookie", false);
  const targetHeader = name("targetHeader", true);
  const current = typeof versions === "function" ? versions : () => versions;

  return {
    header,
    query,
    cookie,
    targetHeader,
    defaultVersion,
    decide(request: VersionRequest): VersionDecision {
      const pin = readPin(request, header, query, cookie);
      if (!pin) return { action: "pass" };
      const live = current() ?? {};
      const target = Object.hasOwn(live, pin.version) ? live[pin.version] : undefined;
      if (target) return { action: "route", version: pin.version, target, source: pin.source };
      if (isNavigation(request)) {
        const fallback = Object.hasOwn(live, defaultVersion) ? live[defaultVersion] : undefined;
        // No target for the default either (a dynamic map without it): serve where it landed.
        if (!fallback) return { action: "pass" };
        return {
          action: "route",
          version: defaultVersion,
          target: fallback,
          source: "default",
          fallback: { requested: pin.version, from: pin.source },
        };
      }
      return {
        action: "conflict",
        status: 409,
        body: {
          error: `version "${pin.version}" is not live; pin one of "available" or drop the pin`,
          requested: pin.version,
          available: Object.keys(live).sort(),
        },
      };
    },
  };
}

function checkVersions(value: unknown): asserts value is VersionMap {
  const what = 'option "versions" must be a function or';
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail("version-router", `${what} an object of version → upstream, received ${show(value)}.`, {
      code: "ERR_OPTIONS",
    });
  }
  const entries = Object.entries(value);
  if (entries.length === 0) {
    fail("version-router", `${what} a non-empty object of version → upstream, received {}.`, {
      code: "ERR_OPTIONS",
    });
  }
  for (const [version, target] of entries) {
    if (version === "" || typeof target !== "string" || target === "") {
      fail(
        "version-router",
        `${what} an object of version → upstream (non-empty strings); version ${show(version)} has ${show(target)}.`,
        { code: "ERR_OPTIONS" },
      );
    }
  }
}

// errors.ts's describe renders undefined as "undefined undefined".
function show(value: unknown): string {
  return value === undefined ? "nothing" : describe(value);
}

function readPin(
  request: VersionRequest,
  header: string,
  query: string,
  cookie: string,
): { version: string; source: PinSource } | null {
  const fromHeader = firstHeader(request.headers, header);
  if (fromHeader) return { version: fromHeader, source: "header" };
  const search = request.url.indexOf("?");
  if (search >= 0) {
    const fromQuery = new URLSearchParams(request.url.slice(search + 1).split("#")[0]).get(query);
    if (fromQuery?.trim()) return { version: fromQuery.trim(), source: "query" };
  }
  const fromCookie = readCookie(
    request.cookieHeader ?? firstHeader(request.headers, "cookie"),
    cookie,
  );
  if (fromCookie) return { version: fromCookie, source: "cookie" };
  return null;
}

/** The first cookie named `name` in a Cookie header (RFC 6265 §5.4), percent-decoded. */
export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2)
      value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoded after all: use it as sent.
    }
    return value || undefined;
  }
  return undefined;
}

/**
 * Whether the request is a top-level navigation (a person at a browser) rather than an API
 * call. htmx and XHR markers win; then Fetch Metadata (`Sec-Fetch-Mode: navigate`); browsers
 * without it are told apart by `Accept` (navigations ask for text/html).
 */
export function isNavigation(request: Pick<VersionRequest, "headers">): boolean {
  const { headers } = request;
  if (firstHeader(headers, "hx-request") || firstHeader(headers, "x-requested-with")) return false;
  const mode = firstHeader(headers, "sec-fetch-mode");
  if (mode) return mode === "navigate";
  return /\btext\/html\b/i.test(firstHeader(headers, "accept") ?? "");
}
