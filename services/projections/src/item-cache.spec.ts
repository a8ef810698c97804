// The partition-local item cache: its bounds, and the live projector with it — batched reads,
// coalesced writes, and a partition that moves between members never served stale.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partitionFor, partitionKey } from '@paystream/log';
import { defineTable, type ReadStore, SqliteReadStore, type WriteOp } from '@paystream/readstore';
import { EmbeddedSchemaRegistry, EnvelopeCodec } from '@paystream/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartitionItemCache } from './item-cache.js';
import { ensureProjectionTables, LiveProjector, projectBatch } from './projector.js';
import { compareTables } from './replay/compare.js';
import { PROJECTION_TABLES } from './tables.js';
import { generateHistory } from './testing/history.js';
import type { ProjectedEvent } from './work.js';

const T = defineTable({ name: 'things', key: { pk: 'id' } });
const PARTITIONS = 4;
const TOPIC = 'paystream.events';

describe('PartitionItemCache', () => {
  it('keeps at most maxItems items, least recently used out first', () => {
    const cache = new PartitionItemCache({ maxItems: 3, maxBytes: 1 << 20 });
    const p = cache.begin('t/0', 0);
    for (const id of ['a', 'b', 'c']) p.remember(T, id, { id, v: 1 });
    expect(p.lookup(T, 'a')).toEqual({ id: 'a', v: 1 }); // a is now the most recent
    p.remember(T, 'd', null);
    expect(cache.size).toBe(3);
    expect(p.lookup(T, 'b')).toBeUndefined();
    expect(p.lookup(T, 'a')).toEqual({ id: 'a', v: 1 });
    expect(p.lookup(T, 'd')).toBeNull(); // known absent is kept too
    expect(cache.stats.evictions).toBe(1);
  });

  it('keeps at most maxBytes (estimated), whatever the item count', () => {
    const cache = new PartitionItemCache({ maxItems: 1_000, maxBytes: 4_000 });
    const p = cache.begin('t/0', 0);
    for (let i = 0; i < 20; i++) p.remember(T, `k${i}`, { id: `k${i}`, blob: 'x'.repeat(500), v: 1 });
    expect(cache.bytes).toBeLessThanOrEqual(4_000);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(20);
    expect(p.lookup(T, 'k19')).not.toBeUndefined();
    expect(p.lookup(T, 'k0')).toBeUndefined();
  });

  it('drops a partition whose next batch starts before the end of the last settled one, and only that one', () => {
    const cache = new PartitionItemCache();
    const p0 = cache.begin('t/0', 0);
    const p1 = cache.begin('t/1', 0);
    p0.remember(T, 'a', { id: 'a', v: 1 });
    p1.remember(T, 'b', { id: 'b', v: 1 });
    cache.settle('t/0', 10);
    cache.settle('t/1', 10);
    expect(cache.begin('t/0', 10).lookup(T, 'a')).toEqual({ id: 'a', v: 1 }); // continues
    // A gap (transaction markers) is no reason: only a revocation says someone else moved it on.
    expect(cache.begin('t/0', 12).lookup(T, 'a')).toEqual({ id: 'a', v: 1 });
    const again = cache.begin('t/1', 4); // redelivered: our commit of 4..9 failed
    expect(again.lookup(T, 'b')).toBeUndefined();
    expect(cache.begin('t/0', 12).lookup(T, 'a')).toEqual({ id: 'a', v: 1 });
    expect(cache.stats.drops).toBe(1);
  });

  it('ignores what a batch remembers after its partition was dropped (revoked mid-batch)', () => {
    const cache = new PartitionItemCache();
    const p = cache.begin('t/0', 0);
    cache.drop('t/0');
    p.remember(T, 'a', { id: 'a', v: 1 });
    expect(p.lookup(T, 'a')).toBeUndefined();
    expect(cache.begin('t/0', 0).lookup(T, 'a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => new PartitionItemCache({ maxItems: 0, maxBytes: 1 })).toThrow();
    expect(() => new PartitionItemCache({ maxItems: 1, maxBytes: 1.5 })).toThrow();
  });
});

/** `store` with some methods replaced (the others bound to it: it has private fields). */
function overriding(store: ReadStore, replaced: Partial<ReadStore>): ReadStore {
  return new Proxy(store, {
    get(target, prop) {
      const own = (replaced as Record<string | symbol, unknown>)[prop];
      if (own !== undefined) return own;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** A store that counts its calls. */
function counting(store: ReadStore) {
  const calls = { get: 0, batchGet: 0, transactWrite: 0, putIfNewer: 0 };
  const wrapped: ReadStore = overriding(store, {
    get: (...a: Parameters<ReadStore['get']>) => {
      calls.get += 1;
      return store.get(...a);
    },
    batchGet: (...a: Parameters<ReadStore['batchGet']>) => {
      calls.batchGet += 1;
      return store.batchGet(...a);
    },
    transactWrite: (ops: readonly WriteOp[]) => {
      calls.transactWrite += 1;
      return store.transactWrite(ops);
    },
    putIfNewer: (...a: Parameters<ReadStore['putIfNewer']>) => {
      calls.putIfNewer += 1;
      return store.putIfNewer(...a);
    },
  });
  return { store: wrapped, calls };
}

describe('the live projector with the partition-local cache', () => {
  let dir: string;
  let parts: ProjectedEvent[][];
  let events: number;
  const stores: ReadStore[] = [];
  let n = 0;

  async function freshStore(): Promise<ReadStore> {
    const s = new SqliteReadStore({ filename: join(dir, `s${n++}.db`) });
    await ensureProjectionTables(s);
    stores.push(s);
    return s;
  }

  /** The read models a full replay builds: one Work per partition. */
  async function replayed(): Promise<ReadStore> {
    const s = await freshStore();
    for (const part of parts) await projectBatch(s, part);
    return s;
  }

  async function expectSame(a: ReadStore, b: ReadStore): Promise<void> {
    const { tables, differences } = await compareTables(PROJECTION_TABLES, a, b);
    expect(differences).toEqual([]);
    expect(tables.some((t) => t.live > 0)).toBe(true);
  }

  function batches(part: readonly ProjectedEvent[], size: number): ProjectedEvent[][] {
    const out: ProjectedEvent[][] = [];
    for (let i = 0; i < part.length; i += size) out.push(part.slice(i, i + size));
    return out;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paystream-item-cache-'));
    const codec = await EnvelopeCodec.create(new EmbeddedSchemaRegistry());
    const history = generateHistory(codec, { minEvents: 2_000, seed: 11 });
    events = history.length;
    const next = new Array<number>(PARTITIONS).fill(0);
    parts = Array.from({ length: PARTITIONS }, () => []);
    for (const envelope of history) {
      const partition = partitionFor(envelope.aggregateId, PARTITIONS);
      const offset = next[partition]!;
      next[partition] = offset + 1;
      parts[partition]!.push({ envelope, position: { topic: TOPIC, partition, offset } });
    }
  });

  afterAll(async () => {
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the read models a full replay builds, with batched reads and one write per item per batch', async () => {
    const real = await freshStore();
    const { store, calls } = counting(real);
    const cache = new PartitionItemCache();
    const projector = new LiveProjector(store, { cache });
    let batchCount = 0;
    let written = 0;
    for (const part of parts) {
      for (const b of batches(part, 50)) {
        const r = await projector.project(b);
        batchCount += 1;
        written += r.written;
        expect(r.stale).toBe(0);
      }
    }
    await expectSame(await replayed(), real);
    // Reads: a batchGet per batch at most a few times, a single get (almost) never.
    expect(calls.batchGet).toBeLessThanOrEqual(batchCount * 3);
    expect(calls.get).toBeLessThan(batchCount);
    expect(calls.get + calls.batchGet).toBeLessThan(events / 10);
    // Coalesced: fewer item writes than item updates the events make (balances, payments).
    const uncached = counting(await freshStore());
    const plain = new LiveProjector(uncached.store);
    let plainWritten = 0;
    for (const part of parts)
      for (const b of batches(part, 1)) plainWritten += (await plain.project(b)).written;
    expect(written).toBeLessThan(plainWritten);
    // What the cache and batching save: without them, about a round trip per event.
    expect(uncached.calls.get + uncached.calls.batchGet).toBeGreaterThan(events / 2);
    expect(cache.stats.hits).toBeGreaterThan(0);
  });

  it('never serves a partition stale after it moved to another member and back', async () => {
    const store = await freshStore();
    const a = new PartitionItemCache();
    const b = new PartitionItemCache();
    const memberA = new LiveProjector(store, { cache: a });
    const memberB = new LiveProjector(store, { cache: b });
    for (let p = 0; p < PARTITIONS; p++) {
      const [b1, b2, b3, ...rest] = batches(parts[p]!, Math.ceil(parts[p]!.length / 4));
      const key = partitionKey(TOPIC, p);
      await memberA.project(b1!);
      // The partition moves to B: the log revokes it from A first (the service drops it).
      a.drop(key);
      await memberB.project(b2!);
      b.drop(key);
      for (const x of [b3!, ...rest]) await memberA.project(x);
    }
    await expectSame(await replayed(), store);
    expect(a.stats.drops).toBeGreaterThanOrEqual(PARTITIONS);
  });

  it('would serve stale items if a moved partition were not revoked (the check above can fail)', async () => {
    const store = await freshStore();
    const memberA = new LiveProjector(store, { cache: new PartitionItemCache() });
    const memberB = new LiveProjector(store, { cache: new PartitionItemCache() });
    let failed = false;
    for (let p = 0; p < PARTITIONS; p++) {
      const [b1, b2, b3, ...rest] = batches(parts[p]!, Math.ceil(parts[p]!.length / 4));
      await memberA.project(b1!);
      await memberB.project(b2!);
      // Not revoked: A's copy of the partition is what it was after b1.
      try {
        for (const x of [b3!, ...rest]) await memberA.project(x);
      } catch {
        failed = true;
      }
    }
    const { differences } = await compareTables(PROJECTION_TABLES, await replayed(), store);
    expect(failed || differences.length > 0).toBe(true);
  });

  it('drops a partition whose batch failed, and the redelivery builds the same read models', async () => {
    const real = await freshStore();
    let budget = Number.POSITIVE_INFINITY;
    const dying: ReadStore = overriding(real, {
      transactWrite: async (ops: readonly WriteOp[]) => {
        if (budget-- <= 0) throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
        return await real.transactWrite(ops);
      },
    });
    const cache = new PartitionItemCache();
    const projector = new LiveProjector(dying, { cache });
    let failures = 0;
    for (const part of parts) {
      for (const x of batches(part, 120)) {
        budget = 0;
        await projector.project(x).catch(() => {
          failures += 1;
        });
        budget = Number.POSITIVE_INFINITY;
        await projector.project(x); // redelivered
      }
    }
    expect(failures).toBeGreaterThan(0);
    expect(cache.stats.drops).toBeGreaterThanOrEqual(failures);
    await expectSame(await replayed(), real);
  });
});
