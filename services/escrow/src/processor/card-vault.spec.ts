import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBus } from '@paystream/eventing';
import { type ReadStore, SqliteReadStore } from '@paystream/readstore';
import { afterAll, describe, expect, it } from 'vitest';
import { CARD_VAULT_TABLE, CardVault } from './card-vault.js';

const dir = mkdtempSync(join(tmpdir(), 'escrow-vault-'));
const sqlite = new SqliteReadStore({ filename: join(dir, 'read.db') });
await sqlite.ensureTables([CARD_VAULT_TABLE]);
afterAll(async () => {
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The store, counting its gets. */
function counting(): { store: ReadStore; gets: () => number } {
  let gets = 0;
  const store = new Proxy(sqlite, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== 'get' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => {
        gets++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as ReadStore;
  return { store, gets: () => gets };
}

const SEALED = 'AQ5sb2NhbDp0ZXN0LWtleQ'; // a sealed value's shape; its content does not matter here

describe('CardVault lookups', () => {
  it('read a vault item once, then serve it sealed from memory', async () => {
    await sqlite.putIfNewer(
      CARD_VAULT_TABLE,
      { key: 't1#card_1', sealedNumber: SEALED, expMonth: 12, expYear: 2030 },
      1,
    );
    const { store, gets } = counting();
    const vault = new CardVault(store, {} as EventBus);
    const first = await vault.card('t1', 'card_1');
    expect(first).toEqual({ sealedNumber: SEALED, expMonth: 12, expYear: 2030 });
    expect(await vault.card('t1', 'card_1')).toEqual(first);
    expect(gets()).toBe(1);
  });

  it('ask again after a miss (the vault may not have seen the card yet)', async () => {
    const { store, gets } = counting();
    const vault = new CardVault(store, {} as EventBus);
    expect(await vault.card('t1', 'card_late')).toBeNull();
    await sqlite.putIfNewer(
      CARD_VAULT_TABLE,
      { key: 't1#card_late', sealedNumber: SEALED, expMonth: 1, expYear: 2031 },
      1,
    );
    expect(await vault.card('t1', 'card_late')).toMatchObject({ expYear: 2031 });
    expect(gets()).toBe(2);
  });

  it('keep at most the stated entries and bytes', async () => {
    for (let i = 0; i < 40; i++) {
      await sqlite.putIfNewer(
        CARD_VAULT_TABLE,
        { key: `t2#c${i}`, sealedNumber: SEALED, expMonth: 1, expYear: 2031 },
        1,
      );
    }
    const vault = new CardVault(sqlite, {} as EventBus, { maxEntries: 8, maxBytes: 100_000 });
    for (let i = 0; i < 40; i++) await vault.card('t2', `c${i}`);
    expect(vault.cache.size).toBe(8);
    const small = new CardVault(sqlite, {} as EventBus, { maxEntries: 100, maxBytes: 1_000 });
    for (let i = 0; i < 40; i++) await small.card('t2', `c${i}`);
    expect(small.cache.bytes).toBeLessThanOrEqual(1_000);
  });
});
