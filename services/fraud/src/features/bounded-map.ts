// A map with a hard bound on its size: least-recently-used eviction when full, and time-to-live
// eviction of keys idle longer than the TTL. Time is always the caller's event time, never the
// wall clock, so replaying the same events gives the same evictions.
//
// A JS Map iterates in insertion order, so deleting and re-inserting on every touch keeps the
// least recently used key at the front: eviction is O(1) and needs no linked list of our own.

export interface Timestamped {
  lastSeenMs: number;
}

/** How many idle entries one write may sweep; bounds the work any single event can cause. */
const MAX_TTL_SWEEP_PER_WRITE = 8;

export class BoundedMap<V extends Timestamped> {
  readonly #entries = new Map<string, V>();
  #evictedLru = 0;
  #evictedTtl = 0;

  constructor(
    readonly maxKeys: number,
    readonly ttlMs: number,
  ) {
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1)
      throw new RangeError(`maxKeys must be ≥ 1, got ${maxKeys}`);
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${ttlMs}`);
  }

  get size(): number {
    return this.#entries.size;
  }

  get evictions(): { lru: number; ttl: number } {
    return { lru: this.#evictedLru, ttl: this.#evictedTtl };
  }

  /** The live entry, or undefined when absent or idle past the TTL (an expired entry is dropped). */
  get(key: string, nowMs: number): V | undefined {
    const v = this.#entries.get(key);
    if (v === undefined) return undefined;
    if (nowMs - v.lastSeenMs > this.ttlMs) {
      this.#entries.delete(key);
      this.#evictedTtl += 1;
      return undefined;
    }
    return v;
  }

  /** Marks the key most recently used and enforces both bounds. */
  touch(key: string, value: V, nowMs: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    this.#sweep(nowMs);
    // The size bound is a hard limit: after every write it holds, whatever the TTL did.
    while (this.#entries.size > this.maxKeys) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
      this.#evictedLru += 1;
    }
  }

  #sweep(nowMs: number): void {
    let swept = 0;
    for (const [key, v] of this.#entries) {
      if (swept >= MAX_TTL_SWEEP_PER_WRITE || nowMs - v.lastSeenMs <= this.ttlMs) break;
      this.#entries.delete(key);
      this.#evictedTtl += 1;
      swept += 1;
    }
  }

  /** Entries from least to most recently used. */
  entries(): IterableIterator<[string, V]> {
    return this.#entries.entries();
  }

  /** Rebuilds from entries in least-to-most-recent order; only the newest maxKeys are kept. */
  load(entries: readonly (readonly [string, V])[]): void {
    this.#entries.clear();
    const start = Math.max(0, entries.length - this.maxKeys);
    for (let i = start; i < entries.length; i += 1) {
      const [key, v] = entries[i]!;
      this.#entries.set(key, v);
    }
  }
}
