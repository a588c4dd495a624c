/**
 * The deploy steps as the package's main entry exports them, each loading its module on the
 * first call. A server imports "vite-rolling" to render pages and never runs them; loading
 * them (and the static-file collector) at import was 7 of the 40 modules of a cold start
 * (bench figure 6), whose time goes mostly to Node's ESM loader resolving and linking modules.
 * Each is async already, so loading first changes nothing a caller can see.
 */
import type * as Collect from "../static/collect.js";
import type * as Prune from "./prune.js";
import type * as Refresh from "./refresh.js";
import type * as Status from "./status.js";

/** Registers this release and prunes stale ones: see `refresh` in deploy/refresh.ts. */
export const refresh: typeof Refresh.refresh = async (...args) =>
  (await import("./refresh.js")).refresh(...args);

/** Removes releases beyond the `keep` most recent: see `prune` in deploy/prune.ts. */
export const prune: typeof Prune.prune = async (...args) =>
  (await import("./prune.js")).prune(...args);

/** Lists the registry's releases, current first: see `status` in deploy/status.ts. */
export const status: typeof Status.status = async (...args) =>
  (await import("./status.js")).status(...args);

/** Copies static files under content-hashed names: see `collectStatic` in version/collect.ts. */
export const collectStatic: typeof Collect.collectStatic = async (...args) =>
  (await import("../static/collect.js")).collectStatic(...args);
