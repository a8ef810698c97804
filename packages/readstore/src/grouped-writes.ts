// Version-checked writes of concurrent callers grouped into one transaction per event-loop turn.
// Every putIfNewer made during a turn is queued; at the end of the turn the queue goes out as
// one transactWrite (at most MAX_TRANSACTION_ITEMS ops, each item once). Most groups write
// whole: the callers are independent requests writing different items. When the transaction
// refuses (one item's version check failed, which makes a transaction write nothing), the group
// is split in halves and each half tried again, down to single writes, so a conflicting write
// costs its neighbours O(log n) extra requests and each caller still learns its own outcome.
//
// The answer a caller gets is what `store.putIfNewer` would have answered, so callers keep
// their conditional-write logic; they only stop paying a round trip each. A store error (an
// outage) fails every write of its group. Groups also stay under MAX_GROUP_BYTES of items, below
// DynamoDB's 4 MB per transaction.

import {
  assertVersion,
  type Item,
  keyOf,
  MAX_TRANSACTION_ITEMS,
  type ReadStore,
  type TableDef,
  validateItem,
  type WriteOp,
} from './port.js';

/** Item bytes per group (canonical JSON), under TransactWriteItems' 4 MB. */
const MAX_GROUP_BYTES = 3 * 1024 * 1024;

interface Pending {
  readonly op: WriteOp & { type: 'putIfNewer' };
  readonly id: string;
  readonly bytes: number;
  resolve(written: boolean): void;
  reject(err: unknown): void;
}

export interface GroupedWriterStats {
  /** Writes asked for. */
  writes: number;
  /** Requests sent (transactions and single writes). */
  requests: number;
}

export class GroupedWriter {
  readonly #store: ReadStore;
  readonly #maxGroup: number;
  #queue: Pending[] = [];
  #scheduled = false;
  readonly #stats: GroupedWriterStats = { writes: 0, requests: 0 };

  /** `maxGroup` ops per transaction, 1..MAX_TRANSACTION_ITEMS (DynamoDB's limit). */
  constructor(store: ReadStore, maxGroup = MAX_TRANSACTION_ITEMS) {
    if (!Number.isSafeInteger(maxGroup) || maxGroup < 1 || maxGroup > MAX_TRANSACTION_ITEMS) {
      throw new RangeError(`a group holds 1..${MAX_TRANSACTION_ITEMS} writes, got ${maxGroup}`);
    }
    this.#store = store;
    this.#maxGroup = maxGroup;
  }

  stats(): GroupedWriterStats {
    return { ...this.#stats };
  }

  /** As ReadStore.putIfNewer; the write goes out with the others of this turn. */
  putIfNewer(table: TableDef, item: Item, version: number): Promise<boolean> {
    // Refuse bad input here, for this caller alone, rather than failing its whole group.
    let id: string;
    let bytes: number;
    try {
      bytes = Buffer.byteLength(validateItem(table, item), 'utf8');
      assertVersion(version);
      id = JSON.stringify([table.name, keyOf(table, item)]);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#stats.writes++;
    return new Promise<boolean>((resolve, reject) => {
      this.#queue.push({ op: { type: 'putIfNewer', table, item, version }, id, bytes, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    let rest = this.#queue;
    this.#queue = [];
    while (rest.length > 0) {
      // A group: the longest run of distinct items (a transaction holds each item once).
      const seen = new Set<string>();
      let n = 0;
      let bytes = 0;
      while (
        n < rest.length &&
        n < this.#maxGroup &&
        !seen.has(rest[n]!.id) &&
        (n === 0 || bytes + rest[n]!.bytes <= MAX_GROUP_BYTES)
      ) {
        bytes += rest[n]!.bytes;
        seen.add(rest[n++]!.id);
      }
      const group = rest.slice(0, n);
      rest = rest.slice(n);
      if (rest.some((p) => seen.has(p.id))) {
        // A later write (this turn) of one of these items goes after this group has landed, so
        // writes of one item made in one turn keep their order.
        const after = rest;
        void this.#write(group).finally(() => this.#requeue(after));
        return;
      }
      void this.#write(group);
    }
  }

  #requeue(later: Pending[]): void {
    this.#queue = [...later, ...this.#queue];
    if (!this.#scheduled && this.#queue.length > 0) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  async #write(group: Pending[]): Promise<void> {
    if (group.length === 1) {
      const p = group[0]!;
      this.#stats.requests++;
      try {
        p.resolve(await this.#store.putIfNewer(p.op.table, p.op.item, p.op.version));
      } catch (err) {
        p.reject(err);
      }
      return;
    }
    let written: boolean;
    try {
      this.#stats.requests++;
      written = await this.#store.transactWrite(group.map((p) => p.op));
    } catch (err) {
      for (const p of group) p.reject(err);
      return;
    }
    if (written) {
      for (const p of group) p.resolve(true);
      return;
    }
    const half = Math.ceil(group.length / 2);
    await Promise.all([this.#write(group.slice(0, half)), this.#write(group.slice(half))]);
  }
}
