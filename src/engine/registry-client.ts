import type { ResolvedOptions } from "../options.js";
import { openRegistry } from "../registry/connect.js";
import type { RegistryStore } from "../registry/store.js";
import type { ReleaseInfo } from "../types.js";

/**
 * The registry as a serving process uses it: opened on first use, only when manifests are
 * cached in production (dev and `cache: false` never connect); an outage while listing
 * releases answers [] with one warning per outage.
 */
export class RegistryClient {
  readonly #options: ResolvedOptions;
  #store: RegistryStore | null = null;
  #releasesWarned = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
  }

  /** The store, opened now if needed; null when this process uses no registry. */
  store(): RegistryStore | null {
    if (this.#options.dev || !this.#options.cache) return null;
    this.#store ??= openRegistry(this.#options);
    return this.#store;
  }

  /** The registry's releases, current first; [] without a registry or during an outage. */
  async releases(): Promise<ReleaseInfo[]> {
    const store = this.store();
    if (!store) return [];
    try {
      const list = await store.releases();
      this.#releasesWarned = false;
      return list;
    } catch (error) {
      if (!this.#releasesWarned) {
        this.#releasesWarned = true;
        const reason = error instanceof Error ? error.message : String(error);
        this.#options.logger.warn(`[vite-rolling] [registry] cannot list releases: ${reason}`);
      }
      return [];
    }
  }

  /** Closes the connection it opened, if any; a later use opens a new one. */
  async close(): Promise<void> {
    await this.#store?.close();
    this.#store = null;
  }
}
