import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CACHE_BUST_LABEL, cacheBustToken, verifyBearer } from "../../src/http/bust-token.js";

const SECRET = "s3cret-key";
const TOKEN = createHmac("sha256", SECRET).update("vite-rolling:cache-bust").digest("hex");

describe("cacheBustToken", () => {
  it("is the hex HMAC-SHA256 of the fixed label keyed by the secret", () => {
    expect(CACHE_BUST_LABEL).toBe("vite-rolling:cache-bust");
    expect(cacheBustToken(SECRET)).toBe(TOKEN);
    expect(cacheBustToken("other")).not.toBe(TOKEN);
    expect(() => cacheBustToken("")).toThrow(/non-empty secret: set SECRET_KEY/);
  });
});

describe("verifyBearer", () => {
  it.each([
    ["no header", undefined, "missing"],
    ["null header", null, "missing"],
    ["empty header", "", "missing"],
    ["right token", `Bearer ${TOKEN}`, "ok"],
    ["scheme in any case, extra spaces", `bearer   ${TOKEN} `, "ok"],
    ["single-element array", [`Bearer ${TOKEN}`], "ok"],
    ["wrong token, same length", `Bearer ${"0".repeat(64)}`, "invalid"],
    ["token of another secret", `Bearer ${cacheBustToken("other")}`, "invalid"],
    ["short token", "Bearer abc", "invalid"],
    ["token one char longer", `Bearer ${TOKEN}0`, "invalid"],
    ["multibyte token of equal char length", `Bearer ${"é".repeat(64)}`, "invalid"],
    ["wrong scheme", `Basic ${TOKEN}`, "malformed"],
    ["scheme only", "Bearer", "malformed"],
    ["scheme and space only", "Bearer ", "malformed"],
    ["two tokens", `Bearer ${TOKEN} ${TOKEN}`, "malformed"],
    ["token without scheme", TOKEN, "malformed"],
    ["very long header", `Bearer ${"a".repeat(100_000)}`, "malformed"],
    ["two headers", [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`], "malformed"],
  ] as const)("%s → %s", (_, header, expected) => {
    expect(verifyBearer(header as string | string[] | null | undefined, SECRET)).toBe(expected);
  });
});
