// Partition-local read-model state for the live projector. Every read-model item belongs to one
// events partition (tables.ts: aggregates and facts by their aggregate, balances split in
// shards per partition), and one consumer owns a partition at a time, so the owner is the only
// writer of its partitions' items: what it last wrote or read is what the store holds, and
// keeping it in memory saves a read per event.
//
// Write-through: items enter as the store answered a read or after a flush the store accepted
// in full; staged writes never do. Bounded in items and in bytes (least recently used first).
// A partition's items are dropped, so the next batch reads the store again:
//   * when the log revokes the partition (a rebalance, a lost lease or fenced commit, stop):
//     that is how another member's progress is known, since the partition can only move
//     through a revocation (the log port guarantees it comes before the partition's next
//     batch);
//   * when a batch starts before the end of the last settled one (a redelivery: our commit
//     failed). A batch starting after it is fine: logs leave gaps (Kafka transaction markers,
//     aborted records), and nobody else can have written meanwhile without a revocation;
//   * when a batch fails, or a write of it was refused as stale (a newer writer exists).

import { invariant } from '@paystream/core';
import type { Item, TableDef } from '@paystream/readstore';

export interface ItemCacheLimits {
  /** Items (absent keys included) kept over all partitions. */
  readonly maxItems: number;
  /** Estimated bytes kept over all partitions: JSON length of the items plus their keys. */
  readonly maxBytes: number;
}

/** 100,000 items or 64 MiB, whichever comes first: a few minutes of payments at 1,000/s. */
export const DEFAULT_ITEM_CACHE_LIMITS: ItemCacheLimits = {
  maxItems: 100_000,
  maxBytes: 64 * 1024 * 1024,
};

/** Bookkeeping per entry beyond its JSON (map slots, the entry object, the key string). */
const ENTRY_OVERHEAD_BYTES = 96;

interface Entry {
  readonly partition: PartitionState;
  readonly id: string;
  item: Item | null;
  bytes: number;
}

interface PartitionState {
  readonly name: string;
  /** The offset the next batch must start at for these items to hold (-1: any). */
  next: number;
  readonly ids: Set<string>;
}

export interface ItemCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  /** Partitions dropped (revoked, discontinuous, failed or stale). */
  drops: number;
}

/** One partition's items as a Work sees them (see Work's `shared` option). */
export interface PartitionItems {
  /** The item (null: known absent), or undefined when not cached. */
  lookup(table: TableDef, key: string): Item | null | undefined;
  /** What the store holds for that key now (after a read, or a flush it accepted). */
  remember(table: TableDef, key: string, item: Item | null): void;
}

export class PartitionItemCache {
  readonly limits: ItemCacheLimits;
  readonly stats: ItemCacheStats = { hits: 0, misses: 0, evictions: 0, drops: 0 };
  /** Every entry, least recently used first (Map keeps insertion order). */
  readonly #lru = new Map<string, Entry>();
  readonly #partitions = new Map<string, PartitionState>();
  #bytes = 0;

  constructor(limits: ItemCacheLimits = DEFAULT_ITEM_CACHE_LIMITS) {
    invariant(
      Number.isSafeInteger(limits.maxItems) && limits.maxItems >= 1,
      'item cache maxItems is a positive integer',
    );
    invariant(
      Number.isSafeInteger(limits.maxBytes) && limits.maxBytes >= 1,
      'item cache maxBytes is a positive integer',
    );
    this.limits = limits;
  }

  get size(): number {
    return this.#lru.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The partition's items for a batch starting at `firstOffset`: dropped first when the batch
   * starts before the end of the last settled one (a redelivery).
   */
  begin(partition: string, firstOffset: number): PartitionItems {
    let p = this.#partitions.get(partition);
    if (p !== undefined && p.next !== -1 && firstOffset < p.next) {
      this.drop(partition);
      p = undefined;
    }
    if (p === undefined) {
      p = { name: partition, next: -1, ids: new Set() };
      this.#partitions.set(partition, p);
    }
    const state = p;
    return {
      lookup: (table, key) => this.#lookup(state, table, key),
      remember: (table, key, item) => this.#remember(state, table, key, item),
    };
  }

  /** After a batch's writes were all accepted: the next batch must start at `nextOffset`. */
  settle(partition: string, nextOffset: number): void {
    const p = this.#partitions.get(partition);
    if (p !== undefined) p.next = nextOffset;
  }

  /** Forgets a partition's items. */
  drop(partition: string): void {
    const p = this.#partitions.get(partition);
    if (p === undefined) return;
    this.#partitions.delete(partition);
    for (const id of p.ids) {
      const e = this.#lru.get(id);
      if (e === undefined) continue;
      this.#lru.delete(id);
      this.#bytes -= e.bytes;
    }
    this.stats.drops += 1;
  }

  dropAll(): void {
    for (const name of [...this.#partitions.keys()]) this.drop(name);
  }

  #lookup(p: PartitionState, table: TableDef, key: string): Item | null | undefined {
    if (this.#partitions.get(p.name) !== p) return undefined; // dropped while a batch ran
    const id = `${p.name}\u0001${table.name}\u0001${key}`;
    const e = this.#lru.get(id);
    if (e === undefined) {
      this.stats.misses += 1;
      return undefined;
    }
    this.stats.hits += 1;
    this.#lru.delete(id);
    this.#lru.set(id, e);
    return e.item;
  }

  #remember(p: PartitionState, table: TableDef, key: string, item: Item | null): void {
    if (this.#partitions.get(p.name) !== p) return; // dropped while a batch ran
    const id = `${p.name}\u0001${table.name}\u0001${key}`;
    const bytes = ENTRY_OVERHEAD_BYTES + id.length + (item === null ? 0 : JSON.stringify(item).length);
    const old = this.#lru.get(id);
    if (old !== undefined) {
      this.#lru.delete(id);
      this.#bytes -= old.bytes;
    }
    this.#lru.set(id, { partition: p, id, item, bytes });
    p.ids.add(id);
    this.#bytes += bytes;
    this.#evict();
  }

  #evict(): void {
    while (this.#lru.size > this.limits.maxItems || this.#bytes > this.limits.maxBytes) {
      const oldest = this.#lru.values().next();
      if (oldest.done) break;
      const e = oldest.value;
      this.#lru.delete(e.id);
      e.partition.ids.delete(e.id);
      this.#bytes -= e.bytes;
      this.stats.evictions += 1;
    }
  }
}
