import {
  DEFAULT_HEADER,
  DEFAULT_POLL_INTERVAL,
  DEFAULT_VERSION_URL,
  type StaleClientConfig,
} from "../client/protocol.js";
import { STALE_CLIENT_SCRIPT } from "../client/stale-client.generated.js";
import { describe, fail } from "../errors.js";
import type { MismatchAction } from "../options.js";
import { escapeHtml, jsonForScript, nonceAttribute } from "./escape.js";
import { staleClientFile } from "./stale-client-file.js";

/**
 * How the stale-client script behaves beyond the mode; `createViteRolling` passes its options
 * of the same names (`pollInterval`, `formRestore`; `versionUrl` is its `versionPath`).
 * A value equal to the default is left out of the page.
 */
export interface StaleClientOptions {
  /** Response header carrying the server's version. @default "X-App-Version" */
  header?: string;
  /**
   * Milliseconds between the script's checks of `versionUrl` while the tab is visible; it also
   * checks when the tab becomes visible again. 0 turns both off (pass 0 when the version
   * endpoint is off). @default 60000
   */
  pollInterval?: number;
  /** Where the script checks for a newer release (the version endpoint). @default "/version" */
  versionUrl?: string;
  /**
   * Save what the user typed into form fields before an automatic reload and restore it after
   * (never passwords, hidden or file inputs, `autocomplete="off"` or `data-vite-rolling-skip`
   * fields). @default true
   */
  formRestore?: boolean;
  /**
   * "external": a `<script src>` of the file the middleware serves (`staleClientFile`);
   * "inline": the script's text in the page. `vr.versionTags()` passes the option
   * `staleClientScript` ("external" by default); a page rendered with this function alone has
   * no middleware to serve the file, so its default is "inline". @default "inline"
   */
  script?: "external" | "inline";
}

/** Input of `renderVersionTags`. */
export interface VersionTagsInput extends StaleClientOptions {
  /** The app version of the release rendering the page (what `X-App-Version` carries). */
  version: string;
  /** What a stale tab does; "ignore" renders no script. */
  mismatch: MismatchAction;
  /**
   * The request's CSP nonce: on the inline script, and on `<meta property="csp-nonce">`, where
   * Vite's preload helper reads it for the stylesheet and modulepreload links it inserts.
   */
  nonce?: string;
}

/**
 * The page's version for <head>: `<meta name="app-version">`, with a nonce
 * `<meta property="csp-nonce">`, and, unless `mismatch` is "ignore", the stale-client script,
 * its config as JSON in the script element's `data-config` attribute. `script` "external"
 * renders a `<script src integrity>` of the file the middleware serves (`staleClientFile`);
 * "inline" (this function's default) the script's whole text.
 *
 * The script is classic and parser-blocking, either way: it runs where it stands, before the
 * page's module scripts (deferred) and before htmx handles any request.
 *
 * @example
 * renderVersionTags({ version: "3f2a9c", mismatch: "reload", script: "external", nonce })
 * // <meta name="app-version" content="3f2a9c">
 * // <meta property="csp-nonce" nonce="...">
 * // <script nonce="..." src="/__vite-rolling/stale-client.1a2b3c4d5e6f.js" integrity="sha384-..." data-config='{"version":"3f2a9c","mismatch":"reload"}'></script>
 */
export function renderVersionTags(input: VersionTagsInput): string {
  return compileVersionTags(input).render(input.nonce);
}

/** One version's tags, built once: a render only adds the request's nonce. */
export interface CompiledVersionTags {
  /** The tags; with a non-empty `nonce`, the CSP meta too and ` nonce="..."` on the script. */
  render(nonce?: string): string;
}

/**
 * The version tags of one version, built once. The adapters inject them into every HTML page,
 * and building them per page (JSON, three escapes, 3 KB of script) cost 3-4 µs on the bench
 * machine, where a render now costs ~50 ns (the nonce's concatenation).
 */
export function compileVersionTags(input: Omit<VersionTagsInput, "nonce">): CompiledVersionTags {
  const meta = `<meta name="app-version" content="${escapeHtml(input.version)}">`;
  // Vite's preload helper: document.querySelector("meta[property=csp-nonce]")?.nonce.
  const cspMeta = `${meta}\n<meta property="csp-nonce"`;
  if (input.mismatch === "ignore")
    return { render: (nonce) => (nonce ? `${cspMeta}${nonceAttribute(nonce)}>` : meta) };
  const config = ` data-config='${singleQuoted(jsonForScript(staleClientConfig(input)))}'`;
  let tail: string;
  if (input.script === "external") {
    const file = staleClientFile();
    tail = ` src="${file.path}" integrity="${file.integrity}"${config}></script>`;
  } else {
    tail = `${config}>${STALE_CLIENT_SCRIPT}</script>`;
  }
  const plain = `${meta}\n<script${tail}`;
  return {
    render(nonce) {
      if (!nonce) return plain;
      const attribute = nonceAttribute(nonce);
      return `${cspMeta}${attribute}>\n<script${attribute}${tail}`;
    },
  };
}

/** The config the script reads: what differs from its defaults, checked. */
export function staleClientConfig(
  input: StaleClientOptions & Pick<VersionTagsInput, "version" | "mismatch">,
): StaleClientConfig {
  const config: StaleClientConfig = { version: input.version, mismatch: input.mismatch };
  const { header, pollInterval, versionUrl, formRestore } = input;
  if (header && header.toLowerCase() !== DEFAULT_HEADER.toLowerCase()) config.header = header;
  if (pollInterval !== undefined && pollInterval !== DEFAULT_POLL_INTERVAL) {
    // setInterval would run a negative, NaN or huge (> 2^31-1 ms) delay at once: every tick.
    if (!Number.isInteger(pollInterval) || pollInterval < 0 || pollInterval > 2 ** 31 - 1)
      fail(
        "version-tags",
        `pollInterval must be a whole number of milliseconds from 0 (off) to ${2 ** 31 - 1}, received ${describe(pollInterval)}. Use e.g. 60000 for one check a minute.`,
        { code: "ERR_OPTIONS" },
      );
    config.pollInterval = pollInterval;
  }
  if (versionUrl !== undefined && versionUrl !== DEFAULT_VERSION_URL) {
    // The script fetches it from every page: a relative or protocol-relative value would
    // reach another path per page, or another host.
    if (!/^\/(?![/\\])/.test(versionUrl))
      fail(
        "version-tags",
        `versionUrl must be a path starting with a single "/", received ${describe(versionUrl)}. Use the version endpoint's path, e.g. "/version".`,
        { code: "ERR_OPTIONS" },
      );
    config.versionUrl = versionUrl;
  }
  if (formRestore === false) config.formRestore = false;
  return config;
}

/** The tags of whichever version is current, built again only when the version changes. */
export class VersionTagsCache {
  readonly #options: StaleClientOptions;
  #version: string | null = null;
  #mismatch: MismatchAction | null = null;
  #tags: CompiledVersionTags | null = null;

  /** `options`: the script's settings, fixed for the process; a bad one throws here. */
  constructor(options: StaleClientOptions = {}) {
    staleClientConfig({ ...options, version: "", mismatch: "reload" });
    this.#options = options;
  }

  render(version: string, mismatch: MismatchAction, nonce?: string): string {
    if (this.#tags === null || version !== this.#version || mismatch !== this.#mismatch) {
      this.#tags = compileVersionTags({ ...this.#options, version, mismatch });
      this.#version = version;
      this.#mismatch = mismatch;
    }
    return this.#tags.render(nonce);
  }
}

/** A value for a single-quoted attribute: the HTML parser gives back exactly `value`. */
function singleQuoted(value: string): string {
  return value.replace(/[&']/g, (c) => (c === "&" ? "&amp;" : "&#39;"));
}
