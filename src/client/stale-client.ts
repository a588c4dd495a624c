/**
 * The stale-client script: runs in the browser, inline in <head>, before htmx loads.
 *
 * A tab rendered by release A keeps A's JavaScript and CSS while htmx swaps in HTML from
 * whatever release now answers. When a response says (by `X-App-Version`) that it comes
 * from another version, the swap is cancelled and the browser does one full navigation to
 * where the user was going, so page, scripts and styles belong to one release again. Every
 * automatic load goes through one guard (`claimLoad`): never a loop, however releases flap.
 * Pages without htmx learn of a release by polling the version endpoint; then the next link
 * the user follows is a full load, instead of interrupting them.
 *
 * Browser code only: no imports but its own, no dependencies, size-budgeted (3 KB minified;
 * `scripts/build-client.mjs` builds it into `stale-client.generated.ts`).
 */
import { bare, restoreForms, saveForms } from "./form-state.js";
import { claimLoad } from "./load-guard.js";
import {
  CLIENT_HEADER,
  DEFAULT_HEADER,
  DEFAULT_POLL_INTERVAL,
  DEFAULT_VERSION_URL,
  SCRIPT_HEADER,
  type StaleClientConfig,
  type StaleEventDetail,
} from "./protocol.js";

export type { StaleClientConfig, StaleClientMismatch, StaleEventDetail } from "./protocol.js";

/** The slice of htmx 2's `HtmxResponseInfo` (events `htmx:beforeOnLoad`) read here. */
interface Htmx2Response {
  xhr: XMLHttpRequest;
  boosted?: boolean;
  requestConfig: { verb: string; elt?: Element };
  pathInfo: { finalRequestPath: string };
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
 * same request pipeline), Vite's `vite:preloadError`, and the version endpoint.
 */
export function installStaleClient(config: StaleClientConfig): void {
  if (window.__viteRolling) return;
  const pageVersion = config.version;
  const here = location;
  window.__viteRolling = { version: pageVersion };
  const header = config.header || DEFAULT_HEADER;
  // Capturing: the script hears of a request or a response before the app's own listeners.
  const on = (
    name: string,
    listener: (event: CustomEvent) => void,
    target: EventTarget = document,
  ) => target.addEventListener(name, listener as EventListener, true);
  // One warning per page: a polling fragment would otherwise repeat it every second.
  let warned = false;
  // A newer release is known: the next link the user follows loads in full.
  let armed = false;

  const warn = (serverVersion: string | null, message: string) => {
    if (!warned)
      console.warn(
        `[vite-rolling] page ${pageVersion}, server ${serverVersion || "?"}: ${message}`,
      );
    warned = true;
  };
  // Unconditional: with `formRestore: false` nothing is saved, so nothing is restored.
  on("DOMContentLoaded", restoreForms);

  /**
   * Handles news of version `serverVersion` for a request headed for `url`; `load` false only
   * arms the next link (a version check, a POST whose answer must still be shown); `load` 2 is
   * a navigation the user started (a boosted link, a history restore): its one full load is not
   * refused by the guard, since swapping the other release's page in would leave a mixed page.
   * Returns true when a full navigation is under way and the caller must drop the response.
   */
  const stale = (serverVersion: string | null, url: string, load: unknown): boolean => {
    // ("ignore" renders no script: the mode never reaches here.)
    if (serverVersion === pageVersion) return false;
    // Apps that prevent this show their own prompt; the response is then used as usual.
    if (
      !document.dispatchEvent(
        new CustomEvent<StaleEventDetail>("vite-rolling:stale", {
          detail: { pageVersion, serverVersion, url },
          cancelable: true,
        }),
      )
    )
      return false;
    if (config.mismatch === "warn") {
      warn(serverVersion, "reload to update");
      return false;
    }
    armed = true;
    if (!load) return false;
    const target = bare(url);
    // A user's navigation spends the URL's one automatic load too (claimed first), so a
    // fragment answered by another release on the page it lands on does not reload it again.
    if (!claimLoad(target) && load !== 2) {
      warn(serverVersion, `not loading ${target} again`);
      return false;
    }
    if (config.formRestore !== false) saveForms();
    // Without its fragment: assigning the current URL with a fragment only scrolls.
    here.assign(target);
    return true;
  };

  /**
   * Checks one htmx response; true when the caller must drop it. Where the user was going: for
   * a GET that navigates (boosted, pushed, history restore) the URL it fetched, after
   * redirects; else a redirect's target; else the current page (a partial update of it),
   * reloaded for a GET only: the answer to a POST is what the user sent, so it is swapped in
   * and only the next link loads in full.
   */
  const check = (
    serverVersion: string | null | undefined,
    get: boolean,
    navigates: unknown,
    requested: string,
    responded: string | undefined,
  ): unknown => {
    const asked = `${new URL(requested, here.href)}`;
    const fetched = responded || asked;
    const user = get && navigates;
    const moves = user || fetched !== asked;
    return (
      serverVersion && stale(serverVersion, moves ? fetched : here.href, user ? 2 : moves || get)
    );
  };
  const pushes = (value: string | null | undefined) => value && value !== "false";
  const mark = (headers: Record<string, string>) =>
    Object.assign(headers, { [CLIENT_HEADER]: pageVersion, [SCRIPT_HEADER]: "1" });

  // htmx 2
  on("htmx:configRequest", (event) => mark(event.detail.headers));
  on("htmx:beforeOnLoad", (event) => {
    const { xhr, boosted, requestConfig, pathInfo } = event.detail as Htmx2Response;
    const pushUrl = requestConfig.elt?.closest("[hx-push-url]")?.getAttribute("hx-push-url");
    if (
      check(
        xhr.getResponseHeader(header),
        requestConfig.verb === "get",
        boosted || pushes(pushUrl),
        pathInfo.finalRequestPath,
        xhr.responseURL,
      )
    )
      event.preventDefault();
  });
  on("htmx:historyCacheMiss", (event) => {
    const { xhr, path } = event.detail as { xhr: XMLHttpRequest; path: string };
    // No request headers: the server answers the restore as a normal page, whose
    // X-App-Version is checked here. htmx 2 swaps a cache-miss response without a cancelable
    // event: check before its onload.
    const onload = xhr.onload;
    xhr.onload = (progress) =>
      check(xhr.getResponseHeader(header), true, 1, path, xhr.responseURL) ||
      onload!.call(xhr, progress); // set by htmx before it fires the event
  });

  // htmx 4 (history restores are ordinary GETs carrying HX-History-Restore-Request)
  on("htmx:config:request", (event) => mark((event.detail.ctx as Htmx4Context).request.headers));
  on("htmx:before:response", (event) => {
    const { request, response, push } = (event.detail as { ctx: Htmx4Context }).ctx;
    const { headers } = request;
    if (
      check(
        response?.headers.get(header),
        request.method === "GET",
        headers["HX-Boosted"] || headers["HX-History-Restore-Request"] || pushes(push),
        request.action,
        response?.raw?.url,
      )
    )
      event.preventDefault();
  });

  // Vite fires this when a lazy chunk fails to load, typically because a deploy removed it:
  // a full load of here.href (where a router that pushed its URL first was going) fetches
  // the HTML, and chunk names, of the release now live.
  on(
    "vite:preloadError",
    (event) => {
      if (stale(null, here.href, 1)) event.preventDefault();
    },
    window,
  );

  // Once a newer release is known, the next same-origin link is followed by the browser
  // itself, a full load: stopped on window, in the capture phase, before htmx boost, Turbo or a
  // router can take it over. (Modified clicks, target and download stay the browser's too.)
  on(
    "click",
    (event) => {
      const link = (event.target as Element).closest<HTMLAnchorElement>("a[href]");
      if (armed && link?.origin === here.origin && bare(link.href) !== bare(here.href))
        event.stopImmediatePropagation();
    },
    window,
  );

  // The version check: conditional, so a current tab costs the server a 304 from memory.
  const interval = config.pollInterval ?? DEFAULT_POLL_INTERVAL;
  // (The server renders whole, non-negative numbers only.)
  if (interval) {
    // Once warned or armed, the page knows: no more requests, and no second event from a
    // check that was already under way.
    const known = () => warned || armed;
    const poll = () => {
      if (known() || document.hidden) return;
      fetch(config.versionUrl || DEFAULT_VERSION_URL, {
        headers: { "If-None-Match": `"${pageVersion}"` },
      })
        .then((response) => {
          // 304: still current. (`ok` is false for it.)
          const version = response.ok && response.headers.get(header);
          if (version && !known()) stale(version, here.href, 0);
        })
        // Offline, a non-JSON answer, a version no header can carry: try again next time.
        .catch(() => {});
    };
    setInterval(poll, interval);
    on("visibilitychange", poll);
  }
}
