import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadStore } from '@paystream/readstore';
import { describe, expect, it, vi } from 'vitest';
import { bootstrapDefaultTenant } from './bootstrap.js';
import { hashApiKey, KEY_CACHE_TTL_MS, TenantDirectory } from './tenants.js';

describe('tenant bootstrap and API keys', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-'));
  const directory = new TenantDirectory(new SqliteReadStore({ filename: join(dir, 'read.db') }));
  await directory.init();
  const keyFile = join(dir, 'api-key');

  it('creates tenant default and a key written 0600, printed only the first time', async () => {
    const first = await bootstrapDefaultTenant(directory, keyFile, undefined);
    expect(first.created).toBe(true);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(first.apiKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = await bootstrapDefaultTenant(directory, keyFile, undefined);
    expect(again).toEqual({ apiKey: first.apiKey, created: false });
    const found = await directory.lookup(first.apiKey);
    expect(found?.tenant.id).toBe('default');
    expect(found?.scopes).toEqual(['read', 'write', 'admin', 'operator']);
  });

  it('honours PAYSTREAM_API_KEY and stores only a hash of it', async () => {
    const key = 'psk_configured_key_for_tests_000000';
    await bootstrapDefaultTenant(directory, join(dir, 'other-key'), key);
    expect((await directory.lookup(key))?.tenant.id).toBe('default');
    // WAL mode: recent writes live in the -wal file until a checkpoint.
    const files = ['read.db', 'read.db-wal'].map((f) => join(dir, f)).filter((f) => existsSync(f));
    const raw = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(raw.includes(Buffer.from(key))).toBe(false);
    expect(raw.includes(Buffer.from(hashApiKey(key)))).toBe(true);
  });

  it('rejects an unknown key', async () => {
    expect(await directory.lookup('psk_not_a_key_at_all_0000000000')).toBeNull();
  });

  it('caches a found key for a second, and a key added meanwhile works at once', async () => {
    const store = new SqliteReadStore({ filename: join(dir, 'cache.db') });
    const cached = new TenantDirectory(store);
    await cached.init();
    await cached.putTenant({
      id: 'acme',
      name: 'Acme',
      platformFeeBps: 500,
      minAmountMinor: 100,
      maxAmountMinor: 10_000,
    });
    const key = 'psk_cache_key_for_tests_0000000000';
    expect(await cached.lookup(key)).toBeNull(); // misses are not cached…
    await cached.addKey('acme', key, ['read'], 'test');
    const get = vi.spyOn(store, 'get');
    expect((await cached.lookup(key))?.keyHash).toBe(hashApiKey(key)); // …so the new key works
    const reads = get.mock.calls.length;
    expect(reads).toBe(2); // the key, then its tenant
    expect((await cached.lookup(key))?.tenant.id).toBe('acme');
    expect(get.mock.calls.length).toBe(reads); // served from the cache
    vi.useFakeTimers({ now: Date.now() + KEY_CACHE_TTL_MS + 1, toFake: ['Date'] });
    try {
      expect((await cached.lookup(key))?.scopes).toEqual(['read']);
      expect(get.mock.calls.length).toBe(reads + 2); // expired: read again
    } finally {
      vi.useRealTimers();
    }
  });
});
