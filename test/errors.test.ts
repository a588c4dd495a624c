import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorsTable } from "../scripts/errors-table.js";
import { ERROR_CODES, ViteRollingError } from "../src/errors.js";
import { ROOT } from "./helpers/tmp.js";

describe("error codes", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.split("\n## Errors\n")[1]?.split("\n## ")[0] ?? "";

  it("the README's Errors table lists exactly the codes errors carry, with their meaning and fix", () => {
    // Regenerate with `npx tsx scripts/errors-table.ts` when a code is added.
    expect(section).toContain(errorsTable());
    const listed = [...section.matchAll(/^\| `(ERR_\w+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(Object.keys(ERROR_CODES));
  });

  it("every code of the source tree is documented, and every documented code is thrown somewhere", () => {
    // Every quoted ERR_ literal outside errors.ts: codes are passed as literals, sometimes
    // chosen by a condition, so the literal is what the source holds in every case.
    const grep = ["-rhoE", '"ERR_[A-Z0-9_]+"', "--exclude=errors.ts", join(ROOT, "src")];
    const used = new Set(
      execFileSync("grep", grep, { encoding: "utf8" })
        .split("\n")
        .filter(Boolean)
        .map((literal) => literal.slice(1, -1)),
    );
    for (const code of used) expect(Object.keys(ERROR_CODES), code).toContain(code);
    for (const code of Object.keys(ERROR_CODES)) expect([...used], code).toContain(code);
  });

  it("a ViteRollingError names its scope and carries its code", () => {
    const error = new ViteRollingError("render", "it broke", { code: "ERR_RENDER" });
    expect(error.message).toBe("[vite-rolling] [render] it broke");
    expect(error.code).toBe("ERR_RENDER");
    expect(error).toBeInstanceOf(Error);
  });
});
