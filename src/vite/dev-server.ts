import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { resolve } from "node:path";
import type { Plugin, ResolvedConfig, ViteDevServer } from "vite";
import { DEFAULTS } from "../options.js";
import { stableJson } from "../util/stable-json.js";
import { type DevGraph, devEndpoints } from "./dev-endpoints.js";
import { hotFileOf, originOf, publishHotFile } from "./hot-file-writer.js";

/** Dev-server options of the `vite-rolling/vite` plugin. */
export interface DevServerPluginOptions {
  /**
   * Where the hot file goes while the dev server runs (relative to the working directory, as
   * the server's `hotFile` option); `false` writes none.
   * @default ".vite-rolling/hot"
   */
  hotFile?: string | false;
  /**
   * Origins of the server that renders the pages (`"https://app.test"`), allowed by the dev
   * server's CORS besides localhost and this machine's own addresses. Ignored when
   * `server.cors` is set.
   * @default []
   */
  backendOrigin?: string | readonly string[];
}

/**
 * Stands for `server.origin` until the server listens and its port is known (Laravel's
 * plugin does the same); `transform` writes the real origin in its place.
 */
const ORIGIN_PLACEHOLDER = "__vite_rolling_dev_origin__";

/** Vite's own default CORS origins (5.4.12+, 6.0.9+): localhost, 127.0.0.1, [::1]. */
const LOCALHOST = /^https?:\/\/(?:(?:[^:]+\.)?localhost|127\.0\.0\.1|\[::1\])(?::\d+)?$/;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Origins the dev server's CORS allows: Vite's default, a backend on any of this machine's
 * addresses (any port: the backend is another process), and `backendOrigin`.
 */
export function corsOrigins(backendOrigin: string | readonly string[] = []): (string | RegExp)[] {
  const own = Object.values(networkInterfaces())
    .flat()
    .map((i) => (i ? (i.family === "IPv6" ? `[${i.address}]` : i.address) : ""))
    .filter(Boolean)
    .map((host) => new RegExp(`^https?://${escapeRegExp(host)}(?::\\d+)?$`, "i"));
  const listed = typeof backendOrigin === "string" ? [backendOrigin] : [...backendOrigin];
  return [LOCALHOST, ...own, ...listed.map((o) => o.replace(/\/+$/, ""))];
}

/** The module graph of the client: a Vite 6+ environment's, or Vite 5's server-wide one. */
function graphOf(server: ViteDevServer): DevGraph {
  const env = (server as { environments?: Record<string, unknown> }).environments?.client as
    | { transformRequest: DevGraph["transformRequest"]; moduleGraph: DevGraph }
    | undefined;
  if (env) {
    return {
      transformRequest: (url) => env.transformRequest(url),
      getModuleByUrl: (url) => env.moduleGraph.getModuleByUrl(url),
    };
  }
  return {
    transformRequest: (url) => server.transformRequest(url),
    getModuleByUrl: (url) => server.moduleGraph.getModuleByUrl(url),
  };
}

/**
 * The dev-server half of the plugin, what Vite's backend-integration guide asks for: it writes
 * the hot file naming where the server listens (removed on close and exit), sets
 * `server.origin` and CORS for the backend unless the user did, and answers the endpoints
 * `styles()` and `scripts()` use in dev mode (see dev-endpoints.ts).
 */
export function viteRollingDevServer(options: DevServerPluginOptions = {}): Plugin {
  let resolved: ResolvedConfig | undefined;
  let origin = "";
  let placeholder = false;

  return {
    name: "vite-rolling:dev-server",
    apply: "serve",
    // After every transform, so the placeholder is replaced in the code the browser gets.
    enforce: "post",

    config(user) {
      const server: { origin?: string; cors?: { origin: (string | RegExp)[] } } = {};
      if (user.server?.origin === undefined) server.origin = ORIGIN_PLACEHOLDER;
      if (user.server?.cors === undefined) {
        server.cors = { origin: corsOrigins(options.backendOrigin) };
      }
      return { server };
    },

    configResolved(config) {
      resolved = config;
      placeholder = config.server.origin === ORIGIN_PLACEHOLDER;
    },

    configureServer(server) {
      const config = () => resolved ?? server.config;
      server.middlewares.use(
        devEndpoints(
          () => config().root,
          () => config().base,
          () => graphOf(server),
        ),
      );
      const http = server.httpServer;
      // Middleware mode: the app's own server serves Vite; there is no port to announce.
      if (!http) return;
      let remove: (() => void) | null = null;
      let closed = false;
      http.on("listening", () => {
        const c = config();
        const hot = hotFileOf(
          http.address() as AddressInfo,
          Boolean(c.server.https),
          c.base,
          placeholder ? null : (c.server.origin ?? null),
        );
        origin = originOf(hot);
        if (options.hotFile === false) return;
        const path = resolve(options.hotFile ?? DEFAULTS.hotFile);
        const text = stableJson(hot);
        publishHotFile(path, hot).then(
          (removeFile) => {
            // A restarted server may have written the same path since: remove only ours.
            remove = () => {
              if (readIfExists(path) === text) removeFile();
            };
            if (closed) remove();
          },
          (error: unknown) =>
            c.logger.warn(
              `[vite-rolling] [dev] cannot write the hot file ${path}: ${(error as Error).message}. Pages rendered in dev mode will not find this dev server; fix the path's permissions or set the plugin's hotFile option.`,
            ),
        );
      });
      http.once("close", () => {
        closed = true;
        remove?.();
      });
    },

    transform(code) {
      if (!placeholder || !code.includes(ORIGIN_PLACEHOLDER)) return undefined;
      return { code: code.replaceAll(ORIGIN_PLACEHOLDER, origin), map: null };
    },
  };
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
