import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadStore } from '@paystream/readstore';
import { describe, expect, it } from 'vitest';
import { requestHash } from './request-hash.js';
import { idempotencyStoreSuite } from './store.contract.js';

describe('request hash', () => {
  it('ignores field order and binds operation and target', () => {
    expect(requestHash('op', null, { a: 1, b: { c: 2, d: 3 } })).toBe(
      requestHash('op', null, { b: { d: 3, c: 2 }, a: 1 }),
    );
    expect(requestHash('op', null, { a: 1 })).not.toBe(requestHash('op2', null, { a: 1 }));
    expect(requestHash('op', 'payment:p1', { a: 1 })).not.toBe(requestHash('op', 'payment:p2', { a: 1 }));
    expect(requestHash('op', null, { a: 1 })).not.toBe(requestHash('op', null, { a: 2 }));
  });
});

idempotencyStoreSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-idem-'));
  const readStore = new SqliteReadStore({ filename: join(dir, 'read.db') });
  return {
    readStore,
    async close() {
      await readStore.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
