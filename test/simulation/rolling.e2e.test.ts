// The headline test: a rolling deploy under load. Real `vite build`s of releases A and B, two
// real node instances per release (each with only its own build on disk, as in containers),
// real nginx round-robin over every live instance, a driver loading pages and all their
// assets like browsers while the instances move A -> B one at a time and back.
// vite-rolling must show 0 broken and 0 mixed pages; a naive integration, the same run, must
// break pages (else the test could not fail). Figures print as a table; no timing is asserted.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltRelease, buildRelease } from "../helpers/simulation/app.js";
import { figuresTable } from "../helpers/simulation/report.js";
import { runSimulation, type SimulationResult } from "../helpers/simulation/run.js";
import {
  MIN_PAGES,
  NAIVE,
  PRODUCT,
  REDIS_OUTAGE,
  type Scenario,
} from "../helpers/simulation/scenarios.js";
import { tempDir } from "../helpers/tmp.js";

const RUN_TIMEOUT = 150_000;

describe("rolling deploy under load (nginx round-robin, 2 instances per release)", () => {
  let dir: { path: string; cleanup: () => void };
  let releases: [BuiltRelease, BuiltRelease];
  const rows: SimulationResult[] = [];

  beforeAll(async () => {
    dir = tempDir("simulation");
    releases = [await buildRelease(dir.path, "A"), await buildRelease(dir.path, "B")];
  });
  afterAll(() => {
    if (rows.length > 0) console.log(`\n${figuresTable(rows)}\n`);
    dir?.cleanup();
  });

  async function run(scenario: Scenario): Promise<SimulationResult> {
    const result = await runSimulation({
      ...scenario,
      releases,
      dir: join(dir.path, scenario.label.replace(/\W+/g, "-")),
    });
    rows.push(result);
    return result;
  }

  /** Every page whole and of one release, through a run where the risky case did happen. */
  function expectWholePages({ figures, samples }: SimulationResult): void {
    const why = samples.join("\n");
    // Pages' assets were asked of the other release's instances, lazy chunks included.
    expect(figures.crossServed).toBeGreaterThan(0);
    expect(figures.lazy).toBeGreaterThan(0);
    expect(figures.broken, why).toBe(0);
    expect(figures.mixed, why).toBe(0);
    expect(figures.serverErrors, why).toBe(0);
    expect(figures.lost, why).toBe(0);
  }

  it("A and B share no hashed file name (every asset names its release)", () => {
    const [A, B] = releases;
    expect([...A.files].filter((f) => B.files.has(f))).toEqual([]);
    expect(A.lazy.size).toBe(1);
  });

  it(
    `vite-rolling: 0 broken and 0 mixed pages over at least ${MIN_PAGES} page loads`,
    async () => {
      const result = await run(PRODUCT);
      expect(result.figures.pages).toBeGreaterThanOrEqual(MIN_PAGES);
      expectWholePages(result);
    },
    RUN_TIMEOUT,
  );

  it(
    "a naive integration (one manifest per process, files from its own disk) breaks pages in the same run",
    async () => {
      const { figures } = await run(NAIVE);
      expect(figures.crossServed).toBeGreaterThan(0);
      expect(figures.broken).toBeGreaterThan(0);
    },
    RUN_TIMEOUT,
  );

  it(
    "Redis registry killed while one release serves: pages keep rendering, refresh fails loudly, nothing is lost",
    async () => {
      const result = await run(REDIS_OUTAGE);
      expect(result.outage).not.toBeNull();
      const o = result.outage!;
      expect(o.pagesDuringOutage).toBeGreaterThan(0);
      expect(o.brokenDuringOutage).toBe(0);
      // The instance started during the outage fell back to its local manifest and served.
      expect(o.bootLog).toMatch(/cannot read release "B" from .+; serving the local manifest/);
      // Fails loudly, in one line, naming Redis and the fix.
      expect(o.refreshError).toMatch(
        /^\[vite-rolling\] \[redis\] Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.+\)\. Start it/,
      );
      expect(o.refreshError).not.toContain("\n");
      // The failed refresh changed nothing, and Redis came back with every release.
      expect(o.before.releases).toEqual(["B", "A"]);
      expect(o.after).toEqual(o.before);
      // The whole run, the rollback (B's assets from Redis) after the outage included.
      expectWholePages(result);
    },
    RUN_TIMEOUT,
  );
});
