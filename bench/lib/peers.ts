import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PEERS } from "./paths.js";

const ADONIS = join(PEERS, "node_modules", "@adonisjs", "vite");

/**
 * Installs the peers (bench/peers/package.json) when they are missing, outside the root
 * package. Returns `@adonisjs/vite`'s entry module, or why it is not there; never throws.
 */
export function ensureAdonis(): { entry: string; version: string } | { error: string } {
  if (!existsSync(join(ADONIS, "package.json"))) {
    console.log("[bench] installing peers: npm install --prefix bench/peers --legacy-peer-deps");
    try {
      // --legacy-peer-deps: only its tag generation is used, not AdonisJS (its peer).
      execFileSync(
        "npm",
        [
          "install",
          "--prefix",
          PEERS,
          "--legacy-peer-deps",
          "--no-audit",
          "--no-fund",
          "--loglevel=error",
        ],
        { stdio: ["ignore", "inherit", "inherit"], timeout: 180_000 },
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      return { error: `npm install --prefix bench/peers failed (${reason})` };
    }
  }
  try {
    const pkg = JSON.parse(readFileSync(join(ADONIS, "package.json"), "utf8"));
    return { entry: join(ADONIS, pkg.main ?? "build/index.js"), version: pkg.version };
  } catch (error) {
    return { error: `@adonisjs/vite is not readable in bench/peers (${String(error)})` };
  }
}

/** The slice of `@adonisjs/vite`'s `Vite` class the figures call (build/src/vite.ts). */
export interface AdonisVite {
  generateEntryPointsTags(
    entries: string[],
    attributes?: Record<string, unknown>,
  ): Promise<{ toString(): string }[]>;
}

export type AdonisViteClass = new (options: {
  buildDirectory: string;
  assetsUrl: string;
  manifestFile: string;
}) => AdonisVite;

/**
 * Loads `Vite` from `@adonisjs/vite` without booting AdonisJS: the class only needs its
 * options (build directory, assets URL, manifest file) to generate production tags.
 */
export async function loadAdonisVite(entry: string): Promise<AdonisViteClass> {
  const mod: { Vite?: AdonisViteClass } = await import(pathToFileURL(entry).href);
  if (typeof mod.Vite !== "function") throw new Error(`${entry} exports no Vite class`);
  return mod.Vite;
}
