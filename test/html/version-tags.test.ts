// renderVersionTags: the meta tags, the script (inline or external), escaping, and the config
// it passes.
import { createHash } from "node:crypto";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { STALE_CLIENT_SCRIPT } from "../../src/client/stale-client.generated.js";
import { staleClientFile } from "../../src/html/stale-client-file.js";
import {
  compileVersionTags,
  renderVersionTags,
  VersionTagsCache,
} from "../../src/html/version-tags.js";

/** What an HTML parser gives for an attribute value's character references. */
function decodeAttribute(value: string): string {
  const named: Record<string, string> = { amp: "&", quot: '"', apos: "'", lt: "<", gt: ">" };
  return value.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi, (all, dec, hex, name) =>
    dec
      ? String.fromCodePoint(+dec)
      : hex
        ? String.fromCodePoint(parseInt(hex, 16))
        : (named[name] ?? all),
  );
}

/** The page's script element: its data-config as the browser reads it, and its text. */
function scriptOf(html: string): { config: string; src?: string; text: string } {
  // Attributes as the HTML tokenizer reads them: a quoted value may hold ">".
  const match =
    /<script((?:\s+[\w-]+(?:=(?:'[^']*'|"[^"]*"|[^\s>]*))?)*)>([\s\S]*)<\/script>$/.exec(html);
  if (!match) throw new Error(`no script in ${html}`);
  const attribute = (name: string) => {
    const m = new RegExp(` ${name}=(?:'([^']*)'|"([^"]*)")`).exec(match[1]!);
    return m ? decodeAttribute(m[1] ?? m[2]!) : undefined;
  };
  return { config: attribute("data-config")!, src: attribute("src"), text: match[2]! };
}

/**
 * Runs the page's script (its text, or the external file's for a `src`) in a bare VM, as the
 * browser would with that element as `document.currentScript`; returns what it installed.
 */
function run(html: string, window: Record<string, unknown> = {}) {
  const script = scriptOf(html);
  const listeners: string[] = [];
  const intervals: number[] = [];
  const addEventListener = (name: string) => listeners.push(name);
  Object.assign(window, { addEventListener });
  runInNewContext(script.src ? staleClientFile().body : script.text, {
    window,
    document: { addEventListener, currentScript: { dataset: { config: script.config } } },
    location: { href: "http://x/" },
    setInterval: (_: unknown, ms: number) => intervals.push(ms),
  });
  return { window, listeners, intervals };
}

/** The config object the page's script reads. */
function configOf(html: string): unknown {
  return JSON.parse(scriptOf(html).config);
}

describe("renderVersionTags", () => {
  it("renders the version meta, the CSP nonce meta Vite reads, and the script under the nonce", () => {
    const html = renderVersionTags({ version: "3f2a9c", mismatch: "reload", nonce: "r4nd0m" });
    expect(html).toBe(
      `<meta name="app-version" content="3f2a9c">\n<meta property="csp-nonce" nonce="r4nd0m">\n<script nonce="r4nd0m" data-config='{"version":"3f2a9c","mismatch":"reload"}'>${STALE_CLIENT_SCRIPT}</script>`,
    );
  });

  it("external: a short tag to the content-named file, pinned by its sha384", () => {
    const file = staleClientFile();
    expect(file.body).toBe(STALE_CLIENT_SCRIPT);
    expect(file.path).toMatch(/^\/__vite-rolling\/stale-client\.[0-9a-f]{12}\.js$/);
    const digest = createHash("sha384").update(STALE_CLIENT_SCRIPT).digest("base64");
    expect(file.integrity).toBe(`sha384-${digest}`);
    const html = renderVersionTags({
      version: "3f2a9c",
      mismatch: "reload",
      script: "external",
      nonce: "r4nd0m",
    });
    expect(html).toBe(
      `<meta name="app-version" content="3f2a9c">\n<meta property="csp-nonce" nonce="r4nd0m">\n<script nonce="r4nd0m" src="${file.path}" integrity="${file.integrity}" data-config='{"version":"3f2a9c","mismatch":"reload"}'></script>`,
    );
    // What every page carries instead of the script's ~3 KB.
    expect(
      Buffer.byteLength(
        renderVersionTags({ version: "3f2a9c", mismatch: "reload", script: "external" }),
      ),
    ).toBeLessThan(300);
    expect(run(html).window.__viteRolling).toEqual({ version: "3f2a9c" });
  });

  it("renders no CSP meta without a nonce", () => {
    const html = renderVersionTags({ version: "v", mismatch: "reload" });
    expect(html).not.toContain("csp-nonce");
    expect(html.startsWith(`<meta name="app-version" content="v">\n<script data-config=`)).toBe(
      true,
    );
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

  it.each(["inline", "external"] as const)(
    "%s: escapes attributes and keeps hostile versions as data",
    (script) => {
      const version = `"></script><script>alert(1)</script><!--\u2028\u2029'&`;
      const html = renderVersionTags({ version, mismatch: "reload", nonce: `n"onload="x`, script });
      expect(html).toContain(
        `content="&quot;&gt;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--\u2028\u2029&#39;&amp;"`,
      );
      expect(html).toContain(`<meta property="csp-nonce" nonce="n&quot;onload=&quot;x">`);
      expect(html).toContain(`<script nonce="n&quot;onload=&quot;x" `);
      // One script element: the only "</script" is its end tag; no line terminators in the JS.
      expect(html.match(/<\/script/gi)).toHaveLength(1);
      // The config stays inside its single-quoted attribute: no quote ends it, no "<" opens a tag.
      const raw = /data-config='([^']*)'/.exec(html)?.[1];
      expect(raw).toBeDefined();
      expect(raw).not.toMatch(/</);
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
    },
  );

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
