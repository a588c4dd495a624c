/**
 * The runs, shared by test/simulation/rolling.e2e.test.ts (size "ci") and `npm run simulate`
 * (size "full"), and what each must show. Pacing is in user actions per phase (3 phases per
 * deploy, 4 more around the outage; see run.ts), so a run's size does not depend on the
 * machine's speed. The "ci" size keeps test/simulation/rolling.e2e.test.ts near 90 s on an
 * idle 2-core machine.
 */
import type { SimulationOptions, SimulationResult } from "./run.js";

export type Scenario = Pick<
  SimulationOptions,
  | "label"
  | "mode"
  | "registry"
  | "actionsPerPhase"
  | "redisOutage"
  | "rollback"
  | "guardOff"
  | "oldAssets"
>;

export type Size = "ci" | "full";

/** Label text shared by the bucket run and its control: `SIM_ONLY=bucket` selects both. */
export const BUCKET_LABEL = "bucket";

/**
 * The runs of one size: the product's, the two negative controls, then the bucket run (old
 * files only in S3) and its negative control (old files nowhere).
 */
export function scenarios(size: Size): Scenario[] {
  const n = size === "full" ? 16 : 6;
  return [
    {
      label: "vite-rolling (file registry)",
      mode: "product",
      registry: "file",
      actionsPerPhase: n,
    },
    {
      label: "vite-rolling (Redis, killed mid-deploy)",
      mode: "product",
      registry: "redis",
      actionsPerPhase: n,
      redisOutage: true,
    },
    {
      label: "naive integration (A to B)",
      mode: "naive",
      registry: "file",
      // Every phase with both releases live breaks its pages: a few actions show it.
      actionsPerPhase: size === "full" ? 8 : 4,
      rollback: false,
    },
    {
      label: "vite-rolling, guard off (A to B)",
      mode: "product",
      registry: "file",
      // Longer: a loop needs several stale answers in a row, so the mixed phases must carry
      // enough actions for the control to show one every time (16 showed 2 in a CI run).
      actionsPerPhase: size === "full" ? 32 : 16,
      rollback: false,
      guardOff: true,
    },
    {
      label: `vite-rolling (old files only in an S3 ${BUCKET_LABEL}${size === "full" ? "" : ", A to B"})`,
      mode: "product",
      // Instances share Redis and the bucket, nothing else (container images, no shared disk).
      registry: "redis",
      oldAssets: "bucket",
      actionsPerPhase: n,
      // The CI size skips the rollback (about 35 s less): A's tabs on B's instances and B's
      // pages on A's already ask the bucket both ways while A and B serve together.
      rollback: size === "full",
    },
    {
      label: `vite-rolling, no ${BUCKET_LABEL} (A to B)`,
      mode: "product",
      registry: "redis",
      oldAssets: "none",
      // As the naive control: every phase with both releases live breaks pages.
      actionsPerPhase: size === "full" ? 8 : 4,
      rollback: false,
    },
  ];
}

/**
 * A broken page's detail naming a built file its instance did not have: a 404 (a script reports
 * the status; a stylesheet's error event carries none, so it reads "failed to load").
 */
export const MISSING_FILE = /\/static\/assets\/[^/\s]+ (answered 404|failed to load)$/;

/** What a run must show, as readable problems (empty: as expected). */
export function problems(scenario: Scenario, result: SimulationResult): string[] {
  const f = result.figures;
  const out: string[] = [];
  const first = result.samples.length > 0 ? ` First: ${result.samples.join(" | ")}` : "";
  if (scenario.mode === "naive") {
    if (f.broken === 0)
      out.push("the naive integration showed no broken page: the broken count proves nothing");
    return out;
  }
  if (scenario.oldAssets === "none") {
    if (f.broken === 0)
      out.push(
        "without the bucket (nothing retained) the product showed no broken page: the bucket run proves nothing",
      );
    else if (!result.events.some((e) => e.kind === "broken" && MISSING_FILE.test(e.detail)))
      out.push(`no broken page was a built file missing (404).${first}`);
    return out;
  }
  if (scenario.guardOff) {
    if (f.loops === 0)
      out.push("with its guard off the product showed no loop: the loop count proves nothing");
    return out;
  }
  for (const [key, what] of [
    ["broken", "broken pages"],
    ["mixed", "mixed pages"],
    ["loops", "loops"],
    ["stranded", "stranded tabs"],
    ["lostPosts", "lost POSTs"],
    ["lostText", "lost typed texts"],
  ] as const) {
    if (f[key] > 0) out.push(`${f[key]} ${what}.`);
  }
  if (f.crossServed === 0) out.push("no asset was requested from the other release's instance");
  if (f.lazy === 0) out.push("no lazy chunk was loaded");
  if (f.posts === 0) out.push("no form was posted");
  if (scenario.oldAssets === "bucket") {
    const b = result.bucket;
    if (!b) out.push("no bucket was used");
    else {
      const counts = Object.values(b.uploaded);
      if (counts.length < 2 || counts.includes(0))
        out.push(`refresh did not upload both releases: ${JSON.stringify(b.uploaded)}`);
      if (b.reads === 0) out.push("no instance read an old file from the bucket");
      if (b.registryAssets > 0) out.push(`the registry retained ${b.registryAssets} files`);
    }
  }
  if (scenario.redisOutage) {
    const o = result.outage;
    if (!o) out.push("no outage happened");
    else {
      if (o.refreshError === null) out.push("refresh succeeded while Redis was down");
      else if (o.refreshError.includes("\n")) out.push("refresh failed with a multi-line message");
      if (JSON.stringify(o.after) !== JSON.stringify(o.before))
        out.push("the registry changed across the outage");
      if (o.actionsDuringOutage === 0) out.push("no user action happened during the outage");
      if (o.brokenDuringOutage > 0)
        out.push(`${o.brokenDuringOutage} broken pages during the outage`);
      if (!o.bootLog.includes("serving the local manifest"))
        out.push("the instance started during the outage did not fall back to its local manifest");
    }
  }
  if (out.length > 0 && first) out.push(first.trim());
  return out;
}
