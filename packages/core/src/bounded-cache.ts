// A least-recently-used cache with two stated bounds, entries and bytes (the caller says what an
// entry weighs). For things that never change once written — a tokenized card, a vault item —
// so an entry can be served for as long as it stays in; what is mutable does not belong here.
// Map keeps insertion order, so re-inserting on access moves an entry to the young end and the
// first key is always the least recently used.

export interface BoundedCacheOptions<V> {
  /** At most this many entries. */
  readonly maxEntries: number;
  /** At most this many bytes, as `sizeOf` counts them; an entry heavier than this is not kept. */
  readonly maxBytes: number;
  /** What an entry weighs, in bytes (an estimate is fine: it bounds memory, not billing). */
  readonly sizeOf: (value: V) => number;
}

export interface BoundedCacheStats {
  hits: number;
  misses: number;
  evictions: number;
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

export class BoundedCache<K, V> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly #sizeOf: (value: V) => number;
  readonly #map = new Map<K, { value: V; bytes: number }>();
  #bytes = 0;
  readonly #stats: BoundedCacheStats = { hits: 0, misses: 0, evictions: 0 };

  constructor(options: BoundedCacheOptions<V>) {
    this.maxEntries = positive(options.maxEntries, 'maxEntries');
    this.maxBytes = positive(options.maxBytes, 'maxBytes');
    this.#sizeOf = options.sizeOf;
  }

  get size(): number {
    return this.#map.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  stats(): BoundedCacheStats {
    return { ...this.#stats };
  }

  get(key: K): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined) {
      this.#stats.misses++;
      return undefined;
    }
    this.#stats.hits++;
    this.#map.delete(key);
    this.#map.set(key, e);
    return e.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.#sizeOf(value);
    if (!(bytes >= 0) || bytes > this.maxBytes) return;
    this.#map.set(key, { value, bytes });
    this.#bytes += bytes;
    while (this.#map.size > this.maxEntries || this.#bytes > this.maxBytes) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
      this.#stats.evictions++;
    }
  }

  delete(key: K): void {
    const e = this.#map.get(key);
    if (e === undefined) return;
    this.#map.delete(key);
    this.#bytes -= e.bytes;
  }

  clear(): void {
    this.#map.clear();
    this.#bytes = 0;
  }
}

/** A JSON-able value's weight: its JSON text's length, plus a fixed overhead per entry. */
export function jsonSizeOf(value: unknown): number {
  return 64 + 2 * JSON.stringify(value).length;
}
