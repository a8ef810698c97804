import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '@paystream/core';
import { SqliteReadStore } from '@paystream/readstore';
import { describe, expect, it, vi } from 'vitest';
import { bootstrapDefaultTenant } from './bootstrap.js';
import { TtlCache } from './cache.js';
import { USE_RECORD_INTERVAL_MS } from './key-events.js';
import { hashApiKey, keyIdOf, TenantDirectory } from './tenants.js';
import { FailureThrottle } from './throttle.js';

const ACME = { id: 'acme', name: 'Acme', platformFeeBps: 500, minAmountMinor: 100, maxAmountMinor: 10_000 };

async function freshDirectory(name: string, options: ConstructorParameters<typeof TenantDirectory>[1] = {}) {
  const dir = mkdtempSync(join(tmpdir(), `auth-${name}-`));
  const store = new SqliteReadStore({ filename: join(dir, 'read.db') });
  const directory = new TenantDirectory(store, options);
  await directory.init();
  return { dir, store, directory };
}

describe('tenant bootstrap and API keys', async () => {
  const { dir, directory } = await freshDirectory('boot');
  const keyFile = join(dir, 'api-key');

  it('creates tenant default and an operator key written 0600, printed only the first time', async () => {
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

  it('replaces the bootstrap key when PAYSTREAM_API_KEY changes (the old one is revoked)', async () => {
    const { dir: d, directory: fresh } = await freshDirectory('rotate');
    const old = 'psk_rotation_old_key_0000000000000';
    const next = 'psk_rotation_new_key_1111111111111';
    await bootstrapDefaultTenant(fresh, join(d, 'api-key'), old);
    expect(await fresh.lookup(old)).not.toBeNull();
    await bootstrapDefaultTenant(fresh, join(d, 'api-key'), next);
    expect(await fresh.lookup(old)).toBeNull();
    expect((await fresh.lookup(next))?.scopes).toContain('operator');
    const keys = await fresh.listKeys('default');
    expect(keys.filter((k) => k.status === 'active').map((k) => k.id)).toEqual([keyIdOf(hashApiKey(next))]);
    expect(keys.find((k) => k.id === keyIdOf(hashApiKey(old)))).toMatchObject({
      status: 'revoked',
      revokedBy: 'bootstrap',
    });
    const trail = (await fresh.events.list('default', 50)).items.map((e) => [e.action, e.keyId]);
    expect(trail).toContainEqual(['replaced', keyIdOf(hashApiKey(old))]);
    expect(JSON.stringify(trail)).not.toContain(old);
  });

  it('rejects an unknown key', async () => {
    expect(await directory.lookup('psk_not_a_key_at_all_0000000000')).toBeNull();
  });
});

describe('key lifecycle', async () => {
  const clock = new TestClock(Date.UTC(2026, 5, 1));
  const { directory } = await freshDirectory('life', { clock, cacheTtlMs: 0 });
  await directory.createTenant(ACME, 'cli:test');

  it('creates a key whose secret is returned once, lists it without the secret, revokes it', async () => {
    const { key, view } = await directory.createKey({
      tenantId: 'acme',
      scopes: ['read', 'write'],
      label: 'backend',
      actor: 'cli:test',
    });
    expect(key).toMatch(/^psk_/);
    expect(view).toMatchObject({ tenantId: 'acme', scopes: ['read', 'write'], status: 'active' });
    const listed = await directory.listKeys('acme');
    expect(listed.map((k) => k.id)).toEqual([view.id]);
    expect(JSON.stringify(listed)).not.toContain(key);
    expect(JSON.stringify(listed)).not.toContain(hashApiKey(key));
    expect(await directory.revokeKey('default', view.id, 'cli:test')).toBeNull(); // not default's
    const revoked = await directory.revokeKey('acme', view.id, 'cli:test');
    expect(revoked).toMatchObject({ status: 'revoked', revokedBy: 'cli:test' });
    expect(await directory.lookup(key)).toBeNull();
  });

  it('refuses bad input and writes nothing', async () => {
    const before = (await directory.listKeys('acme')).length;
    await expect(
      directory.createKey({ tenantId: 'acme', scopes: ['root'], actor: 'x' }),
    ).rejects.toMatchObject({
      code: 'invalid_scopes',
    });
    await expect(directory.createKey({ tenantId: 'acme', scopes: [], actor: 'x' })).rejects.toMatchObject({
      code: 'invalid_scopes',
    });
    await expect(
      directory.createKey({ tenantId: 'nope', scopes: ['read'], actor: 'x' }),
    ).rejects.toMatchObject({
      code: 'tenant_not_found',
    });
    await expect(
      directory.createKey({ tenantId: 'acme', scopes: ['read'], expiresAtMs: clock.nowMs() - 1, actor: 'x' }),
    ).rejects.toMatchObject({ code: 'invalid_expiry' });
    await expect(directory.createTenant({ id: 'acme' }, 'x')).rejects.toMatchObject({
      code: 'tenant_exists',
    });
    await expect(directory.createTenant({ id: 'bad id\n' }, 'x')).rejects.toMatchObject({
      code: 'invalid_tenant',
    });
    expect((await directory.listKeys('acme')).length).toBe(before);
  });

  it('refuses an expired key from the moment it expires', async () => {
    const { key } = await directory.createKey({
      tenantId: 'acme',
      scopes: ['read'],
      expiresAtMs: clock.nowMs() + 60_000,
      actor: 'x',
    });
    expect(await directory.lookup(key)).not.toBeNull();
    clock.advance(60_000);
    expect(await directory.lookup(key)).toBeNull();
  });

  it('records changes and uses (at most one use record per key and client a minute), never the secret', async () => {
    const { key, view } = await directory.createKey({ tenantId: 'acme', scopes: ['read'], actor: 'key:abc' });
    for (let i = 0; i < 5; i++) await directory.lookup(key, '10.0.0.1');
    clock.advance(USE_RECORD_INTERVAL_MS);
    await directory.lookup(key, '10.0.0.1');
    await new Promise((r) => setTimeout(r, 20)); // use records are written without blocking the request
    const mine = (await directory.events.list('acme', 100)).items.filter((e) => e.keyId === view.id);
    expect(mine.map((e) => e.action).sort()).toEqual(['created', 'used', 'used']);
    expect(mine.find((e) => e.action === 'created')?.actor).toBe('key:abc');
    const uses = mine.filter((e) => e.action === 'used').map((e) => (e.detail as { uses: number }).uses);
    expect(uses.sort()).toEqual([1, 5]);
    expect(JSON.stringify(mine)).not.toContain(key);
  });
});

describe('the auth cache (injectable clock, no sleeps)', async () => {
  const TTL = 30_000;
  const clock = new TestClock(Date.UTC(2026, 5, 1));
  const { dir, store, directory } = await freshDirectory('cache', { clock, cacheTtlMs: TTL });
  await directory.createTenant(ACME, 'test');

  it('serves a found key from memory until the TTL, then reads the store again', async () => {
    const { key } = await directory.createKey({ tenantId: 'acme', scopes: ['read'], actor: 'test' });
    const get = vi.spyOn(store, 'get');
    expect((await directory.lookup(key))?.tenant.id).toBe('acme');
    const reads = get.mock.calls.length;
    expect(reads).toBe(2); // the key, then its tenant
    expect(await directory.lookup(key)).not.toBeNull();
    expect(get.mock.calls.length).toBe(reads);
    clock.advance(TTL);
    expect(await directory.lookup(key)).not.toBeNull();
    expect(get.mock.calls.length).toBe(reads + 2);
    get.mockRestore();
  });

  it('caches a miss too: the same bad key again costs no store round trip', async () => {
    const get = vi.spyOn(store, 'get');
    const bad = 'psk_bad_key_flood_000000000000000';
    expect(await directory.lookup(bad)).toBeNull();
    const reads = get.mock.calls.length;
    for (let i = 0; i < 1_000; i++) expect(await directory.lookup(bad)).toBeNull();
    expect(get.mock.calls.length).toBe(reads);
    get.mockRestore();
  });

  it('refuses a key revoked elsewhere (another process) within the TTL', async () => {
    const { key, view } = await directory.createKey({ tenantId: 'acme', scopes: ['read'], actor: 'test' });
    expect(await directory.lookup(key)).not.toBeNull(); // now cached here
    // Another process: its own connection to the same database (directories sharing one store
    // object in a process drop a revoked key from each other's caches at once).
    const elsewhere = new TenantDirectory(new SqliteReadStore({ filename: join(dir, 'read.db') }), { clock });
    await elsewhere.revokeKey('acme', view.id, 'cli:ops');
    clock.advance(TTL - 1);
    expect(await directory.lookup(key)).not.toBeNull(); // the documented window
    clock.advance(1);
    expect(await directory.lookup(key)).toBeNull();
  });

  it('a revocation through this directory bites at once', async () => {
    const { key, view } = await directory.createKey({ tenantId: 'acme', scopes: ['read'], actor: 'test' });
    expect(await directory.lookup(key)).not.toBeNull();
    await directory.revokeKey('acme', view.id, 'test');
    expect(await directory.lookup(key)).toBeNull();
  });

  it('is bounded: past maxEntries the least recently used entry goes', () => {
    const c = new TtlCache<number>(clock, 1_000, 3);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('d', 4);
    expect(c.size).toBe(3);
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.get('d')]).toEqual([1, 3, 4]);
  });
});

describe('failed-authentication throttle', () => {
  it('refuses a client after maxFailures in the window, until the window ends', () => {
    const clock = new TestClock();
    const t = new FailureThrottle(clock, { maxFailures: 3, windowMs: 10_000, maxClients: 2 });
    for (let i = 0; i < 3; i++) t.fail('1.1.1.1');
    expect(t.retryAfterSeconds('1.1.1.1')).toBe(10);
    expect(t.retryAfterSeconds('2.2.2.2')).toBe(0);
    clock.advance(9_500);
    expect(t.retryAfterSeconds('1.1.1.1')).toBe(1);
    clock.advance(500);
    expect(t.retryAfterSeconds('1.1.1.1')).toBe(0);
  });
});
