import type { ResolvedOptions } from "../options.js";
import type { RenderContext } from "../types.js";
import { jsonForScript } from "./escape.js";
import { compileTags, inlineModuleScript, type TagOptions, type TagSpec } from "./tags.js";

type DevOptions = Pick<
  ResolvedOptions,
  | "devServerHost"
  | "devServerPort"
  | "devServerProtocol"
  | "devServerStaticPath"
  | "turboTrack"
  | "attributes"
>;

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
export function devServerUrl(options: DevOptions, hostHeader?: string): string {
  const host = devHost(options.devServerHost, hostHeader);
  const path = options.devServerStaticPath.replace(/\/+$/, "");
  return `${options.devServerProtocol}://${host}:${options.devServerPort}${path}`;
}

/** URL of a source file on the dev server. */
export function devUrl(options: DevOptions, path: string, hostHeader?: string): string {
  return `${devServerUrl(options, hostHeader)}/${path.replace(/^\.?\/+/, "")}`;
}

/** `@vite/client` once, then each entry (once) as a module script on the dev server. */
export function devScripts(
  options: DevOptions,
  entries: readonly string[],
  ctx: RenderContext,
): string {
  const paths = ["@vite/client", ...new Set(entries)];
  const specs = paths.map(
    (path): TagSpec => ({
      kind: "script",
      url: devUrl(options, path, ctx.host),
      crossorigin: false,
    }),
  );
  return compileTags(specs, tagOptions(options)).render(ctx.nonce);
}

/**
 * Vite's React preamble for backend integrations (vite.dev/guide/backend-integration), which
 * `@vitejs/plugin-react` needs before any component module runs.
 */
export function devReactRefresh(options: DevOptions, ctx: RenderContext): string {
  const runtime = jsonForScript(devUrl(options, "@react-refresh", ctx.host));
  const code = [
    "",
    `import RefreshRuntime from ${runtime}`,
    "RefreshRuntime.injectIntoGlobalHook(window)",
    "window.$RefreshReg$ = () => {}",
    "window.$RefreshSig$ = () => (type) => type",
    "window.__vite_plugin_react_preamble_installed__ = true",
    "",
  ].join("\n");
  return inlineModuleScript(code, tagOptions(options)).render(ctx.nonce);
}

function tagOptions(options: DevOptions): TagOptions {
  return { turboTrack: options.turboTrack, attributes: options.attributes };
}
