// nginxConfig validation (nothing that could carry nginx syntax gets in), determinism, and the
// `vite-rolling proxy-config nginx` command over a real file registry.
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/command.js";
import proxyConfig, { parseCanary, parseUpstreams } from "../../src/cli/commands/proxy-config.js";
import { main } from "../../src/cli/main.js";
import { type NginxConfigOptions, nginxConfig } from "../../src/deploy/proxy-config.js";
import { ViteRollingError } from "../../src/errors.js";
import { resolveOptions } from "../../src/options.js";
import { openRegistry } from "../../src/registry/connect.js";
import { parseUpstream } from "../../src/registry/upstream.js";
import { testConfig } from "../helpers/nginx.js";
import { tempDir } from "../helpers/tmp.js";

const base: NginxConfigOptions = {
  releases: [
    { release: "A", upstream: "127.0.0.1:3001" },
    { release: "B", upstream: "127.0.0.1:3002" },
  ],
  defaultRelease: "A",
};

function rejects(extra: Partial<NginxConfigOptions>, message: string) {
  expect(() => nginxConfig({ ...base, ...extra })).toThrow(message);
}

describe("nginxConfig validation", () => {
  it.each([
    "A;",
    "A{",
    'A"',
    "A'",
    "A\nB",
    "A B",
    "~A",
    "$A",
    "A\\",
    "",
    "-A",
    "A}",
    "v1@abc",
    "1.0.0+build.7",
    "x".repeat(129),
  ])("refuses the release id %j, by the registry's one rule", (release) => {
    const error = (() => {
      try {
        nginxConfig({ ...base, releases: [{ release, upstream: "127.0.0.1:1" }] });
      } catch (e) {
        return e as ViteRollingError;
      }
    })();
    expect(error?.code).toBe("ERR_RELEASE_ID");
    expect(error?.message).toMatch(
      release === ""
        ? /release #1 has an empty id/
        : /release #1 .* (contains|starts with|is 129 characters).* Release ids are letters, digits, "\.", "_" and "-"/,
    );
  });

  it("accepts every id the registry accepts (the negative control)", () => {
    const release = `V1.2_3-rc${"x".repeat(119)}`;
    const config = nginxConfig({
      releases: [{ release, upstream: "127.0.0.1:1" }],
      defaultRelease: release,
    });
    expect(config).toContain(`    ${release} ${release};`);
  });

  it.each([
    ["127.0.0.1:1;", "is not an address"],
    ["127.0.0.1:1 }", "is not an address"],
    ["backend\nserver evil:1", "has an invalid host"],
    ["$host:80", "has an invalid host"],
    ['"x":80', "has an invalid host"],
    ["127.0.0.1:0", "has a port outside 1-65535"],
    ["127.0.0.1:70000", "has a port outside 1-65535"],
    ["unix:/run/a b.sock", "is not an address"],
    ["", "must be a non-empty string"],
  ])("refuses the upstream %j (%s)", (upstream, why) => {
    rejects({ releases: [{ release: "A", upstream }] }, `upstream of release "A" ${why}`);
  });

  it("accepts host:port, [v6]:port, unix sockets and upstream names", () => {
    expect(parseUpstream("app.internal:8080", "A")).toEqual({
      kind: "server",
      server: "app.internal:8080",
    });
    expect(parseUpstream("[::1]:80", "A")).toEqual({ kind: "server", server: "[::1]:80" });
    expect(parseUpstream("unix:/run/app.sock", "A")).toEqual({
      kind: "server",
      server: "unix:/run/app.sock",
    });
    expect(parseUpstream("backend_green", "A")).toEqual({ kind: "name", name: "backend_green" });
  });

  it("refuses inconsistent releases, defaults and canaries", () => {
    rejects({ releases: [] }, 'option "releases" must be a non-empty array');
    rejects(
      { releases: [...base.releases, { release: "a", upstream: "127.0.0.1:3" }] },
      'releases "A" and "a" collide: nginx matches pins case-insensitively',
    );
    rejects(
      { defaultRelease: "C" },
      'option "defaultRelease" must be one of the releases (A, B), received "C"',
    );
    rejects(
      { canary: { release: "C", percent: 5 } },
      'canary release must be one of the releases (A, B), received "C"',
    );
    rejects({ canary: { release: "A", percent: 5 } }, 'canary release "A" is the default release');
    for (const percent of [0, 100, -1, 10.555, Number.NaN]) {
      rejects(
        { canary: { release: "B", percent } },
        "canary percent must be a number above 0 and below 100",
      );
    }
    rejects(
      {
        releases: [
          { release: "A", upstream: "127.0.0.1:1", weight: 1 },
          { release: "B", upstream: "127.0.0.1:2" },
        ],
        canary: { release: "B", percent: 5 },
      },
      "pass either a canary or release weights, not both",
    );
    rejects(
      { releases: [{ release: "A", upstream: "127.0.0.1:1", weight: -1 }] },
      'weight of release "A" must be a number ≥ 0',
    );
  });

  it("refuses names that would break out of nginx syntax", () => {
    rejects({ header: "x_app" }, 'option "header" must be a header name');
    rejects({ header: "x-app; evil" }, 'option "header" must be a header name');
    rejects({ cookie: "app-version" }, 'option "cookie" must be letters, digits or _');
    rejects({ query: "dpl;" }, 'option "query" must be letters, digits or _');
    rejects({ splitKey: '$remote_addr"; }' }, 'option "splitKey" must be nginx variables only');
    rejects(
      { releaseHeader: "X-Release always; evil" },
      'option "releaseHeader" must be a header name',
    );
    rejects({ listen: "0.0.0.0:80; evil" }, 'option "listen" must be a port');
    rejects({ listen: 0 }, 'option "listen" must be a port');
  });

  it("never emits an unvalidated string: arbitrary ids and upstreams either fail or are plain", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (release, upstream) => {
        let config: string;
        try {
          config = nginxConfig({ releases: [{ release, upstream }], defaultRelease: release });
        } catch (error) {
          return error instanceof ViteRollingError;
        }
        return (
          /^[A-Za-z0-9._+-]+$/.test(release) &&
          /^[A-Za-z0-9._:/[\]-]+$/.test(upstream) &&
          !config.includes("\r")
        );
      }),
      { numRuns: 2000 },
    );
  });

  it("is deterministic", () => {
    const options = { ...base, canary: { release: "B", percent: 10 } };
    expect(nginxConfig(options)).toBe(nginxConfig(structuredClone(options)));
  });

  it("escapes release ids that are map keywords", () => {
    const config = nginxConfig({
      releases: [
        { release: "default", upstream: "127.0.0.1:1" },
        { release: "B", upstream: "127.0.0.1:2" },
      ],
      defaultRelease: "B",
    });
    expect(config).toContain("    \\default default;");
  });
});

describe("vite-rolling proxy-config", () => {
  let dir: { path: string; cleanup: () => void };
  beforeAll(() => {
    dir = tempDir("proxy-config-cli");
  });
  afterAll(() => dir?.cleanup());

  async function cli(argv: string[], cwd = dir.path) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd };
    const code = await main(argv, io, [proxyConfig]);
    return { code, out: out.join("\n"), err: err.join("\n") };
  }

  it("parses its flag values", () => {
    expect(parseUpstreams("A=127.0.0.1:1, B=backend_b")).toEqual([
      { release: "A", upstream: "127.0.0.1:1" },
      { release: "B", upstream: "backend_b" },
    ]);
    expect(() => parseUpstreams("A")).toThrow("--upstream takes RELEASE=host:port");
    expect(parseCanary("v42:10")).toEqual({ release: "v42", percent: 10 });
    expect(parseCanary("v:4.5%")).toEqual({ release: "v", percent: 4.5 });
    expect(() => parseCanary("v42")).toThrow("--canary takes RELEASE:PERCENT");
  });

  it("prints a config nginx accepts from --upstream flags", async () => {
    const { code, out, err } = await cli([
      "proxy-config",
      "nginx",
      "--upstream",
      "blue=127.0.0.1:3001,green=127.0.0.1:3002",
      "--default",
      "blue",
      "--canary",
      "green:10",
      "--listen",
      "8080",
      "--cookie",
      "rel",
    ]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toBe(
      nginxConfig({
        releases: [
          { release: "blue", upstream: "127.0.0.1:3001" },
          { release: "green", upstream: "127.0.0.1:3002" },
        ],
        defaultRelease: "blue",
        canary: { release: "green", percent: 10 },
        listen: 8080,
        cookie: "rel",
      }).trimEnd(),
    );
    await expect(testConfig(join(dir.path, "t-flags"), out)).resolves.toContain(
      "test is successful",
    );
  });

  it("reads releases with an upstream from the registry; the newest of them is the default", async () => {
    const cwd = join(dir.path, "app");
    const registry = openRegistry(resolveOptions({ manifestPath: "m.json" }, {}), cwd);
    try {
      await registry.register({ release: "r1", manifestText: "{}", upstream: "127.0.0.1:4001" });
      await registry.register({ release: "r2", manifestText: "{}", upstream: "127.0.0.1:4002" });
      await registry.register({ release: "r-no-upstream", manifestText: "{}" });
    } finally {
      await registry.close();
    }
    const { code, out, err } = await cli(["proxy-config", "nginx", "--listen", "9090"], cwd);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toContain("# Releases: r2, r1; default: r2.");
    expect(out).not.toContain("r-no-upstream");
    expect(out).toContain("listen 9090;");
  });

  it("fails in one line on an empty registry, a bad proxy name, or a bad upstream", async () => {
    const empty = await cli(["proxy-config", "nginx"], join(dir.path, "empty"));
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(
      /^vite-rolling proxy-config: .* has no release with an upstream \(0 release\(s\) in all\)/,
    );
    expect(await cli(["proxy-config", "haproxy"])).toMatchObject({
      code: 2,
      err: 'vite-rolling proxy-config: unknown proxy "haproxy": only "nginx" is supported (vite-rolling proxy-config nginx).',
    });
    const bad = await cli(["proxy-config", "nginx", "--upstream", "A=evil;host:1"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(
      'vite-rolling proxy-config: upstream of release "A" has an invalid host, received "evil;host:1".',
    );
    // A flag without its value is a usage error: exit 2, as in every command.
    expect(await cli(["proxy-config", "nginx", "--canary"])).toMatchObject({
      code: 2,
      err: "vite-rolling proxy-config: --canary needs a value; see vite-rolling proxy-config --help.",
    });
  });
});
