import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** dist/ was built by this run's global setup, so it matches src/ (see helpers/cli.ts). */
    vrDistBuilt: boolean;
  }
}

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Before any test: Redis, Chromium and nginx are there (installed when missing), and dist/ is
 * built, since the demo and example tests run the package as users import it.
 */
export default function setup(project: TestProject): void {
  execFileSync("bash", ["scripts/ensure-services.sh"], { cwd: ROOT, stdio: "inherit" });
  project.provide("vrDistBuilt", false);
  // For a quick local loop on tests that import src/ only: VR_TEST_SKIP_BUILD=1 keeps dist/.
  if (process.env.VR_TEST_SKIP_BUILD === "1") return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  project.provide("vrDistBuilt", true);
}
