// The package as npm publishes it: `npm pack` in a copy of the repository runs `prepack`
// (clean + build) and lists what would ship; package.json's peers and engines say what the
// suite tests.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, symlinkSync } from "node:fs";
import { join, posix } from "node:path";
import semver from "semver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../helpers/tmp.js";
import { VITE_MAJORS } from "../helpers/vite.js";

interface PackageJson {
  engines: { node: string };
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  repository?: { type: string; url: string };
  scripts: Record<string, string>;
  license: string;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
}
interface LockPackage {
  version?: string;
  engines?: string | { node?: string };
}

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as PackageJson;

/** Source maps in `files` naming a source that is not in `files` either ("map -> source"). */
function unresolvedSourceMaps(files: string[], readMap: (path: string) => string): string[] {
  const shipped = new Set(files);
  return files
    .filter((f) => f.endsWith(".map"))
    .flatMap((map) => {
      const { sources = [] } = JSON.parse(readMap(map)) as { sources?: string[] };
      return sources
        .map((source) => posix.normalize(posix.join(posix.dirname(map), source)))
        .filter((source) => !shipped.has(source))
        .map((source) => `${map} -> ${source}`);
    });
}

/** Locked packages whose `engines.node` excludes `node` (what `npm ci` warns EBADENGINE for). */
function enginesExcluding(node: string, packages: Record<string, LockPackage>): string[] {
  return Object.entries(packages).flatMap(([path, entry]) => {
    const range = typeof entry.engines === "string" ? entry.engines : entry.engines?.node;
    if (!range || semver.satisfies(node, range)) return [];
    return [`${path}@${entry.version} needs node ${range}`];
  });
}

describe("npm pack", () => {
  const dir = tempDir("pack");
  let files: string[] = [];

  beforeAll(() => {
    // What prepack needs to build dist/: the sources and the build's tsconfig chain.
    for (const name of [
      "package.json",
      "README.md",
      "LICENSE",
      "tsconfig.base.json",
      "tsconfig.build.json",
      "src",
    ]) {
      cpSync(join(ROOT, name), join(dir.path, name), { recursive: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(dir.path, "node_modules"), "dir");
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--foreground-scripts"], {
      cwd: dir.path,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Anything the prepack build prints comes before the JSON report.
    const report = JSON.parse(out.slice(out.search(/^\[/m))) as [{ files: { path: string }[] }];
    files = report[0].files.map((f) => f.path).sort();
  }, 180_000);
  afterAll(() => dir.cleanup());

  it("ships the license, the readme and a fresh build of every export and the bin", () => {
    expect(files).toContain("LICENSE");
    expect(files).toContain("README.md");
    expect(files).toContain("dist/index.js");
    const targets = [
      ...Object.values(pkg.exports).flatMap((t) =>
        typeof t === "string" ? [t] : Object.values(t),
      ),
      ...Object.values(pkg.bin),
    ].map((t) => posix.normalize(t));
    for (const target of targets) expect(files).toContain(target);
    // Built by prepack in the copy, not taken from a stale dist/.
    expect(existsSync(join(dir.path, "dist/index.js"))).toBe(true);
    expect(files.filter((f) => /^(src|test|node_modules)\//.test(f))).toEqual([]);
  });

  it("ships no source map whose sources are missing", () => {
    const readMap = (path: string) => readFileSync(join(dir.path, path), "utf8");
    expect(unresolvedSourceMaps(files, readMap)).toEqual([]);
    // Negative control: a map pointing at the unshipped src/ is caught.
    const maps: Record<string, string> = {
      "dist/x.js.map": JSON.stringify({ sources: ["../src/x.ts"] }),
    };
    expect(unresolvedSourceMaps([...files, "dist/x.js.map"], (p) => maps[p] ?? readMap(p))).toEqual(
      ["dist/x.js.map -> src/x.ts"],
    );
  });

  it("has a repository, an MIT license and a prepack build", () => {
    expect(pkg.repository).toEqual({
      type: "git",
      url: "git+https://github.com/vite-rolling/vite-rolling.git",
    });
    expect(pkg.license).toBe("MIT");
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(/^MIT License/);
    expect(pkg.scripts.prepack).toContain("npm run build");
  });
});

describe("package.json ranges", () => {
  it("claims the Vite majors the suite builds with, vite optional (servers never import it)", () => {
    expect(pkg.peerDependencies.vite).toBe(`>=${Math.min(...VITE_MAJORS)}`);
    expect(pkg.peerDependenciesMeta.vite?.optional).toBe(true);
    for (const major of VITE_MAJORS) {
      const name = major === 8 ? "vite" : `vite${major}`;
      const installed = JSON.parse(
        readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8"),
      ) as { version: string };
      expect(semver.major(installed.version)).toBe(major);
      expect(semver.satisfies(installed.version, pkg.peerDependencies.vite!)).toBe(true);
    }
  });

  it("every optional peer is installed for the suite at the range it claims", () => {
    const peers = [
      "ioredis",
      "redis",
      "aws4fetch",
      "express",
      "fastify",
      "koa",
      "hono",
      "nunjucks",
    ];
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual([...peers, "vite"].sort());
    for (const name of peers) {
      expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
      const range = pkg.peerDependencies[name]!;
      const installed = JSON.parse(
        readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8"),
      ) as { version: string };
      expect(semver.satisfies(installed.version, range), `${name}@${installed.version}`).toBe(true);
      // The claim starts at the tested major, not below it: the oldest major may be installed
      // under an alias (`ioredis5`: npm:ioredis@^5), which the store contract runs against too.
      const floor = semver.minVersion(range)!;
      const aliasPath = join(ROOT, "node_modules", `${name}${semver.major(floor)}`, "package.json");
      const oldest = existsSync(aliasPath)
        ? (JSON.parse(readFileSync(aliasPath, "utf8")) as { version: string }).version
        : installed.version;
      expect(semver.major(floor), name).toBe(semver.major(oldest));
      expect(pkg.devDependencies[name], name).toBeDefined();
    }
  });

  it("installs on the oldest Node the engines field allows without EBADENGINE", () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(oldest).toBe("20.19.0");
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, LockPackage>;
    };
    expect(enginesExcluding(oldest, lock.packages)).toEqual([]);
    // Negative control: the cookie@2 that light-my-request@6.8 brought in (overridden now).
    expect(
      enginesExcluding(oldest, {
        "node_modules/cookie": { version: "2.0.2", engines: { node: ">=22" } },
      }),
    ).toEqual(["node_modules/cookie@2.0.2 needs node >=22"]);
  });
});
