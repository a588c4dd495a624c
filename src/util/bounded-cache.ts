/**
 * Small bounded memories for request paths that an attacker can vary at will (issue 14): every
 * map here has a ceiling, and the oldest entry goes first (a Map iterates in insertion order).
 */

/** Values kept within a byte budget; a value over the budget on its own is not kept. */
export class ByteBudgetMap<V extends { readonly body: Uint8Array }> {
  readonly #values = new Map<string, V>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(key: string): V | undefined {
    return this.#values.get(key);
  }

  /** Keeps `value` under `key`, then drops the oldest values until the budget holds. */
  set(key: string, value: V): V {
    const had = this.#values.get(key);
    if (had) this.#bytes -= had.body.length;
    this.#values.delete(key);
    this.#values.set(key, value);
    this.#bytes += value.body.length;
    for (const [oldKey, old] of this.#values) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#values.delete(oldKey);
      this.#bytes -= old.body.length;
    }
    return value;
  }

  delete(key: string): void {
    const had = this.#values.get(key);
    if (!had) return;
    this.#bytes -= had.body.length;
    this.#values.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.#values.keys();
  }

  values(): IterableIterator<V> {
    return this.#values.values();
  }
}

/** Keys remembered until a deadline, at most `max` of them. */
export class ExpiringSet {
  readonly #until = new Map<string, number>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** Whether `key` was added and its deadline is still ahead of `now` (an expired one goes). */
  has(key: string, now: number): boolean {
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(key);
    return false;
  }

  /** Remembers `key` until `until`, dropping the oldest key when full. */
  add(key: string, until: number): void {
    this.#until.delete(key);
    if (this.#until.size >= this.#max) {
      const oldest = this.#until.keys().next().value;
      if (oldest !== undefined) this.#until.delete(oldest);
    }
    this.#until.set(key, until);
  }

  clear(): void {
    this.#until.clear();
  }
}
