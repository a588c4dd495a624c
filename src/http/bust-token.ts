import { createHmac, timingSafeEqual } from "node:crypto";
import { fail } from "../errors.js";

/** What the HMAC signs; fixed so the token only ever authorizes the cache-bust endpoint. */
export const CACHE_BUST_LABEL = "vite-rolling:cache-bust";

/** Longest Authorization header looked at; "Bearer " + 64 hex digits is 71. */
const MAX_HEADER = 1024;
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * The bearer token of `POST /cache/bust`: hex HMAC-SHA256 of a fixed label, keyed by the
 * secret. Deploy scripts derive it with `npx vite-rolling token`.
 *
 * @example cacheBustToken(process.env.SECRET_KEY!) // "5d41402abc4b2a76b9719d911017c592..."
 */
export function cacheBustToken(secret: string): string {
  if (typeof secret !== "string" || secret === "") {
    fail(
      "token",
      "the cache-bust token needs a non-empty secret: set SECRET_KEY or the `secret` option.",
      { code: "ERR_HTTP_NO_SECRET" },
    );
  }
  return createHmac("sha256", secret).update(CACHE_BUST_LABEL).digest("hex");
}

export type BearerCheck = "missing" | "malformed" | "invalid" | "ok";

/**
 * Checks an `Authorization` header against the cache-bust token. Never throws on input:
 * no header is "missing"; an oversized header, another scheme or no token is "malformed";
 * a wrong token is "invalid". The token comparison is constant-time (`timingSafeEqual`), so
 * response timing leaks nothing about how much of a guess was right.
 *
 * @example verifyBearer(req.headers.authorization, secret) === "ok"
 */
export function verifyBearer(
  header: string | readonly string[] | null | undefined,
  secret: string,
): BearerCheck {
  const expected = Buffer.from(cacheBustToken(secret), "utf8");
  if (header === undefined || header === null || header === "") return "missing";
  if (typeof header !== "string") {
    // Node joins repeated headers except a few; a framework may still hand over an array.
    if (header.length === 0) return "missing";
    if (header.length > 1 || typeof header[0] !== "string") return "malformed";
    return verifyBearer(header[0], secret);
  }
  if (header.length > MAX_HEADER) return "malformed";
  const match = BEARER.exec(header.trim());
  if (!match) return "malformed";
  const given = Buffer.from(match[1]!, "utf8");
  // timingSafeEqual throws on unequal lengths; compare the token with itself then, so both
  // paths do the same work, and answer "invalid".
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return "invalid";
  }
  return timingSafeEqual(given, expected) ? "ok" : "invalid";
}
