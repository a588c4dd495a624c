import { describe, expect, it } from "vitest";
import { ViteRollingError } from "../../src/errors.js";
import { createViteRolling } from "../../src/index.js";
import { createViteRollingWith } from "../../src/internal.js";
import { optionsFromEnv, resolveOptions } from "../../src/options.js";

const ENV = {
  RELEASE_VERSION: "r-env",
  APP_VERSION: "v-env",
  SECRET_KEY: "s-env",
  REDIS_URL: "redis://127.0.0.1:6379/0",
  NODE_ENV: "production",
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ViteRollingError);
    return (error as ViteRollingError).code;
  }
  return undefined;
}

describe("resolveOptions reads the environment once", () => {
  it("fills release, appVersion, secret, redis and dev from it", () => {
    const o = resolveOptions({ manifestPath: "m.json" }, ENV);
    expect(o).toMatchObject({
      release: "r-env",
      appVersion: "v-env",
      secret: "s-env",
      redis: "redis://127.0.0.1:6379/0",
      dev: false,
    });
    // Negative control: an empty environment leaves the defaults.
    expect(resolveOptions({ manifestPath: "m.json" }, {})).toMatchObject({
      release: "",
      appVersion: "",
      secret: null,
      redis: null,
      dev: true,
    });
  });

  it("lets options win over the environment", () => {
    const o = resolveOptions(
      { manifestPath: "m.json", release: "r1", appVersion: "v1", secret: "s1", redis: "redis://x" },
      ENV,
    );
    expect(o).toMatchObject({ release: "r1", appVersion: "v1", secret: "s1", redis: "redis://x" });
  });

  it("reads the release from the variable versionSetting names", () => {
    const env = { DEPLOY_ID: "d7", RELEASE_VERSION: "ignored" };
    expect(
      resolveOptions({ manifestPath: "m.json", versionSetting: "DEPLOY_ID" }, env).release,
    ).toBe("d7");
  });

  it("treats empty variables and an empty secret as unset", () => {
    const empty = { RELEASE_VERSION: "", APP_VERSION: "", SECRET_KEY: "", REDIS_URL: "" };
    expect(optionsFromEnv(empty)).toEqual({});
    const o = resolveOptions({ manifestPath: "m.json", secret: "" }, empty);
    expect(o).toMatchObject({ release: "", appVersion: "", secret: null, redis: null });
    // An empty secret option still takes SECRET_KEY (the seed's SECRET_KEY is always enough).
    expect(resolveOptions({ manifestPath: "m.json", secret: "" }, ENV).secret).toBe("s-env");
  });

  it("the front object uses the resolved options (seam: the test's own environment)", () => {
    const vr = createViteRollingWith({ manifestPath: "m.json" }, { env: ENV });
    expect(vr.release).toBe("r-env");
    expect(vr.appVersion()).toBe("v-env");
    expect(vr.options.secret).toBe("s-env");
    const plain = createViteRollingWith({ manifestPath: "m.json", dev: false }, { env: {} });
    expect(plain.appVersion()).toBe("unknown");
  });
});

describe("creation refuses what the registry would refuse later", () => {
  it("a bad release id throws at creation with ERR_RELEASE_ID", () => {
    expect(codeOf(() => createViteRolling({ manifestPath: "m.json", release: "a b" }))).toBe(
      "ERR_RELEASE_ID",
    );
    expect(() => createViteRolling({ manifestPath: "m.json", release: "a b" })).toThrow(
      /option "release" "a b" contains U\+0020/,
    );
    const fromEnv = () =>
      createViteRollingWith({ manifestPath: "m.json" }, { env: { RELEASE_VERSION: "x:meta" } });
    expect(codeOf(fromEnv)).toBe("ERR_RELEASE_ID");
    expect(fromEnv).toThrow(/release id \(RELEASE_VERSION\) "x:meta" contains ":"/);
    // Negative control: a plain id is fine.
    expect(
      codeOf(() => createViteRolling({ manifestPath: "m.json", release: "2024.06.01-3" })),
    ).toBe(undefined);
  });

  it("a key prefix the registry cannot use throws at creation", () => {
    expect(() => createViteRolling({ manifestPath: "m.json", cacheKeyPrefix: "{app}" })).toThrow(
      /cacheKeyPrefix must be a non-empty string without "\{" or "\}"/,
    );
    expect(codeOf(() => createViteRolling({ manifestPath: "m.json", cacheKeyPrefix: "app" }))).toBe(
      undefined,
    );
  });

  it("an app version a header cannot carry throws at creation, from the option or APP_VERSION", () => {
    expect(
      codeOf(() => createViteRolling({ manifestPath: "m.json", appVersion: "v1\r\nX: 1" })),
    ).toBe("ERR_OPTIONS");
    expect(() =>
      createViteRollingWith({ manifestPath: "m.json" }, { env: { APP_VERSION: " v1" } }),
    ).toThrow(/cannot be sent in a header/);
  });

  it("option errors carry ERR_OPTIONS", () => {
    expect(codeOf(() => createViteRolling({ manifestPath: "m.json", devServerPort: 0 }))).toBe(
      "ERR_OPTIONS",
    );
  });
});
