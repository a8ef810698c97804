// `paystream tenants …` and `paystream keys …` on an embedded data dir, as an operator runs
// them from a shell: JSON output, the secret printed once, revocation, bad input refused.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey, keyIdOf, TenantDirectory } from '@paystream/auth';
import { loadConfig, openReadStore } from '@paystream/runtime';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  parseExpires,
  tenantsCreateCommand,
  tenantsListCommand,
} from '../src/commands/keys.js';

describe('paystream tenants / keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-keys-'));
  const config = loadConfig({ PAYSTREAM_DATA: dir, KAFKA_BROKERS: '' });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function captured(run: () => Promise<number>): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const spy = vi
      .spyOn(console, 'log')
      .mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      return { code: await run(), out: lines.join('\n') };
    } finally {
      spy.mockRestore();
    }
  }

  it('creates a tenant with per-currency limits, a key printed once, lists and revokes it', async () => {
    const t = await captured(() =>
      tenantsCreateCommand(config, 'acme', { name: 'Acme', amountLimit: ['JPY:100:700000'], json: true }),
    );
    expect(t.code).toBe(0);
    expect(JSON.parse(t.out)).toMatchObject({ id: 'acme', amountLimits: { JPY: { minAmountMinor: 100 } } });
    expect(
      JSON.parse((await captured(() => tenantsListCommand(config, { json: true }))).out).items,
    ).toHaveLength(1);

    const created = await captured(() =>
      keysCreateCommand(config, { tenant: 'acme', scopes: 'read,write', expires: '30d', json: true }),
    );
    const { key, id } = JSON.parse(created.out) as { key: string; id: string };
    expect(id).toBe(keyIdOf(hashApiKey(key)));
    const listed = await captured(() => keysListCommand(config, { tenant: 'acme', json: true }));
    expect(listed.out).not.toContain(key);
    expect(JSON.parse(listed.out).items[0]).toMatchObject({
      id,
      status: 'active',
      scopes: ['read', 'write'],
    });

    const store = openReadStore(config);
    try {
      expect((await new TenantDirectory(store).lookup(key))?.tenant.id).toBe('acme');
      expect((await captured(() => keysRevokeCommand(config, id, { json: true }))).code).toBe(0);
      expect(await new TenantDirectory(store).lookup(key)).toBeNull();
    } finally {
      await store.close();
    }
    expect((await captured(() => keysRevokeCommand(config, '0000000000000000', { json: true }))).code).toBe(
      1,
    );
  });

  it('refuses bad input with a clear error and writes nothing', async () => {
    await expect(
      keysCreateCommand(config, { tenant: 'acme', scopes: 'root', json: true }),
    ).rejects.toMatchObject({
      code: 'invalid_scopes',
    });
    await expect(tenantsCreateCommand(config, 'bad id', { json: true })).rejects.toMatchObject({
      code: 'invalid_tenant',
    });
    await expect(
      tenantsCreateCommand(config, 'other', { amountLimit: ['yen:1:2'], json: true }),
    ).rejects.toMatchObject({ code: 'invalid_option' });
    expect(() => parseExpires('soon', 0)).toThrow(/--expires/);
    expect(parseExpires('2d', 1_000)).toBe(1_000 + 2 * 86_400_000);
    expect(
      JSON.parse((await captured(() => tenantsListCommand(config, { json: true }))).out).items,
    ).toHaveLength(1);
  });
});
