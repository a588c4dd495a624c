// `npm run simulate`: the rolling-deploy simulation of test/simulation/rolling.e2e.test.ts, as a
// report. Builds releases A and B, runs vite-rolling (file registry), a naive integration and
// vite-rolling on a Redis that is killed mid-run, prints the figures; exits 1 if a run did not
// show what it must (0 broken / 0 mixed for vite-rolling, broken pages for the naive one).
import { join } from "node:path";
import { buildRelease } from "../test/helpers/simulation/app.js";
import { figuresTable } from "../test/helpers/simulation/report.js";
import { runSimulation, type SimulationResult } from "../test/helpers/simulation/run.js";
import { NAIVE, PRODUCT, problems, REDIS_OUTAGE } from "../test/helpers/simulation/scenarios.js";
import { tempDir } from "../test/helpers/tmp.js";

const dir = tempDir("simulate");
const log = (line: string) => console.log(line);
const failures: string[] = [];
const rows: SimulationResult[] = [];
try {
  log("building releases A and B (vite build)...");
  const releases = [await buildRelease(dir.path, "A"), await buildRelease(dir.path, "B")] as const;
  for (const scenario of [PRODUCT, NAIVE, REDIS_OUTAGE]) {
    log(`\n== ${scenario.label}`);
    const result = await runSimulation({
      ...scenario,
      releases,
      dir: join(dir.path, scenario.label.replace(/\W+/g, "-")),
      log,
    });
    rows.push(result);
    for (const problem of problems(scenario, result))
      failures.push(`${scenario.label}: ${problem}`);
    if (result.outage) {
      log(
        `  pages during the outage: ${result.outage.pagesDuringOutage}, broken: ${result.outage.brokenDuringOutage}`,
      );
    }
  }
} finally {
  dir.cleanup();
}
console.log(`\n${figuresTable(rows)}\n`);
if (failures.length > 0) {
  console.error(failures.map((f) => `FAIL ${f}`).join("\n"));
  process.exit(1);
}
console.log("OK: vite-rolling kept every page whole; the naive integration broke pages.");
