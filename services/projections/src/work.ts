// The unit of work of one projected batch. Projections read items through it (cached, so a
// batch touches each item once) and stage writes; flush() writes the staged items in
// transactions of at most MAX_TRANSACTION_ITEMS, every one version-checked.
//
// Why a write can be refused: a redelivered batch after a crash, or a consumer that lost its
// partition but had not noticed yet, may write an item a newer writer already moved on. Every
// rule in tables.ts makes the content for a given version deterministic, so the newer item is
// right and the refused write is dropped (flush retries that chunk item by item).

import { invariant } from '@paystream/core';
import type { RecordPosition } from '@paystream/log';
import {
  type Item,
  type KeyInput,
  keyOf,
  MAX_BULK_LOAD_ITEMS,
  MAX_TRANSACTION_ITEMS,
  type ReadStore,
  type TableDef,
  type VersionedItem,
  type WriteOp,
} from '@paystream/readstore';
import type { Envelope, Payloads, PayloadType } from '@paystream/schemas';

export interface ProjectedEvent {
  readonly envelope: Envelope;
  readonly position: RecordPosition;
}

/** Narrows an envelope to one event type. */
export function isType<T extends PayloadType>(e: Envelope, type: T): e is Envelope<T> {
  return e.type === type;
}

export type Payload<T extends PayloadType> = Payloads[T];

export interface FlushStats {
  readonly written: number;
  /** Writes refused because the store already held that version or a newer one. */
  readonly stale: number;
}

/** Items kept cached across flushes (one partition's working set in replay). */
const MAX_CACHED_ITEMS = 500_000;

function cacheKey(table: TableDef, key: KeyInput): string {
  return `${table.name}\u0000${keyOf(table, key).join('\u0000')}`;
}

export class Work {
  readonly store: ReadStore;
  readonly #cache = new Map<string, Item | null>();
  readonly #staged = new Map<string, { table: TableDef; item: Item; version: number }>();

  /**
   * True when the store holds nothing this Work did not write itself (replay into a fresh
   * namespace, one partition per Work: items are single-partition by construction), so a
   * cache miss is known to be absent without asking the store.
   */
  #fresh: boolean;

  /**
   * True when this Work is the only writer of its items in the store (replay into a fresh
   * namespace, one partition per Work). Every staged item is then what the projections decided
   * from this Work's own view, so flush may write it unconditionally through the store's
   * bulkLoad (when it has one) instead of version-checked transactions.
   */
  readonly #bulk: boolean;

  constructor(store: ReadStore, options: { fresh?: boolean; bulk?: boolean } = {}) {
    this.store = store;
    this.#fresh = options.fresh ?? false;
    this.#bulk = (options.bulk ?? false) && typeof store.bulkLoad === 'function';
  }

  /** The item as this batch sees it: staged writes first, then the store. */
  async get(table: TableDef, key: KeyInput): Promise<Item | null> {
    const k = cacheKey(table, key);
    const cached = this.#cache.get(k);
    if (cached !== undefined) return cached;
    const item = this.#fresh ? null : await this.store.get(table, key);
    this.#cache.set(k, item);
    return item;
  }

  /** Stages a write of `item` at its version `item.v`. */
  put(table: TableDef, item: Item): void {
    const version = item.v;
    invariant(
      typeof version === 'number' && Number.isSafeInteger(version) && version > 0,
      'item.v is a version',
    );
    const k = cacheKey(table, item);
    this.#cache.set(k, item);
    this.#staged.set(k, { table, item, version });
  }

  /** Writes an immutable fact once (version 1); a fact already stored is left alone. */
  async putFact(table: TableDef, item: Item): Promise<boolean> {
    if ((await this.get(table, item)) !== null) return false;
    this.put(table, { ...item, v: 1 });
    return true;
  }

  get stagedCount(): number {
    return this.#staged.size;
  }

  async flush(): Promise<FlushStats> {
    if (this.#bulk) return this.#bulkFlush();
    const ops: WriteOp[] = [...this.#staged.values()].map((s) => ({
      type: 'putIfNewer',
      table: s.table,
      item: s.item,
      version: s.version,
    }));
    this.#staged.clear();
    if (this.#cache.size > MAX_CACHED_ITEMS) {
      // Flushed, so the store has them; from now on a miss must ask the store.
      this.#cache.clear();
      this.#fresh = false;
    }
    let written = 0;
    let stale = 0;
    for (let i = 0; i < ops.length; i += MAX_TRANSACTION_ITEMS) {
      const chunk = ops.slice(i, i + MAX_TRANSACTION_ITEMS);
      if (await this.store.transactWrite(chunk)) {
        written += chunk.length;
        continue;
      }
      for (const op of chunk) {
        if (op.type !== 'putIfNewer') continue;
        if (await this.store.putIfNewer(op.table, op.item, op.version)) written += 1;
        else stale += 1;
      }
    }
    return { written, stale };
  }

  /** Each staged item once, per table, in bulkLoad calls of at most MAX_BULK_LOAD_ITEMS. */
  async #bulkFlush(): Promise<FlushStats> {
    const byTable = new Map<TableDef, VersionedItem[]>();
    for (const s of this.#staged.values()) {
      let items = byTable.get(s.table);
      if (items === undefined) {
        items = [];
        byTable.set(s.table, items);
      }
      items.push({ item: s.item, version: s.version });
    }
    this.#staged.clear();
    if (this.#cache.size > MAX_CACHED_ITEMS) {
      this.#cache.clear();
      this.#fresh = false;
    }
    let written = 0;
    for (const [table, items] of byTable) {
      for (let i = 0; i < items.length; i += MAX_BULK_LOAD_ITEMS) {
        const chunk = items.slice(i, i + MAX_BULK_LOAD_ITEMS);
        await this.store.bulkLoad!(table, chunk);
        written += chunk.length;
      }
    }
    return { written, stale: 0 };
  }
}
