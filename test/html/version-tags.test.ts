// renderVersionTags: the meta tags, the inline script, escaping, and the config it passes.
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { STALE_CLIENT_SCRIPT } from "../../src/client/stale-client.generated.js";
import {
  compileVersionTags,
  renderVersionTags,
  VersionTagsCache,
} from "../../src/html/version-tags.js";

/** Runs the rendered inline script in a bare VM and returns what it installed. */
function run(html: string, window: Record<string, unknown> = {}) {
  const match = /<script[^>]*>([\s\S]*)<\/script>$/.exec(html);
  if (!match) throw new Error(`no inline script in ${html}`);
  const listeners: string[] = [];
  const intervals: number[] = [];
  const addEventListener = (name: string) => listeners.push(name);
  Object.assign(window, { addEventListener });
  runInNewContext(match[1]!, {
    window,
    document: { addEventListener },
    location: { href: "http://x/" },
    setInterval: (_: unknown, ms: number) => intervals.push(ms),
  });
  return { window, listeners, intervals };
}

/** The config object the page declares. */
function configOf(html: string): unknown {
  const json = /const __viteRollingConfig=(\{.*?\});/.exec(html)?.[1];
  return json === undefined ? undefined : JSON.parse(json);
}

describe("renderVersionTags", () => {
  it("renders the version meta, the CSP nonce meta Vite reads, and the script under the nonce", () => {
    const html = renderVersionTags({ version: "3f2a9c", mismatch: "reload", nonce: "r4nd0m" });
    expect(html).toBe(
      `<meta name="app-version" content="3f2a9c">\n<meta property="csp-nonce" nonce="r4nd0m">\n<script nonce="r4nd0m">{const __viteRollingConfig={"version":"3f2a9c","mismatch":"reload"};${STALE_CLIENT_SCRIPT}}</script>`,
    );
  });

  it("renders no CSP meta without a nonce", () => {
    const html = renderVersionTags({ version: "v", mismatch: "reload" });
    expect(html).not.toContain("csp-nonce");
    expect(html.startsWith(`<meta name="app-version" content="v">\n<script>{`)).toBe(true);
  });

  it("renders no script for mismatch: ignore, the CSP meta still (lazy CSS needs it)", () => {
    expect(renderVersionTags({ version: "v1", mismatch: "ignore" })).toBe(
      `<meta name="app-version" content="v1">`,
    );
    expect(renderVersionTags({ version: "v1", mismatch: "ignore", nonce: "n" })).toBe(
      `<meta name="app-version" content="v1">\n<meta property="csp-nonce" nonce="n">`,
    );
  });

  it("passes the script's settings that differ from its defaults, and leaves defaults out", () => {
    const base = { version: "v", mismatch: "warn" } as const;
    expect(configOf(renderVersionTags(base))).toEqual(base);
    expect(
      configOf(
        renderVersionTags({
          ...base,
          header: "x-app-version",
          pollInterval: 60_000,
          versionUrl: "/version",
          formRestore: true,
        }),
      ),
    ).toEqual(base);
    expect(
      configOf(
        renderVersionTags({
          ...base,
          header: "X-Release",
          pollInterval: 0,
          versionUrl: "/app/version",
          formRestore: false,
        }),
      ),
    ).toEqual({
      ...base,
      header: "X-Release",
      pollInterval: 0,
      versionUrl: "/app/version",
      formRestore: false,
    });
  });

  it("rejects a poll interval setInterval would run at once, and a version URL off this origin", () => {
    for (const pollInterval of [-1, 1.5, Number.NaN, 2 ** 31])
      expect(() => new VersionTagsCache({ pollInterval })).toThrow(
        expect.objectContaining({
          code: "ERR_OPTIONS",
          message: expect.stringContaining("pollInterval must be a whole number of milliseconds"),
        }),
      );
    for (const versionUrl of ["version", "//evil.example/v", "/\\evil.example", "https://x/v"])
      expect(() => renderVersionTags({ version: "v", mismatch: "reload", versionUrl })).toThrow(
        `versionUrl must be a path starting with a single "/", received "${versionUrl.replace(/\\/g, "\\\\")}"`,
      );
  });

  it("compiles once: a render splices in the nonce and nothing else changes", () => {
    const input = { version: "v", mismatch: "reload", pollInterval: 5000 } as const;
    const compiled = compileVersionTags(input);
    expect(compiled.render("a")).toBe(renderVersionTags({ ...input, nonce: "a" }));
    expect(compiled.render("b")).toBe(compiled.render("a").replaceAll('nonce="a"', 'nonce="b"'));
    expect(compiled.render()).toBe(renderVersionTags(input));
    const cache = new VersionTagsCache({ formRestore: false });
    expect(configOf(cache.render("v2", "reload"))).toEqual({
      version: "v2",
      mismatch: "reload",
      formRestore: false,
    });
  });

  it("escapes attributes and keeps hostile versions inside the script as data", () => {
    const version = `"></script><script>alert(1)</script><!--\u2028\u2029'&`;
    const html = renderVersionTags({ version, mismatch: "reload", nonce: `n"onload="x` });
    expect(html).toContain(
      `content="&quot;&gt;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--\u2028\u2029&#39;&amp;"`,
    );
    expect(html).toContain(`<meta property="csp-nonce" nonce="n&quot;onload=&quot;x">`);
    expect(html).toContain(`<script nonce="n&quot;onload=&quot;x">`);
    // One script element: the only "</script" is its end tag; no line terminators in the JS.
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(html.split("<script")[1]).not.toMatch(/[\u2028\u2029]|<!--/);
    // The config round-trips: the script sees exactly the version rendered.
    const { window, listeners, intervals } = run(html);
    expect(window.__viteRolling).toEqual({ version });
    expect(listeners).toEqual(
      expect.arrayContaining([
        "DOMContentLoaded",
        "htmx:configRequest",
        "htmx:before:response",
        "vite:preloadError",
        "click",
        "visibilitychange",
      ]),
    );
    expect(intervals).toEqual([60_000]);
  });

  it("polls at the configured interval, and not at all with pollInterval: 0", () => {
    expect(
      run(renderVersionTags({ version: "v", mismatch: "reload", pollInterval: 5000 })),
    ).toMatchObject({
      intervals: [5000],
    });
    const off = run(renderVersionTags({ version: "v", mismatch: "reload", pollInterval: 0 }));
    expect(off.intervals).toEqual([]);
    expect(off.listeners).not.toContain("visibilitychange");
  });

  it("installs once per document", () => {
    const { window } = run(renderVersionTags({ version: "one", mismatch: "reload" }));
    const again = run(renderVersionTags({ version: "two", mismatch: "reload" }), window);
    expect(window.__viteRolling).toEqual({ version: "one" });
    expect(again.listeners).toEqual([]);
  });
});
