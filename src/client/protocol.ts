/**
 * What the server and the stale-client script agree on: the config the server inlines, its
 * defaults, the event the script fires and the request headers it adds. No DOM and no Node
 * here, so server code (src/html, src/http) imports it without the browser's types.
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
  /**
   * Milliseconds between checks of `versionUrl` while the tab is visible (it also checks when
   * the tab becomes visible again); 0 turns the checks off. @default 60000
   */
  pollInterval?: number;
  /** Version endpoint: answers 304 to `If-None-Match: "<version>"` while current. @default "/version" */
  versionUrl?: string;
  /** Save typed form fields before an automatic reload and restore them after. @default true */
  formRestore?: boolean;
}

// Defaults of the optional config fields (single constants, so the minifier inlines them into
// the script); the server leaves a default out of the page.
/** @see StaleClientConfig.header */
export const DEFAULT_HEADER = "X-App-Version";
/** @see StaleClientConfig.pollInterval */
export const DEFAULT_POLL_INTERVAL = 60_000;
/** @see StaleClientConfig.versionUrl */
export const DEFAULT_VERSION_URL = "/version";

/** `detail` of the cancelable `vite-rolling:stale` event dispatched on `document`. */
export interface StaleEventDetail {
  /** The version this page was rendered with. */
  pageVersion: string;
  /** The version the server answered with; `null` when a lazy chunk failed to load. */
  serverVersion: string | null;
  /** Where the default action would navigate (the current page for a version check). */
  url: string;
}

/** Request header telling the server which version the page runs. */
export const CLIENT_HEADER = "X-Client-Version";
/**
 * Request header (value "1") on every htmx request of a page running the script: the server
 * then leaves stale decisions to the script and its guard (no HX-Refresh, HX-Redirect, 409).
 */
export const SCRIPT_HEADER = "X-Vite-Rolling";
