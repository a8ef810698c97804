// The key-lookup cache: every request authenticates, most with the same few keys, so a lookup
// is served from memory for at most `ttlMs`, found or not. Caching misses too means a flood of
// one bad key costs no store round trip (a flood of many different bad keys is the failure
// throttle's job). Bounded: at `maxEntries` the least recently used entry goes. The price of
// the TTL: a key revoked in another process (the CLI, another replica) is still accepted here
// for up to `ttlMs`; revocations made through this process drop their entry at once.

import type { Clock } from '@paystream/core';

export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expiresMs: number }>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs: number,
    readonly maxEntries: number = DEFAULT_CACHE_MAX_ENTRIES,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be ≥ 1');
  }

  /** The cached value, or undefined when absent or older than the TTL. */
  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.expiresMs <= this.clock.nowMs()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Map order is insertion order: re-inserting marks it most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, { value, expiresMs: this.clock.nowMs() + this.ttlMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
