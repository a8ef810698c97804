import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { readStoreContract } from './contract.js';
import { canonical, defineTable, type VersionedItem } from './port.js';
import { SqliteReadStore } from './sqlite.js';

readStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-readstore-'));
  const filename = join(dir, 'read.db');
  return {
    open: async (prefix) => new SqliteReadStore({ filename, prefix }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

// The replay namespace's configuration: no journal on disk, bulk loads on a writer thread.
readStoreContract('SQLite scratch with a writer thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-readstore-'));
  const filename = join(dir, 'replay.db');
  return {
    open: async (prefix) => new SqliteReadStore({ filename, prefix, scratch: true, writerThread: true }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SQLite read store', () => {
  it('keeps data across a reopen of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paystream-readstore-'));
    try {
      const t = defineTable({ name: 'balances', key: { pk: 'providerId' } });
      const a = new SqliteReadStore({ filename: join(dir, 'r.db') });
      await a.ensureTables([t]);
      await a.putIfNewer(t, { providerId: 'prov_1', heldMinor: 9200 }, 3);
      await a.close();
      const b = new SqliteReadStore({ filename: join(dir, 'r.db') });
      await b.ensureTables([t]);
      expect(await b.get(t, { providerId: 'prov_1' })).toEqual({ heldMinor: 9200, providerId: 'prov_1' });
      expect(await b.putIfNewer(t, { providerId: 'prov_1', heldMinor: 0 }, 3)).toBe(false);
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores the same canonical JSON whether a bulk load is written inline or by the writer thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paystream-readstore-'));
    try {
      const t = defineTable({ name: 'docs', key: { pk: 'id' } });
      // Key orders the canonical form must fix: integer-like keys (which objects enumerate
      // first), unicode, nesting in arrays, undefined attributes (dropped), empty containers.
      const items: VersionedItem[] = [
        {
          item: {
            id: 'a',
            z: 1,
            a: { '10': 'x', '9': 'y', b: [{ y: 1, x: 2 }] },
            é: 'è',
            m: undefined as never,
          },
          version: 3,
        },
        { item: { id: 'b', list: [[{ b: null, a: true }], []], o: {}, '0': 0 }, version: 1 },
        { item: { v: -9_007_199_254_740_991, id: 'c', s: 'quote " and \\ and \u2028' }, version: 7 },
      ];
      const rows = async (threaded: boolean) => {
        const filename = join(dir, threaded ? 'threaded.db' : 'inline.db');
        const store = new SqliteReadStore({ filename, scratch: threaded, writerThread: threaded });
        await store.ensureTables([t]);
        await store.bulkLoad(t, items);
        await store.close();
        const db = new Database(filename, { readonly: true });
        try {
          return db.prepare('SELECT k_pk, version, item FROM docs ORDER BY k_pk').all();
        } finally {
          db.close();
        }
      };
      const inline = await rows(false);
      expect(await rows(true)).toEqual(inline);
      expect(inline.map((r) => (r as { item: string }).item)).toEqual(
        items.map((v) => JSON.stringify(canonical(v.item))),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands bulk loads to the writer thread and reads only once they are written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paystream-readstore-'));
    const store = new SqliteReadStore({ filename: join(dir, 'r.db'), scratch: true, writerThread: true });
    try {
      const t = defineTable({ name: 'counters', key: { pk: 'id' } });
      await store.ensureTables([t]);
      // Not awaited one by one: a caller may hand over several loads and await them together.
      const loads = Array.from({ length: 20 }, (_, n) =>
        store.bulkLoad(
          t,
          Array.from({ length: 500 }, (_, i) => ({ item: { id: `c${n * 500 + i}`, n }, version: n + 1 })),
        ),
      );
      expect(await store.scan(t)).toHaveLength(10_000);
      await Promise.all(loads);
      expect(await store.get(t, { id: 'c9999' })).toEqual({ id: 'c9999', n: 19 });
      // Invalid items are refused on the calling thread, before anything reaches the writer.
      await expect(store.bulkLoad(t, [{ item: { id: 'bad', x: 0.5 }, version: 1 }])).rejects.toMatchObject({
        code: 'invalid_item',
      });
      expect(await store.get(t, { id: 'bad' })).toBeNull();
      // A load the thread cannot write fails alone, as it would inline.
      const missing = defineTable({ name: 'missing', key: { pk: 'id' } });
      await expect(store.bulkLoad(missing, [{ item: { id: 'x' }, version: 1 }])).rejects.toMatchObject({
        code: 'table_not_found',
      });
      await store.bulkLoad(t, [{ item: { id: 'after', n: 0 }, version: 1 }]);
      expect(await store.get(t, { id: 'after' })).toEqual({ id: 'after', n: 0 });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scans stored texts: the keys, versions and canonical JSON that scan parses', async () => {
    const store = new SqliteReadStore({ filename: ':memory:' });
    try {
      const t = defineTable({
        name: 'postings',
        key: { pk: 'account', sk: { name: 'seq', type: 'number' } },
      });
      await store.ensureTables([t]);
      await store.putIfNewer(t, { seq: 2, account: 'b', amount: -5 }, 4);
      await store.putIfNewer(t, { account: 'a', seq: 10, memo: { z: 1, a: 2 } }, 1);
      await store.putIfNewer(t, { account: 'a', seq: 9 }, 7);
      const texts = (await store.scanText(t)).map((r) => ({ ...r }));
      expect(texts.map((r) => r.key)).toEqual([
        ['a', 9],
        ['a', 10],
        ['b', 2],
      ]);
      const scanned = await store.scan(t);
      expect(texts.map((r) => ({ item: JSON.parse(r.json), version: r.version }))).toEqual(scanned);
      expect(texts.map((r) => r.json)).toEqual(scanned.map((v) => JSON.stringify(canonical(v.item))));
      await expect(store.scanText(t, 2)).rejects.toMatchObject({ code: 'scan_too_large' });
    } finally {
      await store.close();
    }
  });

  it('finds the rows that differ between two stores, in one file or two', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paystream-readstore-'));
    const t = defineTable({ name: 'postings', key: { pk: 'account', sk: { name: 'seq', type: 'number' } } });
    const open = async (file: string, prefix = '') => {
      const s = new SqliteReadStore({ filename: join(dir, file), prefix });
      await s.ensureTables([t]);
      return s;
    };
    const stores = [await open('a.db'), await open('b.db'), await open('a.db', 'other_')];
    try {
      const [a, b, sibling] = stores as [SqliteReadStore, SqliteReadStore, SqliteReadStore];
      for (const s of [a, b, sibling]) {
        await s.putIfNewer(t, { account: 'x', seq: 1, n: 1 }, 1); // equal everywhere
        await s.putIfNewer(t, { account: 'x', seq: 2, n: 2 }, 2);
      }
      await a.putIfNewer(t, { account: 'x', seq: 2, n: 2 }, 3); // a newer version
      await a.putIfNewer(t, { account: 'y', seq: 1 }, 1); // only in a
      for (const s of [b, sibling]) {
        await s.putIfNewer(t, { account: 'x', seq: 3, n: 3 }, 1); // only in the other
        await s.putIfNewer(t, { account: '1', seq: 0 }, 1); // a key that sorts first
      }
      for (const other of [b, sibling]) {
        const d = await a.diffRows(t, other);
        expect([d.here, d.there]).toEqual([3, 4]);
        expect(d.rows.map((r) => [r.key, r.here?.version ?? null, r.there?.version ?? null])).toEqual([
          [['x', 2], 3, 2],
          [['y', 1], 1, null],
          [['1', 0], null, 1],
          [['x', 3], null, 1],
        ]);
        expect(JSON.parse(d.rows[0]!.there!.json)).toEqual({ account: 'x', seq: 2, n: 2 });
      }
      expect((await b.diffRows(t, sibling)).rows).toEqual([]);
    } finally {
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs a file for a writer thread', () => {
    expect(() => new SqliteReadStore({ filename: ':memory:', writerThread: true })).toThrowError(
      /writer thread needs a database file/,
    );
  });

  it('refuses an unsafe table prefix', () => {
    expect(() => new SqliteReadStore({ filename: ':memory:', prefix: 'x"; DROP' })).toThrowError(/prefix/);
  });
});
