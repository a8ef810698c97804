// One contract for every ReadStore adapter: the SQLite spec and the DynamoDB Local integration
// spec both run it unchanged.

import { PaystreamError } from '@paystream/core';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupedWriter } from './grouped-writes.js';
import {
  defineTable,
  type Item,
  MAX_BATCH_GET_KEYS,
  MAX_BULK_LOAD_ITEMS,
  MAX_TRANSACTION_ITEMS,
  type QueryOptions,
  type ReadStore,
  type TableDef,
  type VersionedItem,
  type WriteOp,
} from './port.js';

export interface ReadStoreFixture {
  /** A store over the fixture's one backend, with tables under `prefix`. */
  open(prefix: string): Promise<ReadStore>;
  cleanup(): Promise<void>;
}

const payments = defineTable({
  name: 'payments',
  key: { pk: 'id' },
  indexes: [
    { name: 'byProvider', pk: 'providerId', sk: 'createdAt' },
    { name: 'byStatus', pk: 'status' },
  ],
});

const postings = defineTable({
  name: 'ledger_postings',
  key: { pk: 'accountId', sk: { name: 'seq', type: 'number' } },
  indexes: [{ name: 'byEntry', pk: 'entryId', sk: { name: 'seq', type: 'number' } }],
});

/** Every table the contract creates, for adapters that must clean up after it. */
export const CONTRACT_TABLES = [payments, postings];
const TABLES = CONTRACT_TABLES;

function payment(id: string, extra: Item = {}): Item {
  return {
    id,
    providerId: 'prov_1',
    createdAt: `2026-01-05T15:00:${id.slice(-2).padStart(2, '0')}Z`,
    status: 'held',
    amount: { amountMinor: 10_000, currency: 'USD' },
    ...extra,
  };
}

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof PaystreamError)) throw new Error(`expected a PaystreamError, got ${String(err)}`);
  return err.code;
}

async function allPages(store: ReadStore, table: TableDef, opts: Omit<QueryOptions, 'cursor'>) {
  const items: Item[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.query(table, cursor === undefined ? opts : { ...opts, cursor });
    expect(page.items.length).toBeLessThanOrEqual(opts.limit);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
    expect(pages).toBeLessThan(1000);
  } while (cursor !== undefined);
  return { items, pages };
}

export function readStoreContract(name: string, make: () => Promise<ReadStoreFixture>): void {
  describe(`ReadStore contract: ${name}`, () => {
    const open: { fixture: ReadStoreFixture; stores: ReadStore[] }[] = [];
    const fresh = async (prefix = 'live_'): Promise<ReadStore> => {
      const fixture = await make();
      const store = await fixture.open(prefix);
      open.push({ fixture, stores: [store] });
      await store.ensureTables(TABLES);
      return store;
    };
    /** Another store on the same backend as the last `fresh` one. */
    const sibling = async (prefix: string): Promise<ReadStore> => {
      const last = open[open.length - 1]!;
      const store = await last.fixture.open(prefix);
      last.stores.push(store);
      return store;
    };
    afterEach(async () => {
      for (const { fixture, stores } of open.splice(0)) {
        for (const s of stores) await s.close();
        await fixture.cleanup();
      }
    });

    describe('tables', () => {
      it('creates tables idempotently and refuses a changed definition', async () => {
        const store = await fresh();
        await store.ensureTables(TABLES);
        await (await sibling('live_')).ensureTables(TABLES);
        const changed = defineTable({
          name: 'payments',
          key: { pk: 'id' },
          indexes: [{ name: 'byStatus', pk: 'status' }],
        });
        expect(await code(store.ensureTables([changed]))).toBe('table_definition_mismatch');
        expect(await store.get(payments, { id: 'pay_missing' })).toBeNull();
      });

      it('reports a table that was never created', async () => {
        const store = await fresh();
        const other = defineTable({ name: 'never_created', key: { pk: 'id' } });
        expect(await code(store.get(other, { id: 'x' }))).toBe('table_not_found');
        expect(await code(store.putIfNewer(other, { id: 'x' }, 1))).toBe('table_not_found');
      });

      it('rejects invalid definitions', () => {
        const bad = (f: () => unknown) => {
          try {
            f();
          } catch (e) {
            return e instanceof PaystreamError ? e.code : 'other';
          }
          return 'none';
        };
        expect(bad(() => defineTable({ name: 'x', key: { pk: 'id' } }))).toBe('invalid_table_definition');
        expect(bad(() => defineTable({ name: 'tbl', key: { pk: '__v' } }))).toBe('invalid_table_definition');
        expect(
          bad(() =>
            defineTable({
              name: 'tbl',
              key: { pk: 'id' },
              indexes: [{ name: 'ix1', pk: { name: 'id', type: 'number' } }],
            }),
          ),
        ).toBe('invalid_table_definition');
      });

      it('keeps prefixed namespaces apart, and drops only its own', async () => {
        const live = await fresh('live_');
        const replay = await sibling('replay_');
        await replay.ensureTables(TABLES);
        expect(await live.putIfNewer(payments, payment('pay_01'), 1)).toBe(true);
        expect(await replay.get(payments, { id: 'pay_01' })).toBeNull();
        expect(await replay.putIfNewer(payments, payment('pay_01', { status: 'released' }), 1)).toBe(true);
        await replay.dropTables(TABLES);
        await replay.dropTables(TABLES);
        expect(await code(replay.get(payments, { id: 'pay_01' }))).toBe('table_not_found');
        expect(await live.get(payments, { id: 'pay_01' })).toEqual(payment('pay_01'));
      });
    });

    describe('version-checked writes', () => {
      it('writes when absent or newer, and ignores equal or older versions', async () => {
        const store = await fresh();
        const v1 = payment('pay_01');
        const v2 = payment('pay_01', { status: 'released' });
        expect(await store.putIfNewer(payments, v1, 10)).toBe(true);
        expect(await store.get(payments, { id: 'pay_01' })).toEqual(v1);
        expect(await store.putIfNewer(payments, v2, 10)).toBe(false);
        expect(await store.putIfNewer(payments, v2, 9)).toBe(false);
        expect(await store.get(payments, { id: 'pay_01' })).toEqual(v1);
        expect(await store.putIfNewer(payments, v2, 11)).toBe(true);
        expect(await store.get(payments, payment('pay_01'))).toEqual(v2);
        expect(await store.scan(payments)).toEqual([{ item: v2, version: 11 }]);
      });

      it('makes redelivered and reordered events change nothing', async () => {
        const store = await fresh();
        const events = [1, 2, 3, 4, 5].map((v) => ({
          v,
          item: payment('pay_07', { status: `s${v}`, step: v }),
        }));
        for (const e of events) expect(await store.putIfNewer(payments, e.item, e.v)).toBe(true);
        const before = await store.scan(payments);
        for (const e of [...events].reverse())
          expect(await store.putIfNewer(payments, e.item, e.v)).toBe(false);
        for (const e of events) expect(await store.putIfNewer(payments, e.item, e.v)).toBe(false);
        expect(await store.scan(payments)).toEqual(before);
        expect(before).toEqual([{ item: events[4]!.item, version: 5 }]);
      });

      it('round-trips plain JSON: nesting, booleans, null, empty values, large safe integers', async () => {
        const store = await fresh();
        const item: Item = {
          id: 'pay_02',
          providerId: 'prov_1',
          createdAt: '2026-01-05T15:00:02Z',
          amountMinor: Number.MAX_SAFE_INTEGER,
          negativeMinor: -250,
          zero: 0,
          captured: true,
          refunded: false,
          disputeReason: null,
          note: '',
          tags: [],
          meta: {},
          fraud: { score: 120, reasons: ['new_card', 'velocity'], nested: [{ a: 1 }, [2, 3]] },
          unicode: 'café ✓ 𝄞',
        };
        expect(await store.putIfNewer(payments, item, 1)).toBe(true);
        expect(await store.get(payments, { id: 'pay_02' })).toEqual(item);
        expect(JSON.stringify(await store.get(payments, { id: 'pay_02' }))).toBe(
          JSON.stringify((await store.scan(payments))[0]!.item),
        );
      });

      it('refuses floats, reserved names, bad keys and bad versions, writing nothing', async () => {
        const store = await fresh();
        const cases: [Item, number][] = [
          [payment('pay_03', { amountMinor: 10.5 }), 1],
          [payment('pay_03', { fee: { bps: 0.08 } }), 1],
          [payment('pay_03', { __version: 99 }), 1],
          [{ providerId: 'prov_1' }, 1],
          [{ id: '' }, 1],
          [{ id: 42 }, 1],
          [payment('pay_03', { createdAt: 7 }), 1],
          [payment('pay_03', { status: null }), 1],
          [payment('pay_03'), -1],
          [payment('pay_03'), 1.5],
        ];
        for (const [item, version] of cases) {
          expect(['invalid_item', 'invalid_version']).toContain(
            await code(store.putIfNewer(payments, item, version)),
          );
        }
        expect(await code(store.get(postings, { accountId: 'acct_1', seq: 'one' }))).toBe('invalid_item');
        expect(await store.scan(payments)).toEqual([]);
      });

      it('deletes; a later put of any version recreates the item', async () => {
        const store = await fresh();
        await store.putIfNewer(payments, payment('pay_04'), 5);
        await store.delete(payments, { id: 'pay_04' });
        await store.delete(payments, { id: 'pay_04' });
        expect(await store.get(payments, { id: 'pay_04' })).toBeNull();
        expect(await store.putIfNewer(payments, payment('pay_04'), 1)).toBe(true);
      });
    });

    describe('queries', () => {
      const seed = async (store: ReadStore) => {
        for (let seq = 1; seq <= 7; seq++) {
          const item = {
            accountId: 'escrow:held',
            seq,
            entryId: `je_${Math.ceil(seq / 2)}`,
            amountMinor: seq * 100,
          };
          await store.putIfNewer(postings, item, seq);
        }
        await store.putIfNewer(
          postings,
          { accountId: 'platform:fees', seq: 1, entryId: 'je_1', amountMinor: -8 },
          1,
        );
      };

      it('pages through a partition in sort-key order, both directions, with exact end-of-data', async () => {
        const store = await fresh();
        await seed(store);
        const seqs = (items: Item[]) => items.map((i) => i.seq);
        const asc = await allPages(store, postings, { pk: 'escrow:held', limit: 2 });
        expect(seqs(asc.items)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(asc.pages).toBe(4);
        const desc = await allPages(store, postings, { pk: 'escrow:held', limit: 3, descending: true });
        expect(seqs(desc.items)).toEqual([7, 6, 5, 4, 3, 2, 1]);
        expect(desc.pages).toBe(3);
        const exact = await store.query(postings, { pk: 'escrow:held', limit: 7 });
        expect(exact.items).toHaveLength(7);
        expect(exact.nextCursor).toBeNull();
        const short = await store.query(postings, { pk: 'escrow:held', limit: 6 });
        expect(short.nextCursor).not.toBeNull();
        expect((await store.query(postings, { pk: 'nobody', limit: 5 })).items).toEqual([]);
      });

      it('filters by sort-key range', async () => {
        const store = await fresh();
        await seed(store);
        const seqs = async (range: QueryOptions['range'], descending = false) =>
          (await store.query(postings, { pk: 'escrow:held', range, limit: 100, descending })).items.map(
            (i) => i.seq,
          );
        expect(await seqs({ gte: 3, lte: 5 })).toEqual([3, 4, 5]);
        expect(await seqs({ gte: 6 })).toEqual([6, 7]);
        expect(await seqs({ lte: 2 }, true)).toEqual([2, 1]);
        expect(await seqs({ gte: 5, lte: 3 })).toEqual([]);
        const paged = await allPages(store, postings, {
          pk: 'escrow:held',
          range: { gte: 2, lte: 6 },
          limit: 2,
        });
        expect(paged.items.map((i) => i.seq)).toEqual([2, 3, 4, 5, 6]);
      });

      it('queries an index by partition and sort key, sparse like DynamoDB', async () => {
        const store = await fresh();
        await seed(store);
        await store.putIfNewer(postings, { accountId: 'bank:operating', seq: 9, amountMinor: 1 }, 1); // no entryId
        const je1 = await store.query(postings, { index: 'byEntry', pk: 'je_1', limit: 10 });
        // Sorted by the index sort key; the order among ties is the engine's (DynamoDB's is not
        // the table key order), so only the set of tied items is part of the contract.
        expect(je1.items.map((i) => i.seq)).toEqual([1, 1, 2]);
        expect(je1.items.map((i) => `${i.accountId}#${i.seq}`).sort()).toEqual([
          'escrow:held#1',
          'escrow:held#2',
          'platform:fees#1',
        ]);
        const all = await allPages(store, postings, { index: 'byEntry', pk: 'je_2', limit: 1 });
        expect(all.items.map((i) => i.seq)).toEqual([3, 4]);
        expect((await store.query(postings, { index: 'byEntry', pk: 'je_9', limit: 10 })).items).toEqual([]);
      });

      it('pages an index with tied sort keys without losing or repeating an item', async () => {
        const store = await fresh();
        for (let i = 0; i < 13; i++) {
          const id = `pay_${String(i).padStart(2, '0')}`;
          // Four distinct timestamps for thirteen payments: ties everywhere.
          await store.putIfNewer(payments, payment(id, { createdAt: `2026-01-05T15:00:0${i % 4}Z` }), 1);
        }
        await store.putIfNewer(payments, payment('pay_99', { providerId: 'prov_2' }), 1);
        for (const descending of [false, true]) {
          const { items } = await allPages(store, payments, {
            index: 'byProvider',
            pk: 'prov_1',
            limit: 3,
            descending,
          });
          expect(items.map((i) => i.id).sort()).toEqual(
            Array.from({ length: 13 }, (_, i) => `pay_${String(i).padStart(2, '0')}`),
          );
          const times = items.map((i) => String(i.createdAt));
          expect(times).toEqual(
            [...times].sort((a, b) => (descending ? b.localeCompare(a) : a.localeCompare(b))),
          );
        }
        const range = await store.query(payments, {
          index: 'byProvider',
          pk: 'prov_1',
          range: { gte: '2026-01-05T15:00:01Z', lte: '2026-01-05T15:00:02Z' },
          limit: 100,
        });
        expect(range.items.map((i) => i.id).sort()).toEqual([
          'pay_01',
          'pay_02',
          'pay_05',
          'pay_06',
          'pay_09',
          'pay_10',
        ]);
        const prefix = await store.query(payments, {
          index: 'byProvider',
          pk: 'prov_1',
          skPrefix: '2026-01-05T15:00:03',
          limit: 100,
        });
        expect(prefix.items.map((i) => i.id).sort()).toEqual(['pay_03', 'pay_07', 'pay_11']);
      });

      it('queries an index without a sort key, and moves items between index partitions', async () => {
        const store = await fresh();
        for (let i = 0; i < 5; i++) await store.putIfNewer(payments, payment(`pay_0${i}`), 1);
        await store.putIfNewer(payments, payment('pay_02', { status: 'released' }), 2);
        const held = await allPages(store, payments, { index: 'byStatus', pk: 'held', limit: 2 });
        expect(held.items.map((i) => i.id).sort()).toEqual(['pay_00', 'pay_01', 'pay_03', 'pay_04']);
        const released = await store.query(payments, { index: 'byStatus', pk: 'released', limit: 10 });
        expect(released.items.map((i) => i.id)).toEqual(['pay_02']);
      });

      it('orders string keys by UTF-8 bytes and matches prefixes beyond ASCII', async () => {
        const store = await fresh();
        const names = ['z', 'a', 'é', '\u{1D11E}', '\uFF5A', 'ab', 'é1'];
        for (const [i, createdAt] of names.entries()) {
          await store.putIfNewer(payments, payment(`pay_${i}0`, { createdAt }), 1);
        }
        const got = await store.query(payments, { index: 'byProvider', pk: 'prov_1', limit: 100 });
        expect(got.items.map((i) => i.createdAt)).toEqual(['a', 'ab', 'z', 'é', 'é1', '\uFF5A', '\u{1D11E}']);
        const pre = await store.query(payments, {
          index: 'byProvider',
          pk: 'prov_1',
          skPrefix: 'é',
          limit: 100,
        });
        expect(pre.items.map((i) => i.createdAt)).toEqual(['é', 'é1']);
        const astral = await store.query(payments, {
          index: 'byProvider',
          pk: 'prov_1',
          skPrefix: '\u{1D11E}',
          limit: 100,
        });
        expect(astral.items).toHaveLength(1);
      });

      it('refuses bad limits, cursors and filters', async () => {
        const store = await fresh();
        await seed(store);
        const page = await store.query(postings, { pk: 'escrow:held', limit: 2 });
        const cursor = page.nextCursor!;
        expect(await code(store.query(postings, { pk: 'escrow:held', limit: 0 }))).toBe('invalid_limit');
        expect(await code(store.query(postings, { pk: 'escrow:held', limit: 1001 }))).toBe('invalid_limit');
        expect(await code(store.query(postings, { pk: 'platform:fees', limit: 2, cursor }))).toBe(
          'invalid_cursor',
        );
        expect(
          await code(store.query(postings, { index: 'byEntry', pk: 'escrow:held', limit: 2, cursor })),
        ).toBe('invalid_cursor');
        expect(await code(store.query(postings, { pk: 'escrow:held', limit: 2, cursor: 'bm9wZQ' }))).toBe(
          'invalid_cursor',
        );
        expect(await code(store.query(postings, { pk: 'escrow:held', limit: 2, cursor: '!!' }))).toBe(
          'invalid_cursor',
        );
        expect(await code(store.query(postings, { index: 'nope', pk: 'x', limit: 2 }))).toBe('unknown_index');
        expect(await code(store.query(postings, { pk: 'escrow:held', skPrefix: '1', limit: 2 }))).toBe(
          'invalid_query',
        );
        expect(await code(store.query(postings, { pk: 'escrow:held', range: { gte: 'a' }, limit: 2 }))).toBe(
          'invalid_item',
        );
        expect(await code(store.query(payments, { pk: 'pay_01', skPrefix: 'x', limit: 2 }))).toBe(
          'invalid_query',
        );
        expect(await code(store.query(payments, { pk: 7, limit: 2 }))).toBe('invalid_query');
      });
    });

    describe('batch get', () => {
      it('reads items of several tables in the order asked, null where absent, a repeated key twice', async () => {
        const store = await fresh();
        await store.putIfNewer(payments, payment('pay_21', { status: 'captured' }), 3);
        await store.putIfNewer(payments, payment('pay_22'), 1);
        await store.putIfNewer(postings, { accountId: 'escrow:held', seq: 7, amountMinor: 100 }, 2);
        const got = await store.batchGet([
          { table: payments, key: { id: 'pay_22' } },
          { table: postings, key: { accountId: 'escrow:held', seq: 7 } },
          { table: payments, key: { id: 'pay_missing' } },
          { table: payments, key: payment('pay_21') }, // an item is a valid key
          { table: postings, key: { accountId: 'escrow:held', seq: 8 } },
          { table: payments, key: { id: 'pay_22' } },
        ]);
        expect(got).toEqual([
          payment('pay_22'),
          { accountId: 'escrow:held', seq: 7, amountMinor: 100 },
          null,
          payment('pay_21', { status: 'captured' }),
          null,
          payment('pay_22'),
        ]);
        // Each answer is what get returns.
        expect(got[0]).toEqual(await store.get(payments, { id: 'pay_22' }));
        expect(await store.batchGet([])).toEqual([]);
      });

      it(`reads more than ${MAX_BATCH_GET_KEYS} keys in one call`, async () => {
        const store = await fresh();
        const n = MAX_BATCH_GET_KEYS * 2 + 7;
        const ops: WriteOp[] = [];
        for (let i = 0; i < n; i += 2)
          ops.push({ type: 'putIfNewer', table: payments, item: payment(`pay_b${i}`), version: 1 });
        for (let i = 0; i < ops.length; i += MAX_TRANSACTION_ITEMS)
          expect(await store.transactWrite(ops.slice(i, i + MAX_TRANSACTION_ITEMS))).toBe(true);
        const keys = Array.from({ length: n }, (_, i) => ({ table: payments, key: { id: `pay_b${i}` } }));
        const got = await store.batchGet(keys);
        expect(got).toHaveLength(n);
        expect(got).toEqual(keys.map((_, i) => (i % 2 === 0 ? payment(`pay_b${i}`) : null)));
      });

      it('refuses a malformed key, reading nothing', async () => {
        const store = await fresh();
        expect(
          await code(
            store.batchGet([
              { table: payments, key: { id: 'pay_1' } },
              { table: postings, key: { accountId: 'acct_1', seq: 'one' } },
            ]),
          ),
        ).toBe('invalid_item');
        expect(await code(store.batchGet([{ table: payments, key: { id: '' } }]))).toBe('invalid_item');
      });
    });

    describe('transactions', () => {
      const entry = (n: number, version: number): WriteOp[] => [
        {
          type: 'putIfNewer',
          table: postings,
          item: { accountId: 'escrow:held', seq: n, amountMinor: 100 },
          version,
        },
        {
          type: 'putIfNewer',
          table: postings,
          item: { accountId: 'gateway:clearing', seq: n, amountMinor: -100 },
          version,
        },
        { type: 'putIfNewer', table: payments, item: payment(`pay_${n}0`, { status: 'held' }), version },
      ];

      it('writes all items across tables at once, and a redelivery writes nothing', async () => {
        const store = await fresh();
        expect(await store.transactWrite(entry(1, 5))).toBe(true);
        expect(await store.scan(postings)).toHaveLength(2);
        expect(await store.get(payments, { id: 'pay_10' })).toEqual(payment('pay_10'));
        expect(await store.transactWrite(entry(1, 5))).toBe(false);
        expect((await store.scan(postings)).map((r) => r.version)).toEqual([5, 5]);
      });

      it('writes nothing when any one item is stale', async () => {
        const store = await fresh();
        await store.putIfNewer(payments, payment('pay_20', { status: 'released' }), 9);
        expect(await store.transactWrite(entry(2, 5))).toBe(false);
        expect(await store.scan(postings)).toEqual([]);
        expect((await store.get(payments, { id: 'pay_20' }))?.status).toBe('released');
        expect(await store.transactWrite(entry(2, 10))).toBe(true);
        expect(await store.scan(postings)).toHaveLength(2);
      });

      it('deletes inside a transaction', async () => {
        const store = await fresh();
        await store.putIfNewer(payments, payment('pay_30'), 1);
        const ok = await store.transactWrite([
          { type: 'delete', table: payments, key: { id: 'pay_30' } },
          { type: 'putIfNewer', table: payments, item: payment('pay_31'), version: 1 },
        ]);
        expect(ok).toBe(true);
        expect((await store.scan(payments)).map((r) => r.item.id)).toEqual(['pay_31']);
      });

      it(`holds at most ${MAX_TRANSACTION_ITEMS} ops, each item once`, async () => {
        const store = await fresh();
        const ops = (n: number): WriteOp[] =>
          Array.from({ length: n }, (_, i) => ({
            type: 'putIfNewer' as const,
            table: postings,
            item: { accountId: 'acct_bulk', seq: i, amountMinor: i },
            version: 1,
          }));
        expect(await code(store.transactWrite(ops(MAX_TRANSACTION_ITEMS + 1)))).toBe('transaction_too_large');
        expect(await code(store.transactWrite([]))).toBe('invalid_transaction');
        const dup = [
          ...ops(2),
          { type: 'delete' as const, table: postings, key: { accountId: 'acct_bulk', seq: 1 } },
        ];
        expect(await code(store.transactWrite(dup))).toBe('duplicate_item_in_transaction');
        expect(await store.scan(postings)).toEqual([]);
        expect(await store.transactWrite(ops(MAX_TRANSACTION_ITEMS))).toBe(true);
        expect(await store.scan(postings)).toHaveLength(MAX_TRANSACTION_ITEMS);
      });
    });

    describe('grouped writes', () => {
      it('writes the puts of one turn in one transaction, each caller getting its own answer', async () => {
        const store = await fresh();
        await store.putIfNewer(payments, payment('pay_g3', { status: 'released' }), 9);
        const writer = new GroupedWriter(store);
        const answers = await Promise.all([
          writer.putIfNewer(payments, payment('pay_g1'), 1),
          writer.putIfNewer(payments, payment('pay_g2'), 1),
          writer.putIfNewer(payments, payment('pay_g3'), 5), // stale: refused, the others written
          writer.putIfNewer(payments, payment('pay_g4'), 1),
        ]);
        expect(answers).toEqual([true, true, false, true]);
        expect((await store.scan(payments)).map((r) => [r.item.id, r.version])).toEqual([
          ['pay_g1', 1],
          ['pay_g2', 1],
          ['pay_g3', 9],
          ['pay_g4', 1],
        ]);
        expect((await store.get(payments, { id: 'pay_g3' }))?.status).toBe('released');
        // One transaction refused, then halves: [g1,g2] written, [g3,g4] refused, then g3 and g4 alone.
        expect(writer.stats()).toEqual({ writes: 4, requests: 5 });
      });

      it('needs one request for a turn without conflicts, and keeps two writes of one item in order', async () => {
        const store = await fresh();
        const writer = new GroupedWriter(store);
        const items = Array.from({ length: 30 }, (_, i) => payment(`pay_h${String(i).padStart(2, '0')}`));
        expect(await Promise.all(items.map((it) => writer.putIfNewer(payments, it, 1)))).toEqual(
          items.map(() => true),
        );
        expect(writer.stats()).toEqual({ writes: 30, requests: 1 });
        const [first, second] = await Promise.all([
          writer.putIfNewer(payments, payment('pay_h00', { status: 'released' }), 2),
          writer.putIfNewer(payments, payment('pay_h00', { status: 'refunded' }), 3),
        ]);
        expect([first, second]).toEqual([true, true]);
        expect(await store.get(payments, { id: 'pay_h00' })).toEqual(
          payment('pay_h00', { status: 'refunded' }),
        );
      });

      it('splits a turn into transactions of at most the group size and 3 MiB', async () => {
        const store = await fresh();
        const writer = new GroupedWriter(store, 10);
        const items = Array.from({ length: 25 }, (_, i) => payment(`pay_k${String(i).padStart(2, '0')}`));
        await Promise.all(items.map((it) => writer.putIfNewer(payments, it, 1)));
        expect(writer.stats()).toEqual({ writes: 25, requests: 3 });
        expect(await store.scan(payments)).toHaveLength(25);
        expect(() => new GroupedWriter(store, MAX_TRANSACTION_ITEMS + 1)).toThrow(RangeError);
        // Large items: a group stays under DynamoDB's 4 MB per transaction (3 MiB of items).
        const big = new GroupedWriter(store);
        const blob = 'x'.repeat(340 * 1024);
        const large = Array.from({ length: 10 }, (_, i) => payment(`pay_l${i}`, { blob }));
        expect(await Promise.all(large.map((it) => big.putIfNewer(payments, it, 1)))).toEqual(
          large.map(() => true),
        );
        expect(big.stats()).toEqual({ writes: 10, requests: 2 });
      });

      it('refuses a bad item for its caller alone, before anything is sent', async () => {
        const store = await fresh();
        const writer = new GroupedWriter(store);
        const good = writer.putIfNewer(payments, payment('pay_m1'), 1);
        expect(await code(writer.putIfNewer(payments, payment('pay_m2', { amount: 1.5 }), 1))).toBe(
          'invalid_item',
        );
        expect(await good).toBe(true);
        expect((await store.scan(payments)).map((r) => r.item.id)).toEqual(['pay_m1']);
      });
    });

    describe('bulk load', () => {
      const bulk = (store: ReadStore) => {
        // Every adapter of this repository implements the optional fast path.
        expect(store.bulkLoad).toBeTypeOf('function');
        return (table: TableDef, items: readonly VersionedItem[]) => store.bulkLoad!(table, items);
      };
      const postingItems = (accounts: number, perAccount: number): VersionedItem[] =>
        Array.from({ length: accounts * perAccount }, (_, i) => ({
          item: {
            accountId: `acct_${Math.floor(i / perAccount)}`,
            seq: i % perAccount,
            entryId: `je_${i % 7}`,
            amountMinor: i * 3 - 50,
          },
          version: i + 1,
        }));

      it('loads items that get, query and scan return with their versions', async () => {
        const store = await fresh();
        const load = bulk(store);
        // More than one DynamoDB batch (25), with index attributes on every item.
        const items = postingItems(4, 20);
        await load(postings, items);
        await load(postings, []);
        const scanned = await store.scan(postings);
        expect(scanned).toHaveLength(items.length);
        const byKey = new Map(items.map((v) => [`${v.item.accountId}/${v.item.seq}`, v]));
        for (const s of scanned) {
          const want = byKey.get(`${s.item.accountId}/${s.item.seq}`);
          expect(s).toEqual(want);
        }
        expect(await store.get(postings, { accountId: 'acct_2', seq: 5 })).toEqual(items[45]!.item);
        const page = await allPages(store, postings, { pk: 'acct_1', limit: 7 });
        expect(page.items.map((i) => i.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        const byEntry = await allPages(store, postings, { index: 'byEntry', pk: 'je_3', limit: 50 });
        expect(byEntry.items).toHaveLength(items.filter((v) => v.item.entryId === 'je_3').length);
        const held = [payment('pay_01'), payment('pay_02', { status: 'released' })];
        await load(
          payments,
          held.map((item, i) => ({ item, version: i + 5 })),
        );
        const released = await store.query(payments, { index: 'byStatus', pk: 'released', limit: 10 });
        expect(released.items).toEqual([held[1]]);
      });

      it('replaces a stored item whatever its version, and version checks then apply to it', async () => {
        const store = await fresh();
        const load = bulk(store);
        expect(await store.putIfNewer(payments, payment('pay_01'), 9)).toBe(true);
        await load(payments, [{ item: payment('pay_01', { status: 'released' }), version: 4 }]);
        expect(await store.scan(payments)).toEqual([
          { item: payment('pay_01', { status: 'released' }), version: 4 },
        ]);
        expect(await store.putIfNewer(payments, payment('pay_01', { status: 'refunded' }), 4)).toBe(false);
        expect(await store.putIfNewer(payments, payment('pay_01', { status: 'refunded' }), 5)).toBe(true);
        expect((await store.get(payments, { id: 'pay_01' }))?.status).toBe('refunded');
      });

      it('validates every item before writing any', async () => {
        const store = await fresh();
        const load = bulk(store);
        const good = { item: payment('pay_01'), version: 1 };
        expect(
          await code(load(payments, [good, { item: payment('pay_02', { fee: 1.5 }), version: 1 }])),
        ).toBe('invalid_item');
        expect(await code(load(payments, [good, { item: payment('pay_03'), version: -1 }]))).toBe(
          'invalid_version',
        );
        expect(await code(load(payments, [good, { item: payment('pay_01'), version: 2 }]))).toBe(
          'duplicate_item_in_bulk_load',
        );
        const tooMany = Array.from({ length: MAX_BULK_LOAD_ITEMS + 1 }, (_, i) => ({
          item: { accountId: 'a', seq: i },
          version: 1,
        }));
        expect(await code(load(postings, tooMany))).toBe('bulk_load_too_large');
        expect(await store.scan(payments)).toEqual([]);
        expect(await store.scan(postings)).toEqual([]);
      });

      it('builds the same scan as version-checked writes of the same final items', async () => {
        const live = await fresh('live_');
        const replay = await sibling('replay_');
        await replay.ensureTables(TABLES);
        const items = postingItems(3, 40);
        for (let i = 0; i < items.length; i += MAX_TRANSACTION_ITEMS) {
          const chunk = items.slice(i, i + MAX_TRANSACTION_ITEMS);
          expect(
            await live.transactWrite(
              chunk.map((v) => ({ type: 'putIfNewer', table: postings, item: v.item, version: v.version })),
            ),
          ).toBe(true);
        }
        await bulk(replay)(postings, items);
        expect(await replay.scan(postings)).toEqual(await live.scan(postings));
      });
    });

    describe('scan', () => {
      it('returns every item with its version in key order, bounded', async () => {
        const store = await fresh();
        for (const seq of [3, 1, 2]) {
          await store.putIfNewer(postings, { accountId: 'b', seq, amountMinor: seq }, seq * 10);
          await store.putIfNewer(postings, { accountId: 'a', seq, amountMinor: seq }, seq);
        }
        const rows = await store.scan(postings);
        expect(rows.map((r) => [r.item.accountId, r.item.seq, r.version])).toEqual([
          ['a', 1, 1],
          ['a', 2, 2],
          ['a', 3, 3],
          ['b', 1, 10],
          ['b', 2, 20],
          ['b', 3, 30],
        ]);
        expect(await code(store.scan(postings, 5))).toBe('scan_too_large');
        expect(await store.scan(postings, 6)).toHaveLength(6);
      });

      it('gives equal scans for a live namespace and its replay built from the same events', async () => {
        const live = await fresh('live_');
        const replay = await sibling('replay_');
        await replay.ensureTables(TABLES);
        const events: WriteOp[][] = [1, 2, 3, 4].map((n) => entry4(n));
        function entry4(n: number): WriteOp[] {
          return [
            {
              type: 'putIfNewer',
              table: postings,
              item: { accountId: 'escrow:held', seq: n, amountMinor: n },
              version: n,
            },
            { type: 'putIfNewer', table: payments, item: payment('pay_50', { step: n }), version: n },
          ];
        }
        // Live saw a redelivery of event 2; the replay sees each event once.
        for (const e of [events[0]!, events[1]!, events[1]!, events[2]!, events[3]!])
          await live.transactWrite(e);
        for (const e of events) await replay.transactWrite(e);
        for (const t of TABLES) expect(await replay.scan(t)).toEqual(await live.scan(t));
      });
    });
  });
}
