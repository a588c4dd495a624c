import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** bench/ */
export const BENCH = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The repository root. */
export const ROOT = resolve(BENCH, "..");
/** Everything the bench generates (git-ignored). */
export const WORK = join(BENCH, ".work");
/** Generated apps; each builds into `<app>/dist` (Biome and tsc skip every `dist`). */
export const APPS = join(WORK, "apps");
/** The library compiled by tsc, for processes that must start without a TS loader. */
export const LIB = join(WORK, "lib", "dist");
/** One JSON file per figure, written by the figure's process, read by bench/run.ts. */
export const RESULTS = join(WORK, "results");
/** What bench/run.ts prepared for the figures (apps, builds, compiled library). */
export const PREPARED = join(WORK, "prepared.json");
/** Peers installed on demand, outside the root package. */
export const PEERS = join(BENCH, "peers");
