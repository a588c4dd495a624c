/** Timing and reporting helpers shared by every figure. */

/** Nanoseconds since an arbitrary origin, as a bigint (`process.hrtime.bigint`). */
export const now = (): bigint => process.hrtime.bigint();

/** Milliseconds between two `now()` readings. */
export function msSince(start: bigint, end: bigint = now()): number {
  return Number(end - start) / 1e6;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median absolute deviation relative to the median, in percent: how noisy the samples were. */
export function spread(values: readonly number[]): number {
  const m = median(values);
  if (!Number.isFinite(m) || m === 0) return Number.NaN;
  return (median(values.map((v) => Math.abs(v - m))) / m) * 100;
}

/**
 * Where results go so the JIT cannot drop the work that made them. Every figure folds its
 * outputs in and prints the sink at the end.
 */
export class Sink {
  #value = 0;

  /** Folds in a string's length and one of its characters (reading it forces it to exist). */
  string(s: string, salt = 0): void {
    const at = s.length === 0 ? 0 : salt % s.length;
    this.#value = (Math.imul(this.#value ^ s.length, 0x01000193) + s.charCodeAt(at)) | 0;
  }

  number(n: number): void {
    this.#value = (Math.imul(this.#value, 31) + (n | 0)) | 0;
  }

  get value(): string {
    return (this.#value >>> 0).toString(16).padStart(8, "0");
  }
}

export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return "n/a";
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/** A difference in ms with its sign: "+1.2 ms", "−0.8 ms". */
export function formatDeltaMs(ms: number): string {
  return `${ms >= 0 ? "+" : "−"}${formatMs(Math.abs(ms))}`;
}

export function formatRatio(ratio: number, digits = 2): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(digits)}×` : "n/a";
}

export function formatInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
}

/** Rotates `items` by `round`, so no contender always runs first (or last) in a round. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = round % Math.max(items.length, 1);
  return [...items.slice(k), ...items.slice(0, k)];
}
