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
  type TableKey,
  type VersionedItem,
  type WriteOp,
} from '@paystream/readstore';
import type { Envelope, Payloads, PayloadType } from '@paystream/schemas';
import type { PartitionItems } from './item-cache.js';

export interface ProjectedEvent {
  readonly envelope: Envelope;
  readonly position: RecordPosition;
}

/** Narrows an envelope to one event type. */
export function isType<T extends PayloadType>(e: Envelope, type: T): e is Envelope<T> {
  return e.type === type;
}

export type Payload<T extends PayloadType> = Payloads[T];

/**
 * A result now, or a promise of it when the store had to be asked. Replay's reads are all
 * answered from the Work, so the projections run without a promise or a microtask per event;
 * the live path gets promises where a read goes to the store.
 */
export type Maybe<T> = T | Promise<T>;

/** The outcome dropped: done now, or a promise of done. */
export function ignoreResult(r: Maybe<unknown>): Maybe<void> {
  return r instanceof Promise ? r.then(() => undefined) : undefined;
}

/** Runs `step` on each of `items` in order, each after the previous one has finished. */
export function forEachInOrder<T>(items: readonly T[], step: (x: T) => Maybe<unknown>): Maybe<void> {
  for (let i = 0; i < items.length; i++) {
    const r = step(items[i]!);
    if (r instanceof Promise) return r.then(() => forEachInOrder(items.slice(i + 1), step));
  }
}

export interface FlushStats {
  readonly written: number;
  /** Writes refused because the store already held that version or a newer one. */
  readonly stale: number;
}

/** Items kept cached across flushes (one partition's working set in replay). */
const MAX_CACHED_ITEMS = 500_000;

/**
 * A string that names the item's key within its table, for the maps below. Keys of single
 * string attributes (nearly all) are used as they are; the rest go through keyOf, which also
 * rejects a malformed key the way the store would. A string of at most 341 UTF-16 units is at
 * most 1,023 UTF-8 bytes, within MAX_KEY_BYTES, so the fast path needs no byte count.
 */
function keyText(table: TableDef, key: KeyInput): string {
  if (table.pk.type === 'string') {
    const pk = key[table.pk.name];
    if (typeof pk === 'string' && pk.length > 0 && pk.length <= 341) {
      if (table.sk === undefined) return pk;
      if (table.sk.type === 'string') {
        const sk = key[table.sk.name];
        if (typeof sk === 'string' && sk.length > 0 && sk.length <= 341) return `${pk}\u0000${sk}`;
      }
    }
  }
  return keyOf(table, key).join('\u0000');
}

/** One table's view in a Work: what it has read or staged, and which of those are staged. */
interface TableWork {
  readonly table: TableDef;
  /** Every item read or staged, by key (null: known absent). A staged key's item is here. */
  readonly cache: Map<string, Item | null>;
  readonly staged: Set<string>;
}

export class Work {
  readonly store: ReadStore;
  readonly #tables = new Map<TableDef, TableWork>();
  /** Staged keys in the order they were first staged (flush writes them in that order). */
  #order: { t: TableWork; k: string }[] = [];

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
  readonly #concurrentLoads: boolean;
  /** The partition's items kept across batches (the live projector; see item-cache.ts). */
  readonly #shared: PartitionItems | undefined;
  /**
   * Set on a probe (see prefetch): the Work whose reads it answers from; what neither knows is
   * recorded in #missing and answered "absent" at once, so a probe never waits.
   */
  readonly #probeOf: Work | undefined;
  readonly #missing: TableKey[] = [];
  readonly #missingIds = new Set<string>();

  constructor(
    store: ReadStore,
    options: {
      fresh?: boolean;
      bulk?: boolean;
      concurrentLoads?: boolean;
      shared?: PartitionItems;
      probeOf?: Work;
    } = {},
  ) {
    this.store = store;
    this.#fresh = options.fresh ?? false;
    this.#bulk = (options.bulk ?? false) && typeof store.bulkLoad === 'function';
    this.#concurrentLoads = options.concurrentLoads ?? false;
    this.#shared = options.shared;
    this.#probeOf = options.probeOf;
  }

  /**
   * Reads every item `apply` (the projections, event by event) will ask for, in batchGets
   * rather than one read per event. The events are first played on a probe Work that answers
   * what this Work or the partition cache knows and takes anything else as absent, noting the
   * key; the noted keys are read in one batchGet (per MAX_BATCH_GET_KEYS keys) and kept here.
   * Only when a read found an item (which may lead the projections to other keys) is the probe
   * played again, at most `maxRounds` times; what is still unknown after that is read one by one
   * by the real run. Returns the batchGet calls made.
   */
  async prefetch<E>(
    events: readonly E[],
    apply: (probe: Work, event: E) => Promise<void>,
    maxRounds = 3,
  ): Promise<number> {
    let calls = 0;
    for (let round = 0; round < maxRounds; round++) {
      const probe = new Work(this.store, { probeOf: this });
      for (const event of events) {
        try {
          await apply(probe, event);
        } catch {
          // A probe may fail where the real run will not (it took unknown items as absent);
          // the other events still say what they read.
        }
      }
      const missing = probe.#missing;
      if (missing.length === 0) break;
      const items = await this.store.batchGet(missing);
      calls += 1;
      let found = false;
      for (let i = 0; i < missing.length; i++) {
        const { table, key } = missing[i]!;
        const item = items[i]!;
        this.#of(table).cache.set(keyText(table, key), item);
        this.#shared?.remember(table, keyText(table, key), item);
        if (item !== null) found = true;
      }
      if (!found) break; // every answer was "absent", as the probe assumed: nothing new to read
    }
    return calls;
  }

  /** What this Work or the partition cache knows of a key (undefined: nothing). */
  #known(t: TableWork, k: string): Item | null | undefined {
    const cached = t.cache.get(k);
    if (cached !== undefined) return cached;
    const shared = this.#shared?.lookup(t.table, k);
    if (shared !== undefined) t.cache.set(k, shared);
    return shared;
  }

  #of(table: TableDef): TableWork {
    let t = this.#tables.get(table);
    if (t === undefined) {
      t = { table, cache: new Map(), staged: new Set() };
      this.#tables.set(table, t);
    }
    return t;
  }

  /**
   * The item as this batch sees it: staged writes first, then the store. Answered on the spot
   * (not as a promise) when the Work already knows it, which in replay is every time: the
   * projections then go on without a promise (see Maybe).
   */
  get(table: TableDef, key: KeyInput): Maybe<Item | null> {
    const t = this.#of(table);
    const k = keyText(table, key);
    const cached = this.#known(t, k);
    if (cached !== undefined) return cached;
    if (this.#fresh) {
      t.cache.set(k, null);
      return null;
    }
    if (this.#probeOf !== undefined) {
      const known = this.#probeOf.#known(this.#probeOf.#of(table), k);
      if (known !== undefined) return known;
      const id = `${table.name}\u0001${k}`;
      if (!this.#missingIds.has(id)) {
        this.#missingIds.add(id);
        this.#missing.push({ table, key });
      }
      return null;
    }
    return this.store.get(table, key).then((item) => {
      t.cache.set(k, item);
      this.#shared?.remember(table, k, item);
      return item;
    });
  }

  /** Stages a write of `item` at its version `item.v`. */
  put(table: TableDef, item: Item): void {
    const version = item.v;
    invariant(
      typeof version === 'number' && Number.isSafeInteger(version) && version > 0,
      'item.v is a version',
    );
    const t = this.#of(table);
    const k = keyText(table, item);
    t.cache.set(k, item);
    if (!t.staged.has(k)) {
      t.staged.add(k);
      this.#order.push({ t, k });
    }
  }

  /** Writes an immutable fact once (version 1); a fact already stored is left alone. */
  putFact(table: TableDef, item: Item): Maybe<boolean> {
    const found = this.get(table, item);
    if (found instanceof Promise) return found.then((f) => this.#putFactIfAbsent(table, item, f));
    return this.#putFactIfAbsent(table, item, found);
  }

  #putFactIfAbsent(table: TableDef, item: Item, found: Item | null): boolean {
    if (found !== null) return false;
    // Copied attribute by attribute, not `{ ...item, v: 1 }`: V8 builds a slow object from a
    // literal that starts with a spread and then adds an attribute, and replay writes many facts.
    const fact: Item = {};
    for (const k of Object.keys(item)) fact[k] = item[k]!;
    fact.v = 1;
    this.put(table, fact);
    return true;
  }

  get stagedCount(): number {
    return this.#order.length;
  }

  /** Forgets what was staged; once the cache is over its bound, forgets that too. */
  #reset(): void {
    let cached = 0;
    for (const t of this.#tables.values()) {
      t.staged.clear();
      cached += t.cache.size;
    }
    this.#order = [];
    if (cached > MAX_CACHED_ITEMS) {
      // Flushed, so the store has them; from now on a miss must ask the store.
      for (const t of this.#tables.values()) t.cache.clear();
      this.#fresh = false;
    }
  }

  /** The staged item of key `k` (its latest put). */
  static #staged(t: TableWork, k: string): Item {
    const item = t.cache.get(k);
    invariant(item !== undefined && item !== null, 'a staged key has its item cached');
    return item;
  }

  async flush(): Promise<FlushStats> {
    if (this.#bulk) return this.#bulkFlush();
    const ops: WriteOp[] = this.#order.map(({ t, k }) => {
      const item = Work.#staged(t, k);
      return { type: 'putIfNewer', table: t.table, item, version: item.v as number };
    });
    this.#reset();
    let written = 0;
    let stale = 0;
    const shared = this.#shared;
    const accepted = (op: WriteOp) => {
      if (shared !== undefined && op.type === 'putIfNewer')
        shared.remember(op.table, keyText(op.table, op.item), op.item);
    };
    for (let i = 0; i < ops.length; i += MAX_TRANSACTION_ITEMS) {
      const chunk = ops.slice(i, i + MAX_TRANSACTION_ITEMS);
      if (await this.store.transactWrite(chunk)) {
        written += chunk.length;
        for (const op of chunk) accepted(op);
        continue;
      }
      for (const op of chunk) {
        if (op.type !== 'putIfNewer') continue;
        if (await this.store.putIfNewer(op.table, op.item, op.version)) {
          written += 1;
          accepted(op);
        } else stale += 1;
      }
    }
    return { written, stale };
  }

  /**
   * Each staged item once, per table, in bulkLoad calls of at most MAX_BULK_LOAD_ITEMS. With
   * `concurrentLoads` the calls are all made before any is awaited, so a store that writes on
   * another thread (SqliteReadStore's writer thread) is handed the whole flush at once; the
   * order cannot matter: each key once, into a namespace with no other writer.
   */
  async #bulkFlush(): Promise<FlushStats> {
    const loads: { table: TableDef; items: VersionedItem[] }[] = [];
    for (const t of this.#tables.values()) {
      if (t.staged.size === 0) continue;
      const items: VersionedItem[] = [];
      for (const k of t.staged) {
        const item = Work.#staged(t, k);
        items.push({ item, version: item.v as number });
      }
      for (let i = 0; i < items.length; i += MAX_BULK_LOAD_ITEMS) {
        const chunk = items.length <= MAX_BULK_LOAD_ITEMS ? items : items.slice(i, i + MAX_BULK_LOAD_ITEMS);
        loads.push({ table: t.table, items: chunk });
      }
    }
    this.#reset();
    let written = 0;
    if (this.#concurrentLoads) {
      await Promise.all(loads.map((l) => this.store.bulkLoad!(l.table, l.items)));
      for (const l of loads) written += l.items.length;
    } else {
      for (const l of loads) {
        await this.store.bulkLoad!(l.table, l.items);
        written += l.items.length;
      }
    }
    return { written, stale: 0 };
  }
}
