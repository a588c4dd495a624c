// createVersionRouter().decide: pin precedence, 409 vs fallback, options validation.
import { describe, expect, it } from "vitest";
import {
  createVersionRouter,
  isNavigation,
  readCookie,
  type VersionRequest,
} from "../../src/http/version-router.js";

const versions = { "v1.0": "backend-blue", "v1.1": "backend-green" };
const router = createVersionRouter({ versions, defaultVersion: "v1.1" });

const NAVIGATION = { accept: "text/html,application/xhtml+xml", "sec-fetch-mode": "navigate" };
const HTMX = { accept: "text/html", "hx-request": "true", "sec-fetch-mode": "cors" };

function request(partial: Partial<VersionRequest>): VersionRequest {
  return { method: "GET", url: "/", headers: {}, ...partial };
}

describe("decide: precedence", () => {
  it("routes a header pin", () => {
    expect(router.decide(request({ headers: { "x-app-requested-version": "v1.0" } }))).toEqual({
      action: "route",
      version: "v1.0",
      target: "backend-blue",
      source: "header",
    });
  });

  it("routes a ?dpl= pin, and a cookie pin (from cookieHeader or headers.cookie)", () => {
    expect(router.decide(request({ url: "/page?x=1&dpl=v1.0#top" }))).toMatchObject({
      version: "v1.0",
      source: "query",
    });
    expect(router.decide(request({ cookieHeader: "a=1; app_version=v1.0; b=2" }))).toMatchObject({
      version: "v1.0",
      source: "cookie",
    });
    expect(router.decide(request({ headers: { cookie: "app_version=v1.0" } }))).toMatchObject({
      version: "v1.0",
      source: "cookie",
    });
  });

  it("header beats query beats cookie; the first pin present decides", () => {
    const all = {
      headers: { "x-app-requested-version": "v1.1", cookie: "app_version=v1.0" },
      url: "/?dpl=v1.0",
    };
    expect(router.decide(request(all))).toMatchObject({ version: "v1.1", source: "header" });
    expect(
      router.decide(request({ url: "/?dpl=v1.1", headers: { cookie: "app_version=v1.0" } })),
    ).toMatchObject({ version: "v1.1", source: "query" });
    // An unknown header pin is not rescued by a live cookie: the client asked for it.
    expect(
      router.decide(
        request({
          headers: { ...HTMX, "x-app-requested-version": "v0", cookie: "app_version=v1.0" },
        }),
      ),
    ).toMatchObject({ action: "conflict", body: { requested: "v0" } });
  });

  it("passes when nothing is pinned (empty values count as absent)", () => {
    expect(router.decide(request({}))).toEqual({ action: "pass" });
    expect(
      router.decide(
        request({
          url: "/?dpl=",
          headers: { "x-app-requested-version": " ", cookie: "app_version=" },
        }),
      ),
    ).toEqual({ action: "pass" });
  });

  it("reads custom names; the header name is case-insensitive", () => {
    const custom = createVersionRouter({
      versions,
      defaultVersion: "v1.0",
      header: "X-Release",
      query: "release",
      cookie: "rel",
      targetHeader: "X-Upstream",
    });
    expect(custom.targetHeader).toBe("x-upstream");
    expect(custom.decide(request({ headers: { "x-release": "v1.1" } }))).toMatchObject({
      version: "v1.1",
    });
    expect(custom.decide(request({ url: "/?release=v1.1" }))).toMatchObject({ version: "v1.1" });
    expect(custom.decide(request({ cookieHeader: "rel=v1.1" }))).toMatchObject({ version: "v1.1" });
    expect(custom.decide(request({ url: "/?dpl=v1.1" }))).toEqual({ action: "pass" });
  });
});

describe("decide: unknown pins", () => {
  const unknown = { cookieHeader: "app_version=v0.9" };

  it.each([
    ["htmx", HTMX],
    ["X-Requested-With", { accept: "text/html", "x-requested-with": "XMLHttpRequest" }],
    ["fetch (Sec-Fetch-Mode cors)", { accept: "text/html", "sec-fetch-mode": "cors" }],
    ["JSON client", { accept: "application/json" }],
    ["no Accept at all", {}],
  ])("answer 409 with the live versions to %s", (_, headers) => {
    expect(router.decide(request({ ...unknown, headers }))).toEqual({
      action: "conflict",
      status: 409,
      body: {
        error: 'version "v0.9" is not live; pin one of "available" or drop the pin',
        requested: "v0.9",
        available: ["v1.0", "v1.1"],
      },
    });
  });

  it.each([
    ["Sec-Fetch-Mode navigate", NAVIGATION],
    ["a browser without Fetch Metadata", { accept: "text/html,*/*;q=0.8" }],
    ["a navigating form POST", { ...NAVIGATION }],
  ])("fall back to the default version for %s (never a lockout)", (label, headers) => {
    const method = label.includes("POST") ? "POST" : "GET";
    expect(router.decide(request({ ...unknown, method, headers }))).toEqual({
      action: "route",
      version: "v1.1",
      target: "backend-green",
      source: "default",
      fallback: { requested: "v0.9", from: "cookie" },
    });
  });
});

describe("decide: dynamic versions", () => {
  it("follows the versions function per decision", () => {
    let live: Record<string, string> = { a: "up-a" };
    const dynamic = createVersionRouter({ versions: () => live, defaultVersion: "a" });
    expect(dynamic.decide(request({ url: "/?dpl=b", headers: HTMX }))).toMatchObject({
      action: "conflict",
    });
    live = { a: "up-a", b: "up-b" };
    expect(dynamic.decide(request({ url: "/?dpl=b", headers: HTMX }))).toMatchObject({
      action: "route",
      target: "up-b",
    });
    // The default gone from the map: a navigation with a dead pin is served where it landed.
    live = { b: "up-b" };
    expect(dynamic.decide(request({ url: "/?dpl=zz", headers: NAVIGATION }))).toEqual({
      action: "pass",
    });
  });

  it("does not take inherited properties for versions", () => {
    expect(router.decide(request({ url: "/?dpl=constructor", headers: HTMX }))).toMatchObject({
      action: "conflict",
    });
    expect(router.decide(request({ url: "/?dpl=__proto__", headers: NAVIGATION }))).toMatchObject({
      source: "default",
    });
  });
});

describe("options validation", () => {
  const cases: [string, unknown, string][] = [
    ["no options", undefined, "createVersionRouter expects an options object, received nothing"],
    [
      "a typo",
      { versions, defaultVersion: "v1.1", cookies: "x" },
      'unknown option "cookies". Did you mean "cookie"?',
    ],
    [
      "versions missing",
      { defaultVersion: "v1.1" },
      'option "versions" must be a function or an object of version → upstream, received nothing.',
    ],
    [
      "empty versions",
      { versions: {}, defaultVersion: "v1.1" },
      'option "versions" must be a function or a non-empty object of version → upstream, received {}.',
    ],
    ["an empty upstream", { versions: { a: "" }, defaultVersion: "a" }, 'version "a" has "".'],
    [
      "defaultVersion missing",
      { versions },
      'option "defaultVersion" must be a non-empty string, received nothing.',
    ],
    [
      "defaultVersion not live",
      { versions, defaultVersion: "v2" },
      'option "defaultVersion" "v2" is not one of the versions (v1.0, v1.1): add it to "versions" or pick one of them.',
    ],
    [
      "a header name with a space",
      { versions, defaultVersion: "v1.1", header: "x app" },
      'option "header" must be a header-safe name',
    ],
    [
      "a cookie name with ;",
      { versions, defaultVersion: "v1.1", cookie: "a;b" },
      'option "cookie" must be a header-safe name',
    ],
  ];
  it.each(cases)("rejects %s", (_, options, message) => {
    expect(() => createVersionRouter(options as never)).toThrow(message);
    expect(() => createVersionRouter(options as never)).toThrow(
      /^\[vite-rolling\] \[version-router\] /,
    );
  });

  it("accepts a versions function without calling it at creation", () => {
    let calls = 0;
    createVersionRouter({
      versions: () => {
        calls++;
        return {};
      },
      defaultVersion: "x",
    });
    expect(calls).toBe(0);
  });
});

describe("helpers", () => {
  it("readCookie takes the first match, unquotes and decodes", () => {
    expect(readCookie('x=1; app_version="v%201"; app_version=v2', "app_version")).toBe("v 1");
    expect(readCookie("app_version_2=v; app_version=%E0%A4%A", "app_version")).toBe("%E0%A4%A");
    expect(readCookie(undefined, "app_version")).toBeUndefined();
  });

  it("isNavigation: htmx beats navigate headers; Sec-Fetch-Mode beats Accept", () => {
    expect(isNavigation({ headers: { ...NAVIGATION, "hx-request": "true" } })).toBe(false);
    expect(
      isNavigation({ headers: { accept: "application/json", "sec-fetch-mode": "navigate" } }),
    ).toBe(true);
    expect(isNavigation({ headers: { accept: "text/html", "sec-fetch-mode": "no-cors" } })).toBe(
      false,
    );
  });
});
