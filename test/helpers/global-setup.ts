import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Makes sure Redis, Chromium and nginx are there before any test runs (installs when missing). */
export default function setup(): void {
  const script = fileURLToPath(new URL("../../scripts/ensure-services.sh", import.meta.url));
  execFileSync("bash", [script], { stdio: "inherit" });
}
