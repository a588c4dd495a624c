import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BuildReport } from "./build.js";
import { PREPARED, RESULTS } from "./paths.js";
import { Sink } from "./stats.js";

export interface Table {
  title?: string;
  columns: string[];
  rows: string[][];
}

/** What one figure reports; bench/run.ts turns these into RESULTS.md. */
export interface FigureResult {
  id: string;
  title: string;
  /** One line for the summary table. */
  headline: string;
  tables: Table[];
  notes: string[];
  quick: boolean;
  seconds: number;
  /** Printed proof that measured work was consumed. */
  sink?: string;
  /** Set when the figure could not be measured: why, in one line. */
  error?: string;
}

export interface PreparedApp {
  name: string;
  root: string;
  /** Build input: entry name -> absolute path. */
  input: Record<string, string>;
  /** Manifest keys of the entries a page renders (the first three). */
  entries: string[];
  jsModules: number;
  cssFiles: number;
  dynamicImports: number;
  build: BuildReport;
}

/** Written by bench/run.ts before any figure runs. */
export interface Prepared {
  apps: { small: PreparedApp; large: PreparedApp };
  /** The library compiled to JS (for child processes without a TS loader), or why not. */
  lib: { dir: string } | { error: string };
  /** `@adonisjs/vite`'s entry module, or why it is not there. */
  adonis: { entry: string; version: string } | { error: string };
}

export interface FigureContext {
  quick: boolean;
  prepared: Prepared;
  sink: Sink;
}

export type FigureBody = (
  ctx: FigureContext,
) => Promise<Pick<FigureResult, "headline" | "tables" | "notes">>;

export function readPrepared(): Prepared {
  if (!existsSync(PREPARED)) {
    throw new Error(`${PREPARED} is missing: run \`npm run bench\` (it prepares the apps first).`);
  }
  return JSON.parse(readFileSync(PREPARED, "utf8"));
}

/**
 * Runs one figure in this process and writes its result to `.work/results/<id>.json`. A figure
 * that cannot be measured still writes a result saying why, and exits non-zero.
 */
export async function runFigure(id: string, title: string, body: FigureBody): Promise<void> {
  const quick = process.argv.includes("--quick");
  const started = process.hrtime.bigint();
  const sink = new Sink();
  let result: FigureResult;
  try {
    const prepared = readPrepared();
    const out = await body({ quick, prepared, sink });
    result = { id, title, quick, seconds: 0, sink: sink.value, ...out };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`[bench] ${id} failed:`, error);
    result = {
      id,
      title,
      quick,
      seconds: 0,
      headline: "not measured",
      tables: [],
      notes: [],
      error: message.split("\n")[0],
    };
  }
  result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${id}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `[bench] ${id}: ${result.error ? `FAILED: ${result.error}` : result.headline} (sink ${sink.value}, ${result.seconds.toFixed(1)} s)`,
  );
  // Servers, Redis clients and child processes are closed by each figure; exiting here makes
  // sure a handle someone forgot cannot hold the whole run.
  process.exit(result.error ? 1 : 0);
}
