// `npm run simulate`: the rolling-deploy simulation of test/simulation/rolling.e2e.test.ts,
// longer, as a report. Builds releases A and B, runs real Chromium users through nginx while
// instances move A -> B -> A: vite-rolling on the file registry, on a Redis killed mid-deploy,
// then the negative controls (a naive integration, vite-rolling with its loop guard hidden), then
// vite-rolling with old files only in an S3 bucket (s3rver) and its control without the bucket.
// Prints the table, writes an HTML timeline (path printed at the end), exits 1 if a run did not
// show what it must. SIM_SIZE=ci runs the CI sizes; `npm run simulate -- <text>` (or
// SIM_ONLY=<text>) only the runs whose label has it: `npm run simulate -- bucket`.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "../test/helpers/browser.js";
import { buildRelease } from "../test/helpers/simulation/app.js";
import { htmlReport } from "../test/helpers/simulation/html-report.js";
import { figuresTable } from "../test/helpers/simulation/report.js";
import { runSimulation, type SimulationResult } from "../test/helpers/simulation/run.js";
import { problems, scenarios } from "../test/helpers/simulation/scenarios.js";
import { ROOT, tempDir } from "../test/helpers/tmp.js";

const dir = tempDir("simulate");
const log = (line: string) => console.log(line);
const failures: string[] = [];
const rows: SimulationResult[] = [];
const only = process.argv[2] ?? process.env.SIM_ONLY;
const browser = await launchChromium();
try {
  log("building releases A and B (vite build)...");
  const releases = [await buildRelease(dir.path, "A"), await buildRelease(dir.path, "B")] as const;
  for (const scenario of scenarios(process.env.SIM_SIZE === "ci" ? "ci" : "full")) {
    if (only && !scenario.label.includes(only)) continue;
    log(`\n== ${scenario.label}`);
    const result = await runSimulation({
      ...scenario,
      releases,
      dir: join(dir.path, scenario.label.replace(/\W+/g, "-")),
      browser,
      log,
    });
    rows.push(result);
    for (const problem of problems(scenario, result))
      failures.push(`${scenario.label}: ${problem}`);
    for (const sample of result.samples) log(`  ${sample}`);
    if (result.bucket) {
      const b = result.bucket;
      log(
        `  uploaded: ${JSON.stringify(b.uploaded)}, old files read from the bucket: ${b.reads}, files retained in the registry: ${b.registryAssets}`,
      );
    }
    if (result.outage) {
      log(
        `  actions during the outage: ${result.outage.actionsDuringOutage}, broken: ${result.outage.brokenDuringOutage}`,
      );
    }
  }
} finally {
  await browser.close();
  dir.cleanup();
}
const table = figuresTable(rows);
console.log(`\n${table}\n`);
const reportDir = join(ROOT, ".tmp");
mkdirSync(reportDir, { recursive: true });
const reportPath = join(reportDir, "simulation-report.html");
writeFileSync(reportPath, htmlReport(rows, table));
console.log(`report: ${reportPath}`);
if (failures.length > 0) {
  console.error(failures.map((f) => `FAIL ${f}`).join("\n"));
  process.exit(1);
}
console.log(
  `OK: ${rows.length} run(s) showed what they must: vite-rolling kept every page whole, never looped, stranded, or lost a POST or typed text; each negative control showed its failure.`,
);
