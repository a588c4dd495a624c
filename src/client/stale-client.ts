/**
 * The stale-client script: runs in the browser, inline in <head>, before htmx loads.
 *
 * A tab rendered by release A keeps A's JavaScript and CSS while htmx swaps in HTML from
 * whatever release now answers. When a response says (by `X-App-Version`) that it comes
 * from another version, the swap is cancelled and the browser does one full navigation to
 * where the user was going, so page, scripts and styles belong to one release again.
 *
 * Browser code only: no imports but types, no dependencies, size-budgeted (2 KB minified;
 * `scripts/build-client.mjs` builds it into `stale-client.generated.ts`).
 */

/** What a stale tab does; same values as the `appVersionMismatch` option. */
export type StaleClientMismatch = "reload" | "warn" | "ignore";

/** Config the server inlines before the script (see `renderVersionTags`). */
export interface StaleClientConfig {
  /** App version of the release that rendered this page. */
  version: string;
  /** "reload": one guarded full navigation; "warn": `console.warn` once; "ignore": nothing. */
  mismatch: StaleClientMismatch;
  /** Response header carrying the server's app version. @default "X-App-Version" */
  header?: string;
}

/** `detail` of the cancelable `vite-rolling:stale` event dispatched on `document`. */
export interface StaleEventDetail {
  /** The version this page was rendered with. */
  pageVersion: string;
  /** The version the server answered with; `null` when a lazy chunk failed to load. */
  serverVersion: string | null;
  /** Where the default action would navigate. */
  url: string;
}

/** One automatic full load, remembered in sessionStorage to stop loops. */
interface Load {
  /** Target version ("null" after a failed lazy import). */
  v: string;
  /** Absolute URL loaded. */
  u: string;
  /** `Date.now()` of the load. */
  t: number;
}

/** Request header telling the server which version the page runs. */
const CLIENT_HEADER = "X-Client-Version";

/** sessionStorage key of the recent automatic loads. */
export const GUARD_KEY = "vite-rolling:loads";
/**
 * No second automatic load of the same (version, URL) within this window. Remembering every
 * load in the window (not only the last) is what bounds A→B→A flapping: each pair loads once.
 */
export const GUARD_MS = 60_000;

/** The slice of htmx 2's `HtmxResponseInfo` (events `htmx:beforeOnLoad`) read here. */
interface Htmx2Response {
  xhr: XMLHttpRequest;
  boosted?: boolean;
  requestConfig?: { verb?: string; elt?: Element };
  pathInfo?: { finalRequestPath?: string };
}

/** The slice of htmx 4's request context (`detail.ctx` of `htmx:*:request` events) read here. */
interface Htmx4Context {
  push?: string | null;
  request: { method: string; action: string; headers: Record<string, string> };
  response?: { raw?: Response; headers: Headers };
}

declare global {
  interface Window {
    /** Set by the stale-client script: the version this page was rendered with. */
    __viteRolling?: { version: string };
  }
}

/**
 * Installs the listeners (once per document; a second run, e.g. from a swapped-in <head>,
 * does nothing, so the page keeps the version its scripts were loaded with).
 *
 * Covers htmx 2 (`htmx:configRequest`, `htmx:beforeOnLoad`, `htmx:historyCacheMiss`) and
 * htmx 4 (`htmx:config:request`, `htmx:before:response`; its history restores go through the
 * same request pipeline), and Vite's `vite:preloadError`.
 */
export function installStaleClient(config: StaleClientConfig): void {
  if (window.__viteRolling) return;
  const pageVersion = config.version;
  window.__viteRolling = { version: pageVersion };
  const header = config.header || "X-App-Version";
  const on = (name: string, listener: (event: CustomEvent) => void) =>
    document.addEventListener(name, listener as EventListener);
  let warned = false;

  const warn = (message: string) => console.warn(`[vite-rolling] ${message}`);

  /**
   * Handles a response of version `serverVersion` headed for `url`; returns true when a full
   * navigation is under way and the caller must drop the response.
   */
  const stale = (serverVersion: string | null, url: string): boolean => {
    if (serverVersion === pageVersion || config.mismatch === "ignore") return false;
    const detail: StaleEventDetail = { pageVersion, serverVersion, url };
    // Apps that prevent this show their own prompt; the response is then used as usual.
    if (
      !document.dispatchEvent(new CustomEvent("vite-rolling:stale", { detail, cancelable: true }))
    )
      return false;
    const what = `page ${pageVersion}, server ${serverVersion || "? (lazy chunk failed)"}`;
    if (config.mismatch === "warn") {
      if (!warned) warn(`${what}: reload to update`);
      warned = true;
      return false;
    }
    const now = Date.now();
    const target = `${serverVersion}`;
    try {
      const loads = (JSON.parse(sessionStorage.getItem(GUARD_KEY) || "[]") as Load[]).filter(
        (load) => now - load.t < GUARD_MS,
      );
      // Already loaded for this (version, URL): a second load could start a loop. Thrown so
      // it shares the path of a storage failure: without storage there is no loop guard, so
      // no automatic load either.
      if (loads.some((load) => load.v === target && load.u === url)) throw 0;
      loads.push({ v: target, u: url, t: now });
      sessionStorage.setItem(GUARD_KEY, JSON.stringify(loads));
    } catch {
      warn(`${what}: loaded ${url} already, not again`);
      return false;
    }
    location.assign(url);
    return true;
  };

  /**
   * Checks one htmx response. Where the user was going: for a GET that navigates (boosted,
   * pushed, history restore) the URL it fetched, after redirects; else a redirect's target;
   * else the current page (a partial update of it).
   */
  const check = (
    event: Event,
    serverVersion: string | null | undefined,
    navigates: unknown,
    requested: string,
    responded: string | undefined,
  ) => {
    const asked = new URL(requested, location.href).href;
    const fetched = responded || asked;
    if (
      serverVersion &&
      stale(serverVersion, navigates || fetched !== asked ? fetched : location.href)
    )
      event.preventDefault();
  };
  const pushes = (value: string | null | undefined) => value && value !== "false";

  // htmx 2
  on("htmx:configRequest", (event) => {
    (event.detail as { headers: Record<string, string> }).headers[CLIENT_HEADER] = pageVersion;
  });
  on("htmx:beforeOnLoad", (event) => {
    const { xhr, boosted, requestConfig, pathInfo } = event.detail as Htmx2Response;
    const pushUrl = requestConfig?.elt?.closest("[hx-push-url]")?.getAttribute("hx-push-url");
    check(
      event,
      xhr.getResponseHeader(header),
      /get/i.test(requestConfig?.verb || "") && (boosted || pushes(pushUrl)),
      pathInfo?.finalRequestPath || location.href,
      xhr.responseURL,
    );
  });
  on("htmx:historyCacheMiss", (event) => {
    const { xhr, path } = event.detail as { xhr: XMLHttpRequest; path: string };
    xhr.setRequestHeader(CLIENT_HEADER, pageVersion);
    // htmx 2 swaps a cache-miss response without a cancelable event: check before its onload.
    const onload = xhr.onload;
    xhr.onload = function (this: XMLHttpRequest, progress) {
      const cancel = new Event("-", { cancelable: true });
      check(cancel, xhr.getResponseHeader(header), 1, path, xhr.responseURL);
      if (!cancel.defaultPrevented) onload?.call(this, progress);
    };
  });

  // htmx 4 (history restores are ordinary GETs carrying HX-History-Restore-Request)
  on("htmx:config:request", (event) => {
    (event.detail as { ctx: Htmx4Context }).ctx.request.headers[CLIENT_HEADER] = pageVersion;
  });
  on("htmx:before:response", (event) => {
    const { request, response, push } = (event.detail as { ctx: Htmx4Context }).ctx;
    const { headers } = request;
    check(
      event,
      response?.headers.get(header),
      request.method === "GET" &&
        (headers["HX-Boosted"] || headers["HX-History-Restore-Request"] || pushes(push)),
      request.action,
      response?.raw?.url,
    );
  });

  // Vite fires this when a lazy chunk fails to load, typically because a deploy removed it:
  // reloading fetches the HTML (and chunk names) of the release now live.
  window.addEventListener("vite:preloadError", (event) => {
    if (stale(null, location.href)) event.preventDefault();
  });
}
