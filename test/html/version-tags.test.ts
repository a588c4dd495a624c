// renderVersionTags: the meta tag, the inline script, escaping, and the config it passes.
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { STALE_CLIENT_SCRIPT } from "../../src/client/stale-client.generated.js";
import { renderVersionTags } from "../../src/html/version-tags.js";

/** Runs the rendered inline script in a bare VM and returns what it installed. */
function run(html: string) {
  const match = /<script[^>]*>([\s\S]*)<\/script>$/.exec(html);
  if (!match) throw new Error(`no inline script in ${html}`);
  const listeners: string[] = [];
  const target = { addEventListener: (name: string) => listeners.push(name) };
  const window: Record<string, unknown> = { ...target };
  runInNewContext(match[1]!, {
    window,
    document: target,
    addEventListener: target.addEventListener,
  });
  return { window, listeners };
}

describe("renderVersionTags", () => {
  it("renders the meta tag and the script with the config and nonce", () => {
    const html = renderVersionTags({ version: "3f2a9c", mismatch: "reload", nonce: "r4nd0m" });
    expect(html).toBe(
      `<meta name="app-version" content="3f2a9c">\n<script nonce="r4nd0m">{const __viteRollingConfig={"version":"3f2a9c","mismatch":"reload"};${STALE_CLIENT_SCRIPT}}</script>`,
    );
  });

  it("renders only the meta tag for mismatch: ignore", () => {
    expect(renderVersionTags({ version: "v1", mismatch: "ignore", nonce: "n" })).toBe(
      `<meta name="app-version" content="v1">`,
    );
  });

  it("passes a custom header name, and leaves the default out", () => {
    expect(renderVersionTags({ version: "v", mismatch: "warn", header: "X-Release" })).toContain(
      `{"version":"v","mismatch":"warn","header":"X-Release"}`,
    );
    expect(
      renderVersionTags({ version: "v", mismatch: "warn", header: "x-app-version" }),
    ).toContain(`{"version":"v","mismatch":"warn"}`);
  });

  it("escapes attributes and keeps hostile versions inside the script as data", () => {
    const version = `"></script><script>alert(1)</script><!--\u2028\u2029'&`;
    const html = renderVersionTags({ version, mismatch: "reload", nonce: `n"onload="x` });
    expect(html).toContain(
      `content="&quot;&gt;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--\u2028\u2029&#39;&amp;"`,
    );
    expect(html).toContain(`<script nonce="n&quot;onload=&quot;x">`);
    // One script element: the only "</script" is its end tag; no line terminators in the JS.
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(html.split("<script")[1]).not.toMatch(/[\u2028\u2029]|<!--/);
    // The config round-trips: the script sees exactly the version rendered.
    const { window, listeners } = run(html);
    expect(window.__viteRolling).toEqual({ version });
    expect(listeners).toEqual(
      expect.arrayContaining(["htmx:configRequest", "htmx:before:response", "vite:preloadError"]),
    );
  });

  it("installs once per document", () => {
    const html = renderVersionTags({ version: "one", mismatch: "reload" });
    const { window } = run(html);
    const again = /<script>([\s\S]*)<\/script>$/.exec(
      renderVersionTags({ version: "two", mismatch: "reload" }),
    )![1]!;
    const listeners: string[] = [];
    runInNewContext(again, {
      window,
      document: { addEventListener: (name: string) => listeners.push(name) },
    });
    expect(window.__viteRolling).toEqual({ version: "one" });
    expect(listeners).toEqual([]);
  });
});
