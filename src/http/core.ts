/**
 * The framework-neutral HTTP layer: what every adapter does, as decisions over plain request
 * facts (contract.ts). Adapters (src/adapters/*) only translate, so the behaviour is written
 * (and tested) once. This file resolves an adapter's options once and composes the endpoints.
 */
import { describe, fail } from "../errors.js";
import { DEFAULTS } from "../options.js";
import type { ViteRolling } from "../types.js";
import { closest } from "../util/closest.js";
import { isSafeHeaderValue } from "../util/safe-header-value.js";
import type { AdapterOptions, Endpoint, Handled, HttpCore, RequestFacts } from "./contract.js";
import { bustEndpoint } from "./endpoints/bust.js";
import { retainedEndpoint } from "./endpoints/retained.js";
import { staleEndpoint } from "./endpoints/stale.js";
import { staleClientFileEndpoint } from "./endpoints/stale-client-file.js";
import { versionEndpoint } from "./endpoints/version.js";
import { RequestHelpers } from "./helpers.js";
import { injectVersionTags, isHtmlType, isIdentityEncoding } from "./inject.js";

const ADAPTER_OPTIONS = ["inject", "nonce", "env"] as const;

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
  checkArguments(vr, options, scope);
  const o = vr.options;
  if (o.versionEndpoint && o.versionPath === o.cacheBustPath) {
    fail(
      scope,
      `options "versionPath" and "cacheBustPath" are both "${o.versionPath}". Fix: give them different paths.`,
      { code: "ERR_OPTIONS" },
    );
  }
  const inject = options.inject ?? o.appVersionMismatch !== "ignore";
  const endpoints = [
    retainedEndpoint(vr),
    staleClientFileEndpoint(vr),
    versionEndpoint(vr, scope),
    bustEndpoint(vr, bustSecret(vr, options.env), scope),
    staleEndpoint(vr),
  ].filter((endpoint): endpoint is Endpoint => endpoint !== null);
  const renderTags = (nonce: string | undefined): string => vr.versionTags({ nonce });

  let lastVersion: string | null = null;
  let lastHeaders: Readonly<Record<string, string>> = {};
  return {
    responseHeaders() {
      if (!o.appVersionHeader) return lastHeaders;
      const version = vr.appVersion();
      if (version === lastVersion) return lastHeaders;
      lastVersion = version;
      const safe = isSafeHeaderValue(version);
      if (!safe)
        o.logger.warn(
          `[vite-rolling] [${scope}] app version ${describe(version)} is not a valid header value; X-App-Version is not sent.`,
        );
      // Named in lower case, as HTTP/2 and Fastify send every header: Node lower-cases a name
      // to store it, and again to write it, and an already lower-case literal takes neither
      // allocation nor string-table lookup (about 600 instructions a request on node:http,
      // bench figure 7). Header names are case-insensitive (RFC 9110 5.1).
      const headers: Record<string, string> = safe ? { "x-app-version": version } : {};
      lastHeaders = Object.freeze(headers);
      return lastHeaders;
    },
    handle(req: RequestFacts): Handled {
      // An indexed loop: the request path allocates no iterator.
      for (let i = 0; i < endpoints.length; i++) {
        const handled = endpoints[i]!(req);
        if (handled) return handled;
      }
      return null;
    },
    helpersFor: (source, request, host) => new RequestHelpers(vr, source, request, host),
    injectable: (contentType, target, encodingOf) =>
      inject && isHtmlType(contentType) && isIdentityEncoding(encodingOf(target)),
    inject: (html, nonce) => (inject ? injectVersionTags(html, renderTags, nonce) : html),
  };
}

/**
 * The secret of `/cache/bust`: the engine's (the `secret` option, else `SECRET_KEY` when
 * `createViteRolling` ran: options.ts reads the environment, this layer does not), else the
 * adapter's own `env`, read only when given. An empty secret would make the token guessable:
 * it counts as none.
 */
function bustSecret(vr: ViteRolling, env: NodeJS.ProcessEnv | undefined): string | null {
  return vr.options.secret || env?.SECRET_KEY || null;
}

function checkArguments(vr: ViteRolling, options: object, scope: string): void {
  if (
    typeof vr !== "object" ||
    vr === null ||
    typeof vr.appVersion !== "function" ||
    typeof vr.reload !== "function"
  ) {
    fail(
      scope,
      `viteRolling(vr) expects the object createViteRolling() returns, received ${describe(vr)}. Fix: const vr = createViteRolling({ manifestPath }); then pass vr.`,
      { code: "ERR_OPTIONS" },
    );
  }
  if (typeof options !== "object" || options === null) {
    fail(
      scope,
      `viteRolling(vr, options) expects an options object, received ${describe(options)}.`,
      { code: "ERR_OPTIONS" },
    );
  }
  for (const [key, value] of Object.entries(options)) {
    if (!(ADAPTER_OPTIONS as readonly string[]).includes(key)) {
      // The HTTP settings (secret, versionPath, ...) are the engine's, shared by every adapter.
      const message = Object.hasOwn(DEFAULTS, key)
        ? `option "${key}" belongs to createViteRolling({ ${key} }), not to the adapter, which takes only ${ADAPTER_OPTIONS.join(", ")}.`
        : `unknown adapter option "${key}". Did you mean "${closest(key, ADAPTER_OPTIONS, 1)[0]}"?`;
      fail(scope, message, { code: "ERR_OPTIONS" });
    }
    const wrong =
      value !== undefined &&
      ((key === "inject" && typeof value !== "boolean") ||
        (key === "nonce" && value !== null && typeof value !== "function") ||
        (key === "env" && typeof value !== "object"));
    if (wrong) {
      const expected = { inject: "true or false", nonce: "a function or null", env: "an object" };
      fail(
        scope,
        `option "${key}" must be ${expected[key as keyof typeof expected]}, received ${describe(value)}.`,
        { code: "ERR_OPTIONS" },
      );
    }
  }
}
