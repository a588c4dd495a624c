/**
 * Preload links: `vr.preloadLinks` / `vr.linkHeader`, their caps, and how the request helpers
 * add them to a response (Link header, 103 Early Hints) over real HTTP on node:http.
 */
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { viteRolling as nodeAdapter } from "../../src/adapters/node.js";
import { isSafeLinkParam, linkTarget } from "../../src/html/link-header.js";
import { createViteRolling } from "../../src/index.js";
import type { Manifest } from "../../src/manifest/types.js";
import type { ViteRollingOptions } from "../../src/options.js";
import type { ViteRolling } from "../../src/types.js";
import { tempDir } from "../helpers/tmp.js";

// main: two CSS files (its import's, then its own) and a chain of five imported chunks.
const MANIFEST: Manifest = {
  "src/main.ts": {
    file: "assets/main-1.js",
    isEntry: true,
    imports: ["_a.js", "_b.js"],
    css: ["assets/main-1.css"],
    integrity: "sha384-main",
  },
  "_a.js": { file: "assets/a-1.js", imports: ["_c.js"], css: ["assets/a-1.css"] },
  "_b.js": { file: "assets/b-1.js", imports: ["_c.js", "_d.js"] },
  "_c.js": { file: "assets/c-1.js" },
  "_d.js": { file: "assets/d-1.js", imports: ["_e.js"] },
  "_e.js": { file: "assets/e-1.js" },
  "src/admin.ts": { file: "assets/admin-1.js", isEntry: true, imports: ["_c.js", "_f.js"] },
  "_f.js": { file: "assets/f-1.js" },
  "src/theme.css": { file: "assets/theme-1.css", isEntry: true, src: "src/theme.css" },
};

const dir = tempDir("delivery-links");
afterAll(() => dir.cleanup());
const manifestPath = join(dir.path, "manifest.json");
writeFileSync(manifestPath, JSON.stringify(MANIFEST));

async function ready(options: Partial<ViteRollingOptions> = {}): Promise<ViteRolling> {
  const vr = createViteRolling({ manifestPath, dev: false, cache: false, ...options });
  await vr.ready();
  return vr;
}

const ALL = [
  '</assets/a-1.css>; rel=preload; as=style; crossorigin; nonce="abc"',
  '</assets/main-1.css>; rel=preload; as=style; crossorigin; nonce="abc"',
  '</assets/main-1.js>; rel=modulepreload; crossorigin; integrity="sha384-main"; nonce="abc"',
  '</assets/c-1.js>; rel=modulepreload; crossorigin; nonce="abc"',
  '</assets/a-1.js>; rel=modulepreload; crossorigin; nonce="abc"',
  '</assets/e-1.js>; rel=modulepreload; crossorigin; nonce="abc"',
  '</assets/d-1.js>; rel=modulepreload; crossorigin; nonce="abc"',
  '</assets/b-1.js>; rel=modulepreload; crossorigin; nonce="abc"',
];

describe("preloadLinks and linkHeader", () => {
  it("lists stylesheets, the entry's script, then its imports, as its tags carry them", async () => {
    const vr = await ready();
    expect(vr.preloadLinks("src/main.ts", { nonce: "abc" })).toEqual(ALL);
    expect(vr.linkHeader("src/main.ts", { nonce: "abc" })).toBe(ALL.join(", "));
    // Without a nonce, none; a CSS entry is a stylesheet preload.
    expect(vr.linkHeader(["src/theme.css"])).toBe(
      "</assets/theme-1.css>; rel=preload; as=style; crossorigin",
    );
  });

  it("shares files between entries, like the tags", async () => {
    const vr = await ready();
    const links = vr.preloadLinks(["src/main.ts", "src/admin.ts"]);
    expect(links.filter((l) => l.startsWith("</assets/c-1.js>"))).toHaveLength(1);
    expect(links.map((l) => l.slice(0, l.indexOf(">") + 1)).slice(2, 4)).toEqual([
      "</assets/main-1.js>",
      "</assets/admin-1.js>",
    ]);
  });

  it("caps the count: the head of the list, never half a link", async () => {
    const vr = await ready({ linkHeaderMaxCount: 3 });
    expect(vr.preloadLinks("src/main.ts", { nonce: "abc" })).toEqual(ALL.slice(0, 3));
  });

  it("caps the bytes, nonce included, separators included", async () => {
    const full = ALL.slice(0, 3).join(", ").length;
    const exact = await ready({ linkHeaderMaxBytes: full });
    expect(exact.linkHeader("src/main.ts", { nonce: "abc" })).toBe(ALL.slice(0, 3).join(", "));
    const short = await ready({ linkHeaderMaxBytes: full - 1 });
    expect(short.preloadLinks("src/main.ts", { nonce: "abc" })).toEqual(ALL.slice(0, 2));
    // A longer nonce leaves room for fewer links.
    const long = "n".repeat(40);
    expect(exact.preloadLinks("src/main.ts", { nonce: long })).toHaveLength(2);
    expect(Buffer.byteLength(exact.linkHeader("src/main.ts", { nonce: long }))).toBeLessThanOrEqual(
      full,
    );
  });

  it("follows the attributes hook, so a preload matches its tag", async () => {
    const vr = await ready({
      integrity: false,
      attributes: (kind) =>
        kind === "script"
          ? { crossorigin: "use-credentials", referrerpolicy: "no-referrer", "data-x": "1" }
          : kind === "stylesheet"
            ? { crossorigin: false }
            : {},
    });
    const links = vr.preloadLinks("src/main.ts");
    expect(links[0]).toBe("</assets/a-1.css>; rel=preload; as=style");
    expect(links[2]).toBe(
      '</assets/main-1.js>; rel=modulepreload; crossorigin="use-credentials"; referrerpolicy="no-referrer"',
    );
    // A value no header can carry drops the link (the tag still loads the file).
    const odd = await ready({
      attributes: (kind) => (kind === "modulepreload" ? { referrerpolicy: "a;b" } : {}),
    });
    expect(odd.preloadLinks("src/main.ts")).toHaveLength(3);
  });

  it("sends none for a nonce a header cannot carry, and says so once", async () => {
    const warnings: string[] = [];
    const vr = await ready({ logger: { warn: (m) => warnings.push(m) } });
    expect(vr.preloadLinks("src/main.ts", { nonce: 'a"b' })).toEqual([]);
    expect(vr.linkHeader("src/main.ts", { nonce: "a b" })).toBe("");
    // (A hand-written manifest has no build record: the sidecar warning is not this test's.)
    expect(warnings.filter((w) => !w.includes("[sidecar]"))).toEqual([
      '[vite-rolling] [render] the CSP nonce "a\\"b" cannot go in a Link header (spaces, quotes, commas, semicolons or backslashes); no preload links are sent. Fix: use a base64 nonce, e.g. crypto.randomBytes(16).toString("base64").',
    ]);
    // The tags still carry it, escaped.
    expect(vr.scripts("src/main.ts", { nonce: 'a"b' })).toContain('nonce="a&quot;b"');
  });

  it("is empty in dev mode", async () => {
    const vr = createViteRolling({ manifestPath, dev: true, cache: false });
    expect(vr.preloadLinks("src/main.ts")).toEqual([]);
    expect(vr.linkHeader("src/main.ts")).toBe("");
  });

  it("encodes what a header cannot carry in a URL, and checks parameters", () => {
    expect(linkTarget("https://cdn.example.com/a b/é>.js")).toBe(
      "https://cdn.example.com/a%20b/%C3%A9%3E.js",
    );
    expect(["sha384-ab+/=", "r4nd0m=="].every(isSafeLinkParam)).toBe(true);
    expect(['a"', "a;b", "a,b", "a b", "a\\b", "é"].some(isSafeLinkParam)).toBe(false);
  });
});

/** A node:http server whose page calls `preload`, then the tags, as a template would. */
async function serve(
  vr: ViteRolling,
  page: (vite: NonNullable<Awaited<ReturnType<ReturnType<typeof nodeAdapter>>>>) => string,
): Promise<{ url: string; server: Server }> {
  const handle = nodeAdapter(vr, { nonce: () => "abc" });
  const server = createServer(async (req, res) => {
    const vite = await handle(req, res);
    if (!vite) return;
    res.setHeader("content-type", "text/html");
    res.end(page(vite));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function get(url: string): Promise<{ res: IncomingMessage; hints: string[] }> {
  return new Promise((resolve, reject) => {
    const hints: string[] = [];
    const req = request(url, (res) => {
      res.resume();
      res.on("end", () => resolve({ res, hints }));
    });
    req.on("information", (info) => hints.push(`${info.statusCode} ${info.headers.link}`));
    req.on("error", reject);
    req.end();
  });
}

describe("a response's preload links", () => {
  it("are capped across preload(), styles() and scripts(), each link once", async () => {
    const theme = '</assets/theme-1.css>; rel=preload; as=style; crossorigin; nonce="abc"';
    const maxBytes = [theme, ...ALL.slice(0, 4)].join(", ").length + 10;
    const vr = await ready({ linkHeader: true, earlyHints: true, linkHeaderMaxBytes: maxBytes });
    const { url, server } = await serve(vr, (vite) => {
      vite.preload("src/theme.css");
      return vite.styles(["src/main.ts"]) + vite.scripts(["src/main.ts", "src/admin.ts"]);
    });
    try {
      const { res, hints } = await get(`${url}/`);
      expect(hints).toEqual([`103 ${theme}`]);
      const sent = String(res.headers.link).split(", ");
      expect(sent).toEqual([theme, ...ALL.slice(0, 4)]);
      expect(String(res.headers.link).length).toBeLessThanOrEqual(maxBytes);
    } finally {
      server.close();
    }
  });

  it("stay off with linkHeader and earlyHints off (the defaults)", async () => {
    const vr = await ready();
    const { url, server } = await serve(vr, (vite) => {
      vite.preload("src/main.ts");
      return vite.styles("src/main.ts") + vite.scripts("src/main.ts");
    });
    try {
      const { res, hints } = await get(`${url}/`);
      expect([hints, res.headers.link]).toEqual([[], undefined]);
    } finally {
      server.close();
    }
  });

  it("early hints alone: a 103, and no Link on the page", async () => {
    const vr = await ready({ earlyHints: true, linkHeaderMaxCount: 2 });
    const { url, server } = await serve(vr, (vite) => {
      vite.preload("src/main.ts");
      return vite.scripts("src/main.ts");
    });
    try {
      const { res, hints } = await get(`${url}/`);
      expect(hints).toEqual([`103 ${ALL.slice(0, 2).join(", ")}`]);
      expect(res.headers.link).toBeUndefined();
    } finally {
      server.close();
    }
  });
});
