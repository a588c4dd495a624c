import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULTS, resolveOptions } from "../../src/options.js";
import { ROOT } from "../helpers/tmp.js";

/** Rows of the README's settings table: option name -> the Default cell. */
function readmeDefaults(): Map<string, string> {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.split("## Settings")[1]?.split("\n## ")[0] ?? "";
  const rows = new Map<string, string>();
  for (const line of section.split("\n")) {
    const match = /^\| `(\w+)` \| ([^|]+) \|/.exec(line);
    if (match) rows.set(match[1]!, match[2]!.trim());
  }
  return rows;
}

describe("settings table", () => {
  const rows = readmeDefaults();

  it("lists every option with the default the code uses", () => {
    for (const [name, value] of Object.entries(DEFAULTS)) {
      expect(rows.has(name), `README settings table lacks ${name}`).toBe(true);
      const cell = rows.get(name)!;
      expect(cell, `README default of ${name}`).toBe(`\`${JSON.stringify(value)}\``);
    }
  });

  it("lists no option the code does not accept", () => {
    for (const name of rows.keys()) {
      if (name === "manifestPath" || name === "dev" || name === "logger") continue;
      expect(Object.keys(DEFAULTS), `README lists unknown option ${name}`).toContain(name);
    }
  });

  it("computes dev from NODE_ENV and keeps the seed's defaults", () => {
    const prod = resolveOptions({ manifestPath: "m.json" }, { NODE_ENV: "production" });
    const dev = resolveOptions({ manifestPath: "m.json" }, {});
    expect(prod.dev).toBe(false);
    expect(dev.dev).toBe(true);
    // The seed's documented defaults (django-vite-rolling "All settings").
    expect(prod).toMatchObject({
      cache: true,
      cacheKeyPrefix: "vite_manifest",
      devServerHost: null,
      devServerPort: 3001,
      devServerStaticPath: "/static",
      versionsToKeep: 5,
      versionSetting: "RELEASE_VERSION",
      versionsRedisKey: "recent-manifest-versions",
      appVersion: "",
      appVersionHeader: true,
      appVersionMismatch: "reload",
      versionEndpoint: true,
      staticDevVersionQuery: true,
    });
  });
});

describe("option validation", () => {
  it("names an unknown option and the one meant", () => {
    expect(() => resolveOptions({ manifestPath: "m.json", versionToKeep: 3 } as never)).toThrow(
      '[vite-rolling] [options] unknown option "versionToKeep". Did you mean "versionsToKeep"?',
    );
  });

  it("names an ill-typed option, what it must be and what it got", () => {
    expect(() =>
      resolveOptions({ manifestPath: "m.json", devServerPort: "3001" as never }),
    ).toThrow(
      '[vite-rolling] [options] option "devServerPort" must be an integer from 1 to 65535, received "3001".',
    );
    expect(() =>
      resolveOptions({ manifestPath: "m.json", appVersionMismatch: "refresh" as never }),
    ).toThrow('option "appVersionMismatch" must be one of "reload", "warn", "ignore"');
  });

  it("requires manifestPath and says what to pass", () => {
    expect(() => resolveOptions({} as never)).toThrow('option "manifestPath" is required');
  });

  it("treats an explicit undefined as the default", () => {
    const options = resolveOptions({ manifestPath: "m.json", versionsToKeep: undefined });
    expect(options.versionsToKeep).toBe(5);
  });
});
