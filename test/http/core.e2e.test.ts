/**
 * The framework-neutral core: pure pieces with plain data, request decisions with a real
 * engine over a real build. The adapters' HTTP behaviour is in adapter-http.test.ts.
 */
import { renameSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createViteRolling } from "../../src/engine/front.js";
import { redirectTarget } from "../../src/http/answers.js";
import { cacheBustToken } from "../../src/http/bust-token.js";
import type { Answer, RequestFacts } from "../../src/http/contract.js";
import { createHttpCore } from "../../src/http/core.js";
import { injectVersionTags } from "../../src/http/inject.js";
import type { ViteRolling } from "../../src/types.js";
import { isSafeHeaderValue } from "../../src/util/safe-header-value.js";
import { viteRolling as vitePlugin } from "../../src/vite/plugin.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

/** A target that is its own Content-Encoding. */
const identity = (encoding: unknown) => encoding;

describe("injectVersionTags", () => {
  const TAGS = '<meta name="app-version" content="v1">';
  it.each([
    [
      "before </head>",
      "<html><head><title>t</title></head><body></body></html>",
      `<html><head><title>t</title>${TAGS}</head><body></body></html>`,
    ],
    ["any case of </HEAD >", "<HTML><HEAD></HEAD ></HTML>", `<HTML><HEAD>${TAGS}</HEAD ></HTML>`],
    [
      "the first </head> only",
      "<head></head><template><head></head></template>",
      `<head>${TAGS}</head><template><head></head></template>`,
    ],
  ])("inserts %s", (_label, html, expected) => {
    expect(injectVersionTags(html, () => TAGS)).toBe(expected);
  });

  it.each([
    ["no head", "<li>fragment</li>"],
    ["a version meta already", '<head><meta name="app-version" content="v0"></head>'],
    ["an unquoted version meta", "<head><META content=v0 NAME=app-version></head>"],
  ])("leaves a page with %s unchanged", (_label, html) => {
    expect(injectVersionTags(html, () => TAGS)).toBe(html);
  });

  it("renders the tags only for a page that gets them, with the nonce given", () => {
    const asked: (string | undefined)[] = [];
    const tags = (nonce: string | undefined) => {
      asked.push(nonce);
      return TAGS;
    };
    injectVersionTags("<li>fragment</li>", tags, "n1");
    injectVersionTags('<head><meta name="app-version" content="v0"></head>', tags, "n2");
    expect(asked).toEqual([]);
    injectVersionTags("<head></head>", tags, "n3");
    expect(asked).toEqual(["n3"]);
  });
});

describe("redirectTarget", () => {
  it.each([
    ["/page?tab=2", "/page?tab=2"],
    // A protocol-relative target would send the user to another site.
    ["//evil.example/x?y=1", "/evil.example/x?y=1"],
    ["/\\evil.example/x", "/evil.example/x"],
    // Absolute-form request targets (RFC 9112 §3.2.2) keep only path and query.
    ["http://other.example/p?q=1", "/p?q=1"],
    ["/é ü", "/%C3%A9%20%C3%BC"],
    // Dot segments that reduce to a protocol-relative path (issue 12).
    ["/a/..//evil.example/x", "/evil.example/x"],
    ["/%2e%2e//evil.example/x", "/evil.example/x"],
    ["http://host//evil.example/x", "/evil.example/x"],
    ["javascript:alert(1)", "/"],
  ])("%s → %s", (url, expected) => {
    expect(redirectTarget(url)).toBe(expected);
    expect(isSafeHeaderValue(expected)).toBe(true);
  });
});

describe("isSafeHeaderValue", () => {
  it.each(["v1.2.3", "abc123def456", "2024-01-01 build 7"])("accepts %j", (value) => {
    expect(isSafeHeaderValue(value)).toBe(true);
  });
  it.each(["", "v1\r\nSet-Cookie: x=1", "v1\n", " v1", "v1 ", "vé", "v\u0000"])(
    "refuses %j",
    (value) => {
      expect(isSafeHeaderValue(value)).toBe(false);
    },
  );
});

/** A delegating view of the real engine with some methods replaced (a failing registry, ...). */
function withOverrides(vr: ViteRolling, overrides: Partial<ViteRolling>): ViteRolling {
  return new Proxy(vr, {
    get(target, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof ViteRolling];
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("createHttpCore", () => {
  const work = tempDir("http-core");
  let manifestPath: string;
  const SECRET = "core-secret";
  const warnings: string[] = [];
  const make = (options: Parameters<typeof createViteRolling>[0] | object = {}): ViteRolling =>
    createViteRolling({
      manifestPath,
      dev: false,
      registryDir: join(work.path, "registry"),
      logger: { warn: (m: string) => warnings.push(m) },
      ...options,
    });
  const request = (facts: Partial<RequestFacts>): RequestFacts => ({
    method: "GET",
    path: "/page",
    url: "/page",
    headers: {},
    ...facts,
  });

  beforeAll(async () => {
    const built = await buildApp(
      work.path,
      { "src/main.ts": "console.log(1);\n" },
      { plugins: [vitePlugin()], build: { rollupOptions: { input: "src/main.ts" } } },
    );
    manifestPath = built.manifestPath;
  });
  afterAll(() => work.cleanup());

  describe("configuration errors at creation", () => {
    it.each([
      [
        "options instead of the engine",
        () => createHttpCore({ manifestPath: "x" } as never, {}, "express"),
        "[vite-rolling] [express] viteRolling(vr) expects the object createViteRolling() returns, received an object. Fix: const vr = createViteRolling({ manifestPath }); then pass vr.",
      ],
      [
        "a misspelt option",
        () => createHttpCore(make(), { injet: false } as never, "koa"),
        '[vite-rolling] [koa] unknown adapter option "injet". Did you mean "inject"?',
      ],
      [
        "an engine option given to the adapter",
        () => createHttpCore(make(), { secret: "s" } as never, "fastify"),
        '[vite-rolling] [fastify] option "secret" belongs to createViteRolling({ secret }), not to the adapter, which takes only inject, nonce, env.',
      ],
      [
        "an ill-typed option",
        () => createHttpCore(make(), { nonce: "abc" } as never, "hono"),
        '[vite-rolling] [hono] option "nonce" must be a function or null, received "abc".',
      ],
      [
        "one path for both endpoints",
        () => createHttpCore(make({ cacheBustPath: "/version" })),
        '[vite-rolling] [http] options "versionPath" and "cacheBustPath" are both "/version". Fix: give them different paths.',
      ],
    ])("%s", (_label, create, message) => {
      expect(create).toThrow(message);
      expect(create).toThrow(expect.objectContaining({ code: "ERR_OPTIONS" }));
    });
  });

  it("turns /cache/bust on with SECRET_KEY in the environment createViteRolling saw", async () => {
    const bust = request({ method: "POST", path: "/cache/bust", url: "/cache/bust" });
    const saved = process.env.SECRET_KEY;
    delete process.env.SECRET_KEY;
    const without = make();
    process.env.SECRET_KEY = SECRET;
    try {
      const withKey = make();
      await Promise.all([without.ready(), withKey.ready()]);
      expect(createHttpCore(without).handle(bust)).toBeNull();
      const authorized = {
        ...bust,
        headers: { authorization: `Bearer ${cacheBustToken(SECRET)}` },
      };
      expect((await createHttpCore(withKey).handle(authorized))?.status).toBe(200);
    } finally {
      if (saved === undefined) delete process.env.SECRET_KEY;
      else process.env.SECRET_KEY = saved;
    }
  });

  it("binds helpers to their request: each reads its own nonce at render, even taken off the object", async () => {
    const vr = make();
    await vr.ready();
    const core = createHttpCore(vr);
    const source = { nonce: (req: { nonce: string }) => req.nonce, hints: () => null };
    const first = { nonce: "one" };
    const second = { nonce: "two" };
    const helpers = core.helpersFor(source, first, undefined);
    const other = core.helpersFor(source, second, undefined);
    // Handlebars and Mustache call a helper without its object.
    const { scripts, nonce } = helpers;
    expect(scripts("src/main.ts")).toBe(vr.scripts("src/main.ts", { nonce: "one" }));
    first.nonce = "later";
    expect(nonce()).toBe("later");
    expect(other.scripts("src/main.ts")).toBe(vr.scripts("src/main.ts", { nonce: "two" }));
    expect(other.nonce()).toBe("two");
  });

  it("turns /cache/bust on with SECRET_KEY alone, off without a secret", async () => {
    const vr = make();
    await vr.ready();
    const bust = request({ method: "POST", path: "/cache/bust", url: "/cache/bust" });
    expect(createHttpCore(vr, { env: {} }).handle(bust)).toBeNull();
    expect(createHttpCore(vr, { env: { SECRET_KEY: "" } }).handle(bust)).toBeNull();
    const on = createHttpCore(vr, { env: { SECRET_KEY: SECRET } });
    expect((await on.handle(bust))?.status).toBe(401);
    const authorized = { ...bust, headers: { authorization: `Bearer ${cacheBustToken(SECRET)}` } };
    expect((await on.handle(authorized))?.status).toBe(200);
  });

  it("answers 503 with the reason when the reload fails, and keeps serving", async () => {
    const vr = make({ secret: SECRET });
    await vr.ready();
    const core = createHttpCore(vr);
    const page = vr.scripts("src/main.ts");
    const moved = `${manifestPath}.moved`;
    renameSync(manifestPath, moved);
    try {
      const answer = (await core.handle(
        request({
          method: "POST",
          path: "/cache/bust",
          url: "/cache/bust",
          headers: { authorization: `Bearer ${cacheBustToken(SECRET)}` },
        }),
      )) as Answer;
      expect(answer.status).toBe(503);
      expect(answer.headers["retry-after"]).toBe("5");
      expect(JSON.parse(String(answer.body))).toMatchObject({
        ok: false,
        error: "reload failed",
        reason: expect.stringContaining("manifest"),
      });
      expect(vr.scripts("src/main.ts")).toBe(page);
    } finally {
      renameSync(moved, manifestPath);
    }
  });

  it("still answers /version when the registry fails, saying so", async () => {
    const vr = make();
    await vr.ready();
    const failing = withOverrides(vr, {
      releases: () => Promise.reject(new Error("registry down")),
    });
    const answer = (await createHttpCore(failing).handle(request({ path: "/version" }))) as Answer;
    expect(answer.status).toBe(200);
    expect(JSON.parse(String(answer.body))).toMatchObject({
      releases: [],
      registryError: "registry down",
    });
  });

  describe("stale clients", () => {
    let core: ReturnType<typeof createHttpCore>;
    let version: string;
    beforeAll(async () => {
      const vr = make();
      await vr.ready();
      core = createHttpCore(vr);
      version = vr.appVersion();
    });
    const htmx = (headers: Record<string, string>, method = "GET") =>
      core.handle(
        request({ method, url: "/page?x=1", headers: { "hx-request": "true", ...headers } }),
      );

    it.each([
      ["a boosted navigation", { "hx-boosted": "true" }, { "hx-redirect": "/page?x=1" }],
      [
        "a history restore",
        { "hx-history-restore-request": "true" },
        { "hx-redirect": "/page?x=1" },
      ],
      [
        "an htmx 4 full-page request",
        { "hx-request-type": "full" },
        { "hx-redirect": "/page?x=1" },
      ],
      ["a partial swap", {}, { "hx-refresh": "true" }],
    ])("%s goes where it belongs", (_label, headers, expected) => {
      const answer = htmx({ ...headers, "x-client-version": "old" }) as Answer;
      expect(answer).toEqual({
        status: 200,
        headers: {
          ...expected,
          "set-cookie": expect.stringMatching(
            /^vr_nav=[0-9a-z]+; Max-Age=60; Path=\/; HttpOnly; SameSite=Lax$/,
          ),
          vary: "HX-Request, X-Client-Version, Cookie",
          "cache-control": "no-store",
        },
        body: "",
      });
    });

    it("lets a stale POST through: refusing it would lose what the user sent", () => {
      expect(htmx({ "hx-boosted": "true", "x-client-version": "old" }, "POST")).toBeNull();
    });

    it("decides nothing without a client version, or with the current one", () => {
      expect(htmx({ "hx-boosted": "true" })).toBeNull();
      expect(htmx({ "hx-boosted": "true", "x-client-version": "" })).toBeNull();
      expect(htmx({ "hx-boosted": "true", "x-client-version": version })).toBeNull();
      expect(core.handle(request({ headers: { "x-client-version": "old" } }))).toBeNull();
    });

    it("sends a stale Inertia visit to a full visit, not to another site", () => {
      const answer = core.handle(
        request({
          url: "//evil.example/p",
          headers: { "x-inertia": "true", "x-inertia-version": "old" },
        }),
      ) as Answer;
      expect([answer.status, answer.headers["x-inertia-location"]]).toEqual([
        409,
        "/evil.example/p",
      ]);
      const current = { "x-inertia": "true", "x-inertia-version": version };
      expect(core.handle(request({ headers: current }))).toBeNull();
    });

    it("is off with staleRedirect: false", async () => {
      const vr = make({ staleRedirect: false });
      await vr.ready();
      const off = createHttpCore(vr);
      const stale = { "hx-request": "true", "hx-boosted": "true", "x-client-version": "old" };
      expect(off.handle(request({ headers: stale }))).toBeNull();
    });
  });

  it("drops an app version no header can carry, warning once", async () => {
    const vr = make();
    await vr.ready();
    const core = createHttpCore(withOverrides(vr, { appVersion: () => "v1\nboom" }));
    warnings.length = 0;
    expect(core.responseHeaders()).toEqual({});
    expect(core.responseHeaders()).toEqual({});
    expect(warnings).toEqual([
      '[vite-rolling] [http] app version "v1\\nboom" is not a valid header value; X-App-Version is not sent.',
    ]);
  });

  it("injects nothing with inject: false or appVersionMismatch: ignore", async () => {
    const html = "<html><head></head></html>";
    for (const [options, inject] of [
      [{}, {}],
      [{}, { inject: false }],
      [{ appVersionMismatch: "ignore" }, {}],
    ] as const) {
      const vr = make(options);
      await vr.ready();
      const core = createHttpCore(vr, inject);
      const expected = Object.keys(options).length + Object.keys(inject).length === 0;
      expect(core.inject(html) !== html).toBe(expected);
      expect(core.injectable("text/html; charset=utf-8", undefined, identity)).toBe(expected);
    }
  });

  it("never injects into compressed or non-HTML bodies, reading the encoding only for HTML", async () => {
    const vr = make();
    await vr.ready();
    const core = createHttpCore(vr);
    expect(core.injectable("text/html", "gzip", identity)).toBe(false);
    expect(core.injectable("application/json", undefined, identity)).toBe(false);
    expect(core.injectable(undefined, undefined, identity)).toBe(false);
    expect(core.injectable("TEXT/HTML", "identity", identity)).toBe(true);
    const read: unknown[] = [];
    const encodingOf = (target: unknown) => {
      read.push(target);
      return "gzip";
    };
    expect(core.injectable("application/json", "json", encodingOf)).toBe(false);
    expect(core.injectable("text/html", "page", encodingOf)).toBe(false);
    expect(read).toEqual(["page"]);
  });
});
