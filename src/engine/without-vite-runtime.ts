import { normalizeBase } from "../html/import-map.js";
import { joinUrl } from "../html/tags.js";
import { withoutViteTag } from "../html/without-vite.js";
import type { ResolvedOptions } from "../options.js";
import type { Runtime } from "./runtime.js";

/**
 * `withoutVite`: for an app's own test suite, which renders pages with no build and no dev
 * server (Laravel's `withoutVite`). Nothing to load; tags are comments naming the entries.
 */
export class WithoutViteRuntime implements Runtime {
  readonly #base: string;
  readonly sidecar = null;

  constructor(options: ResolvedOptions) {
    this.#base = normalizeBase(options.base ?? "/");
  }

  async ready(): Promise<void> {}

  async reload(): Promise<void> {}

  styles(entries: readonly string[]): string {
    return withoutViteTag("styles", entries);
  }

  scripts(entries: readonly string[]): string {
    return withoutViteTag("scripts", entries);
  }

  preloadLinks(): string[] {
    return [];
  }

  /** The source path under the base: a stable, recognisable URL no test server needs to answer. */
  assetUrl(path: string): string {
    return joinUrl(this.#base, path.replace(/^\.?\/+/, ""));
  }

  reactRefresh(): string {
    return "";
  }

  retainedCandidate(): null {
    return null;
  }
}
