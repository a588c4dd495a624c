/**
 * The three runs, shared by test/simulation/rolling.e2e.test.ts and `npm run simulate`, and what
 * each must show. Pacing is in page loads per phase (9 phases, 11 with the outage), so a run's
 * size does not depend on the machine's speed.
 */
import type { SimulationOptions, SimulationResult } from "./run.js";

export type Scenario = Pick<
  SimulationOptions,
  "label" | "mode" | "registry" | "pagesPerPhase" | "minPages" | "redisOutage"
>;

export const MIN_PAGES = 5000;

/** The product with the default registry: at least 5,000 page loads. */
export const PRODUCT: Scenario = {
  label: "vite-rolling (file registry)",
  mode: "product",
  registry: "file",
  pagesPerPhase: 400,
  minPages: MIN_PAGES,
};

/** One manifest per process, files from its own disk: must break pages. */
export const NAIVE: Scenario = {
  label: "naive (one manifest, own disk)",
  mode: "naive",
  registry: "file",
  pagesPerPhase: 60,
};

/** The product on Redis, killed while only release B serves, back before the rollback. */
export const REDIS_OUTAGE: Scenario = {
  label: "vite-rolling (Redis, killed mid-run)",
  mode: "product",
  registry: "redis",
  pagesPerPhase: 150,
  redisOutage: true,
};

/** What a run must show, as readable problems (empty: as expected). */
export function problems(scenario: Scenario, result: SimulationResult): string[] {
  const f = result.figures;
  const out: string[] = [];
  const first = result.samples.length > 0 ? ` First: ${result.samples.join(" | ")}` : "";
  if (scenario.mode === "naive") {
    if (f.broken === 0)
      out.push("the naive integration showed no broken page: the run proves nothing");
    return out;
  }
  if (scenario === PRODUCT && f.pages < MIN_PAGES) out.push(`only ${f.pages} pages loaded`);
  if (f.broken > 0) out.push(`${f.broken} broken pages.${first}`);
  if (f.mixed > 0) out.push(`${f.mixed} mixed pages.${first}`);
  if (f.serverErrors > 0) out.push(`${f.serverErrors} 5xx responses`);
  if (f.lost > 0) out.push(`${f.lost} requests lost.${first}`);
  if (f.crossServed === 0) out.push("no asset was requested from the other release's instance");
  if (scenario.redisOutage) {
    const o = result.outage;
    if (!o) out.push("no outage happened");
    else {
      if (o.refreshError === null) out.push("refresh succeeded while Redis was down");
      else if (o.refreshError.includes("\n")) out.push("refresh failed with a multi-line message");
      if (JSON.stringify(o.after) !== JSON.stringify(o.before))
        out.push("the registry changed across the outage");
      if (o.pagesDuringOutage === 0) out.push("no page loaded during the outage");
      if (o.brokenDuringOutage > 0)
        out.push(`${o.brokenDuringOutage} broken pages during the outage`);
      if (!o.bootLog.includes("serving the local manifest"))
        out.push("the instance started during the outage did not fall back to its local manifest");
    }
  }
  return out;
}
