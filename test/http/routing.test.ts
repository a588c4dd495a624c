/** What every adapter's versionRouter applies: a decision turned into headers or a 409. */
import { describe, expect, it } from "vitest";
import type { RequestFacts } from "../../src/http/contract.js";
import { createRouting } from "../../src/http/routing.js";

const pinned = (headers: Record<string, string>): RequestFacts => ({
  method: "GET",
  path: "/",
  url: "/",
  headers,
});

describe("createRouting", () => {
  it("routes a live pin, expires a dead pin cookie on a navigation, answers 409 to an API call", () => {
    const route = createRouting(
      { versions: { "v1.0": "blue", "v1.1": "green" }, defaultVersion: "v1.1" },
      "test",
    );
    expect(route(pinned({ "x-app-requested-version": "v1.0" }))).toEqual({
      header: "x-backend-target",
      target: "blue",
      expireCookie: null,
    });
    expect(route(pinned({ cookie: "app_version=v0", accept: "text/html" }))).toEqual({
      header: "x-backend-target",
      target: "green",
      expireCookie: "app_version=; Path=/; Max-Age=0; SameSite=Lax",
    });
    expect(route(pinned({ "x-app-requested-version": "v0", "hx-request": "true" }))).toMatchObject({
      status: 409,
    });
    expect(route(pinned({}))).toBeNull();
  });

  it("refuses a target no header can carry, naming the version, instead of a 500 per request", () => {
    let target = "blue\r\nx-injected: 1";
    const route = createRouting(
      { versions: () => ({ "v1.0": target }), defaultVersion: "v1.0" },
      "test",
    );
    const request = pinned({ "x-app-requested-version": "v1.0" });
    expect(() => route(request)).toThrow(
      expect.objectContaining({
        code: "ERR_HTTP_ROUTE_TARGET",
        message: expect.stringContaining('the target of version "v1.0"'),
      }),
    );
    target = "blue";
    expect(route(request)).toMatchObject({ target: "blue" });
  });
});
