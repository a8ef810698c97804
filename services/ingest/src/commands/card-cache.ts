// Tokenized cards as ingest sees them (brand, last four, expiry, owner — never the sealed
// number), kept in a bounded in-process cache: a card is written once (CardTokenized, version 1)
// and never changes, so a copy read once can be served until it is evicted. Only hits are kept —
// a miss may be a card the projections have not caught up with yet (read-your-writes), so it is
// asked again next time.

import { BoundedCache, jsonSizeOf } from '@paystream/core';
import type { CardRef, ReadQueries } from '@paystream/projections';

export interface CardCacheOptions {
  /** Default 50,000 cards. */
  readonly maxEntries?: number;
  /** Default 32 MiB (a card weighs about 0.5 KiB as counted). */
  readonly maxBytes?: number;
}

export class CardCache implements Pick<ReadQueries, 'card' | 'catchUp'> {
  readonly #queries: ReadQueries;
  readonly #cache: BoundedCache<string, CardRef>;

  constructor(queries: ReadQueries, options: CardCacheOptions = {}) {
    this.#queries = queries;
    this.#cache = new BoundedCache<string, CardRef>({
      maxEntries: options.maxEntries ?? 50_000,
      maxBytes: options.maxBytes ?? 32 * 1024 * 1024,
      sizeOf: jsonSizeOf,
    });
  }

  get cache(): BoundedCache<string, CardRef> {
    return this.#cache;
  }

  async card(tenantId: string, cardId: string): Promise<CardRef | null> {
    const key = `${tenantId}\u0000${cardId}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const found = await this.#queries.card(tenantId, cardId);
    if (found !== null) this.#cache.set(key, found);
    return found;
  }

  catchUp(timeoutMs: number): Promise<boolean> {
    return this.#queries.catchUp(timeoutMs);
  }
}
