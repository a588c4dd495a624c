/** The simulated app's shape, shared by the build, the servers and the driver (no Vite import). */

/** Entries the simulated app renders, by page path. */
export const PAGES = {
  "/": "src/main.ts",
  "/items": "src/items.ts",
  "/load": "src/main.ts",
  "/poll": "src/main.ts",
  "/form": "src/main.ts",
} as const;

export type PagePath = keyof typeof PAGES;

/** The URL prefix of built files (Vite's `base`). */
export const BASE = "/static/";

/** htmx 2, served by every instance from node_modules (the same bytes in every release). */
export const HTMX_PATH = "/htmx.js";
/** The fragment `hx-get` asks for (load-triggered, polled, or on a button). */
export const FRAGMENT_PATH = "/frag";
/** Where the page's form posts its token (`hx-post`). */
export const SUBMIT_PATH = "/submit";

/** Message an instance sends its parent for every token it received. */
export interface TokenMessage {
  token: string;
}
