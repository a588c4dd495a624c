import { fail } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import type { RenderContext } from "../types.js";
import { jsonForScript } from "./escape.js";
import { compileTags, inlineModuleScript, type TagOptions, type TagSpec } from "./tags.js";

/** Where the Vite dev server listens, from the hot file or the devServer* options. */
export interface DevServer {
  protocol: "http" | "https";
  /** Null: the request's host (the server listens on every address, or the option is unset). */
  host: string | null;
  port: number;
  /** Vite's base as a path, without its trailing slash ("/static"). */
  path: string;
  /**
   * Whether the vite-rolling/vite plugin runs in it (known from its hot file): then it answers
   * the CSS of an entry's module graph and HTML entries' module scripts.
   */
  plugin: boolean;
}

/** Path of the plugin's endpoint answering the CSS an entry's modules import. */
export const DEV_STYLES_PATH = "@vite-rolling/styles.css";
/** Path of the plugin's endpoint answering the module scripts of an HTML entry. */
export const DEV_HTML_ENTRY_PATH = "@vite-rolling/entry.js";

/** Stylesheets Vite serves as CSS when a `<link>` asks (its `isCSSRequest` languages). */
const CSS_ENTRY = /\.(?:css|less|sass|scss|styl|stylus|pcss|postcss|sss)$/;
const HTML_ENTRY = /\.html?$/;

/** A dev server from where it listens and its base ("/static/" serves under "/static"). */
export function devServerAt(
  at: { protocol: "http" | "https"; host: string | null; port: number; base: string },
  plugin: boolean,
): DevServer {
  const { protocol, host, port } = at;
  return { protocol, host, port, path: at.base.replace(/\/+$/, ""), plugin };
}

/** The dev server the devServer* options describe (no plugin known to run in it). */
export function configuredDevServer(
  options: Pick<
    ResolvedOptions,
    "devServerHost" | "devServerPort" | "devServerProtocol" | "devServerStaticPath"
  >,
): DevServer {
  const { devServerProtocol: protocol, devServerHost: host, devServerPort: port } = options;
  return devServerAt({ protocol, host, port, base: options.devServerStaticPath }, false);
}

// A hostname, or a bracketed IPv6 literal. Anything else in a Host header (userinfo, a path,
// quotes) could point the page's scripts at another origin, so it falls back to localhost.
const HOSTNAME = /^[a-z0-9_.-]+$/i;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/i;

/**
 * The dev server's host: the `devServerHost` option, else the request's Host header without
 * its port (`[::1]:8000` gives `[::1]`), else `localhost`.
 */
export function devHost(configured: string | null, hostHeader?: string): string {
  // The option is configuration and trusted; only a bare IPv6 literal needs its brackets.
  if (configured) {
    const bareIpv6 = !configured.startsWith("[") && configured.split(":").length > 2;
    return bareIpv6 ? `[${configured}]` : configured;
  }
  const raw = hostHeader?.trim() ?? "";
  let host: string;
  if (raw.startsWith("[")) host = raw.slice(0, raw.indexOf("]") + 1);
  else if (raw.split(":").length > 2)
    host = `[${raw}]`; // a bare IPv6 literal, no port
  else host = raw.split(":")[0]!;
  return HOSTNAME.test(host) || IPV6_LITERAL.test(host) ? host : "localhost";
}

/** `http://host:port/static`: where the dev server serves, no trailing slash. */
export function devServerUrl(server: DevServer, hostHeader?: string): string {
  return `${server.protocol}://${devHost(server.host, hostHeader)}:${server.port}${server.path}`;
}

/** URL of a source file on the dev server. */
export function devUrl(server: DevServer, path: string, hostHeader?: string): string {
  return `${devServerUrl(server, hostHeader)}/${path.replace(/^\.?\/+/, "")}`;
}

/** Whether an entry is a stylesheet (a `<link>`, never a script). */
export function isCssEntry(entry: string): boolean {
  return CSS_ENTRY.test(entry);
}

/** The URL of a plugin endpoint with one `entry` parameter per entry. */
function endpointUrl(server: DevServer, path: string, entries: readonly string[], host?: string) {
  const query = entries.map((e) => `entry=${encodeURIComponent(e)}`).join("&");
  return `${devUrl(server, path, host)}?${query}`;
}

/**
 * Stylesheets at first paint: each CSS entry as a link, and (with the plugin) one link to the
 * CSS every other entry's module graph imports, so the page is styled before its modules run
 * (they inject the same CSS again; `devScripts` then drops the link, see there).
 */
export function devStyles(
  server: DevServer,
  entries: readonly string[],
  ctx: RenderContext,
  options: TagOptions,
): string {
  const unique = [...new Set(entries)];
  const specs: TagSpec[] = unique.filter(isCssEntry).map((entry) => stylesheet(server, entry, ctx));
  const modules = unique.filter((e) => !isCssEntry(e));
  if (server.plugin && modules.length > 0) {
    const url = endpointUrl(server, DEV_STYLES_PATH, modules, ctx.host);
    specs.push({ kind: "stylesheet", url, crossorigin: false });
  }
  return compileTags(specs, options).render(ctx.nonce);
}

function stylesheet(server: DevServer, entry: string, ctx: RenderContext): TagSpec {
  return { kind: "stylesheet", url: devUrl(server, entry, ctx.host), crossorigin: false };
}

/**
 * `@vite/client` once, then each script entry (once) as a module script on the dev server;
 * CSS entries are left to `devStyles`. An HTML entry loads through the plugin's endpoint,
 * which imports the module scripts the HTML names.
 */
export function devScripts(
  server: DevServer,
  entries: readonly string[],
  ctx: RenderContext,
  options: TagOptions,
): string {
  const specs: TagSpec[] = ["@vite/client", ...new Set(entries)]
    .filter((path) => !isCssEntry(path))
    .map((path) => {
      const url = HTML_ENTRY.test(path)
        ? htmlEntryUrl(server, path, ctx.host)
        : devUrl(server, path, ctx.host);
      return { kind: "script", url, crossorigin: false };
    });
  const html = compileTags(specs, options).render(ctx.nonce);
  if (!server.plugin) return html;
  // After the entries ran, their CSS is in <style> tags Vite's client keeps up to date on
  // every edit; the first-paint link would keep a removed rule alive, so it goes (module
  // scripts run in document order, this one last).
  const selector = jsonForScript(`link[href*="/${DEV_STYLES_PATH}?"]`);
  const cleanup = `for (const link of document.querySelectorAll(${selector})) link.remove()`;
  return `${html}\n${inlineModuleScript(cleanup, options).render(ctx.nonce)}`;
}

function htmlEntryUrl(server: DevServer, entry: string, host?: string): string {
  if (server.plugin) return endpointUrl(server, DEV_HTML_ENTRY_PATH, [entry], host);
  return fail(
    "render",
    `scripts(${JSON.stringify(entry)}): an HTML entry's module scripts are read by the vite-rolling/vite plugin in the dev server, and no such dev server runs (no hot file; the tags point at the devServer* options). Fix: add viteRolling() from "vite-rolling/vite" to vite.config's plugins and start \`vite\`, or name the module entry itself (build.rollupOptions.input: ["src/main.ts"], then scripts("src/main.ts")).`,
    { code: "ERR_DEV_HTML_ENTRY" },
  );
}

/**
 * Vite's React preamble for backend integrations (vite.dev/guide/backend-integration), which
 * `@vitejs/plugin-react` needs before any component module runs.
 */
export function devReactRefresh(
  server: DevServer,
  ctx: RenderContext,
  options: TagOptions,
): string {
  const runtime = jsonForScript(devUrl(server, "@react-refresh", ctx.host));
  const code = [
    "",
    `import RefreshRuntime from ${runtime}`,
    "RefreshRuntime.injectIntoGlobalHook(window)",
    "window.$RefreshReg$ = () => {}",
    "window.$RefreshSig$ = () => (type) => type",
    "window.__vite_plugin_react_preamble_installed__ = true",
    "",
  ].join("\n");
  return inlineModuleScript(code, options).render(ctx.nonce);
}
