import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { combinedBuildHash, resolveAppVersion } from "../../src/version/app-version.js";
import { hashOfPairs, sha256Hex } from "../../src/version/hash.js";
import { VersionComponents } from "../../src/version/version-components.js";
import { tempDir } from "../helpers/tmp.js";
import { writeFiles } from "../helpers/vite.js";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

const BUILD = sha256Hex("build");
const STATIC = sha256Hex("static");
const COMPONENTS = { templates: sha256Hex("t"), config: sha256Hex("c") };

describe("resolveAppVersion: the seed's order", () => {
  const matrix: {
    name: string;
    facts: Parameters<typeof resolveAppVersion>[0];
    version: string;
    source: string;
    buildHash: string | null;
  }[] = [
    {
      name: "explicit option beats everything",
      facts: {
        explicit: "v1.2.3",
        buildHash: BUILD,
        staticHash: STATIC,
        components: COMPONENTS,
      },
      version: "v1.2.3",
      source: "explicit",
      buildHash: combinedBuildHash(BUILD, STATIC),
    },
    {
      name: "sidecar build hash",
      facts: { buildHash: BUILD },
      version: BUILD.slice(0, 12),
      source: "build",
      buildHash: BUILD,
    },
    {
      name: "staticfiles.json hash alone",
      facts: { staticHash: STATIC },
      version: STATIC.slice(0, 12),
      source: "build",
      buildHash: STATIC,
    },
    {
      name: "both build hashes: a hash of both",
      facts: { buildHash: BUILD, staticHash: STATIC },
      version: hashOfPairs([
        ["build", BUILD],
        ["static", STATIC],
      ]).slice(0, 12),
      source: "build",
      buildHash: hashOfPairs([
        ["build", BUILD],
        ["static", STATIC],
      ]),
    },
    {
      name: "build hash and components: derived from both",
      facts: { buildHash: BUILD, components: COMPONENTS },
      version: hashOfPairs([
        ["build", BUILD],
        ["component:templates", COMPONENTS.templates],
        ["component:config", COMPONENTS.config],
      ]).slice(0, 12),
      source: "build+components",
      buildHash: BUILD,
    },
    {
      name: "components alone",
      facts: { components: COMPONENTS },
      version: hashOfPairs([
        ["component:config", COMPONENTS.config],
        ["component:templates", COMPONENTS.templates],
      ]).slice(0, 12),
      source: "components",
      buildHash: null,
    },
    {
      name: "nothing: unknown",
      facts: { components: {} },
      version: "unknown",
      source: "unknown",
      buildHash: null,
    },
  ];

  it.each(matrix)("$name", ({ facts, version, source, buildHash }) => {
    const info = resolveAppVersion({ ...facts, release: "r1" });
    expect(info).toEqual({
      version,
      source,
      release: "r1",
      buildHash,
      components: Object.fromEntries(
        Object.entries(facts.components ?? {})
          .sort()
          .map(([k, v]) => [k, v.slice(0, 12)]),
      ),
    });
  });

  it("changes the derived version when any input hash changes", () => {
    const base = resolveAppVersion({ buildHash: BUILD, components: COMPONENTS }).version;
    const otherBuild = resolveAppVersion({
      buildHash: sha256Hex("x"),
      components: COMPONENTS,
    });
    const otherComponent = resolveAppVersion({
      buildHash: BUILD,
      components: { ...COMPONENTS, config: sha256Hex("c2") },
    });
    expect(otherBuild.version).not.toBe(base);
    expect(otherComponent.version).not.toBe(base);
  });

  it.each(["v1\r\nX-Evil: 1", " v1", "v1 ", "vé"])(
    "refuses an explicit version a header cannot carry: %j",
    (explicit) => {
      expect(() => resolveAppVersion({ explicit })).toThrow(
        /cannot be sent in a header .* Set appVersion \/ APP_VERSION/,
      );
    },
  );
});

describe("VersionComponents", () => {
  function root(files: Record<string, string>): string {
    const d = tempDir("components");
    cleanups.push(d.cleanup);
    writeFiles(d.path, files);
    return d.path;
  }

  it("hashes each component's files' bytes, independent of listing order", async () => {
    const dir = root({ "views/base.njk": "base", "views/nav.njk": "nav", "config.json": "{}" });
    const a = new VersionComponents(dir);
    a.register("templates", ["views/base.njk", "views/nav.njk"]);
    a.register("config", ["config.json"]);
    const b = new VersionComponents(dir);
    b.register("config", ["config.json"]);
    b.register("templates", ["views/nav.njk", "views/base.njk"]);
    const hashes = await a.hashes();
    expect(Object.keys(hashes)).toEqual(["config", "templates"]);
    expect(await b.hashes()).toEqual(hashes);
    expect(hashes.templates).toBe(
      hashOfPairs([
        ["views/base.njk", sha256Hex("base")],
        ["views/nav.njk", sha256Hex("nav")],
      ]),
    );

    writeFileSync(join(dir, "views/nav.njk"), "nav!");
    const after = await a.hashes();
    expect(after.templates).not.toBe(hashes.templates);
    expect(after.config).toBe(hashes.config);
  });

  it("names the component and file that cannot be read, and bad registrations", async () => {
    const dir = root({});
    const components = new VersionComponents(dir);
    components.register("templates", ["views/missing.njk"]);
    await expect(components.hashes()).rejects.toThrow(
      /version component "templates": cannot read views\/missing\.njk .*ENOENT.*Fix the path passed to registerVersionComponent/,
    );
    expect(() => components.register("", ["a"])).toThrow(/non-empty name/);
    expect(() => components.register("x", [])).toThrow(/non-empty array of file paths/);
  });
});
