/** The simulated app's shape, shared by the build, the servers and the driver (no Vite import). */

/** Entries the simulated app renders, by page path. */
export const PAGES = { "/": "src/main.ts", "/items": "src/items.ts" } as const;

/** The URL prefix of built files (Vite's `base`). */
export const BASE = "/static/";
