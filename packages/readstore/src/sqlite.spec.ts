import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStoreContract } from './contract.js';
import { defineTable } from './port.js';
import { SqliteReadStore } from './sqlite.js';

readStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-readstore-'));
  const filename = join(dir, 'read.db');
  return {
    open: async (prefix) => new SqliteReadStore({ filename, prefix }),
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

  it('refuses an unsafe table prefix', () => {
    expect(() => new SqliteReadStore({ filename: ':memory:', prefix: 'x"; DROP' })).toThrowError(/prefix/);
  });
});
