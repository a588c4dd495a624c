/** How every adapter applies the core's result: at once when settled, after the promise else. */
import { describe, expect, it } from "vitest";
import type { Answer } from "../../src/http/contract.js";
import { settle } from "../../src/http/settle.js";

const ANSWER: Answer = { status: 200, headers: {}, body: "x" };
const answer = (a: string, b: string, x: Answer) => `answer ${a}${b} ${x.status}`;
const proceed = (a: string, b: string) => `proceed ${a}${b}`;

describe("settle", () => {
  it("answers or proceeds synchronously when the core's result is settled", () => {
    expect(settle(ANSWER, "a", "b", answer, proceed)).toBe("answer ab 200");
    expect(settle(null, "a", "b", answer, proceed)).toBe("proceed ab");
  });

  it("waits for a promise: its answer, or the application's turn when it resolves to null", async () => {
    const late = settle(Promise.resolve(ANSWER), "a", "b", answer, proceed);
    expect(late).toBeInstanceOf(Promise);
    expect(await late).toBe("answer ab 200");
    expect(await settle(Promise.resolve(null), "a", "b", answer, proceed)).toBe("proceed ab");
  });

  it("carries a rejection to the adapter, calling neither side", async () => {
    const called: string[] = [];
    const result = settle(
      Promise.reject(new Error("registry down")),
      "a",
      "b",
      () => called.push("answer"),
      () => called.push("proceed"),
    );
    await expect(result).rejects.toThrow("registry down");
    expect(called).toEqual([]);
  });
});
