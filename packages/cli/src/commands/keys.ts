// `paystream tenants create|list` and `paystream keys create|list|revoke`: the key lifecycle
// from a shell on the platform's side. They open only the read store — the data dir in embedded
// mode, DynamoDB in Kafka mode (the Kafka-mode variables) — so they work beside a running
// system. A running server notices a revocation within its auth cache TTL
// (PAYSTREAM_AUTH_CACHE_TTL_MS). Changes are recorded as `cli:<user>`.

import { userInfo } from 'node:os';
import { type ApiKeyView, directoryOptions, TenantDirectory } from '@paystream/auth';
import { PaystreamError } from '@paystream/core';
import { type Config, openReadStore } from '@paystream/runtime';

function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function withDirectory<T>(config: Config, run: (d: TenantDirectory) => Promise<T>): Promise<T> {
  const store = openReadStore(config);
  try {
    const directory = new TenantDirectory(store, directoryOptions(config));
    await directory.init();
    return await run(directory);
  } finally {
    await store.close();
  }
}

function out(json: boolean, value: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : human());
}

function intOrUndefined(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw))
    throw new PaystreamError('invalid_option', `--${name} must be a whole number`, name);
  return Number(raw);
}

/** `--expires 30d`, `--expires 12h` or an ISO 8601 date/time. */
export function parseExpires(raw: string | undefined, nowMs: number): number | null {
  if (raw === undefined) return null;
  const rel = /^(\d{1,6})([dh])$/.exec(raw);
  if (rel) return nowMs + Number(rel[1]) * (rel[2] === 'd' ? 86_400_000 : 3_600_000);
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || !Number.isFinite(ms))
    throw new PaystreamError(
      'invalid_option',
      '--expires must be like 30d, 12h or an ISO 8601 date',
      'expires',
    );
  return ms;
}

/** `--amount-limit JPY:100:700000` (repeatable): limits in that currency's minor units. */
function parseAmountLimits(raw: readonly string[]) {
  const out: Record<string, { minAmountMinor: number; maxAmountMinor: number }> = {};
  for (const r of raw) {
    const m = /^([A-Z]{3}):(\d{1,15}):(\d{1,15})$/.exec(r);
    if (!m)
      throw new PaystreamError(
        'invalid_option',
        '--amount-limit must be CUR:MIN:MAX, e.g. JPY:100:700000',
        'amount-limit',
      );
    out[m[1]!] = { minAmountMinor: Number(m[2]), maxAmountMinor: Number(m[3]) };
  }
  return out;
}

export async function tenantsCreateCommand(
  config: Config,
  id: string,
  opts: {
    name?: string;
    feeBps?: string;
    minAmount?: string;
    maxAmount?: string;
    amountLimit?: string[];
    json: boolean;
  },
): Promise<number> {
  return await withDirectory(config, async (d) => {
    const feeBps = intOrUndefined('fee-bps', opts.feeBps);
    const min = intOrUndefined('min-amount', opts.minAmount);
    const max = intOrUndefined('max-amount', opts.maxAmount);
    const t = await d.createTenant(
      {
        id,
        ...(opts.name ? { name: opts.name } : {}),
        ...(feeBps === undefined ? {} : { platformFeeBps: feeBps }),
        ...(min === undefined ? {} : { minAmountMinor: min }),
        ...(max === undefined ? {} : { maxAmountMinor: max }),
        ...(opts.amountLimit?.length ? { amountLimits: parseAmountLimits(opts.amountLimit) } : {}),
      },
      actor(),
    );
    out(
      opts.json,
      t,
      () => `tenant ${t.id} created (${t.name}); now: paystream keys create --tenant ${t.id} --scopes admin`,
    );
    return 0;
  });
}

export async function tenantsListCommand(config: Config, opts: { json: boolean }): Promise<number> {
  return await withDirectory(config, async (d) => {
    const items = await d.listTenants();
    out(opts.json, { items }, () =>
      items
        .map(
          (t) => `${t.id}\t${t.name}\tfee ${t.platformFeeBps} bps\t${t.minAmountMinor}..${t.maxAmountMinor}`,
        )
        .join('\n'),
    );
    return 0;
  });
}

export async function keysCreateCommand(
  config: Config,
  opts: { tenant: string; scopes: string; label?: string; expires?: string; json: boolean },
): Promise<number> {
  return await withDirectory(config, async (d) => {
    const { key, view } = await d.createKey({
      tenantId: opts.tenant,
      scopes: opts.scopes
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      ...(opts.label ? { label: opts.label } : {}),
      expiresAtMs: parseExpires(opts.expires, d.clock.nowMs()),
      actor: actor(),
    });
    out(opts.json, { ...view, key }, () =>
      [
        `key ${view.id} for tenant ${view.tenantId} (${view.scopes.join(',')})${view.expiresAt ? `, expires ${view.expiresAt}` : ''}`,
        `secret (shown once, store it now): ${key}`,
      ].join('\n'),
    );
    return 0;
  });
}

function line(k: ApiKeyView): string {
  return [
    k.id,
    k.tenantId,
    k.scopes.join(','),
    k.status,
    k.label || '-',
    k.createdAt ?? '-',
    k.expiresAt ?? '-',
  ].join('\t');
}

export async function keysListCommand(
  config: Config,
  opts: { tenant: string; json: boolean },
): Promise<number> {
  return await withDirectory(config, async (d) => {
    const items = await d.listKeys(opts.tenant);
    out(opts.json, { items }, () =>
      ['id\ttenant\tscopes\tstatus\tlabel\tcreated\texpires', ...items.map(line)].join('\n'),
    );
    return 0;
  });
}

export async function keysRevokeCommand(
  config: Config,
  id: string,
  opts: { tenant?: string; json: boolean },
): Promise<number> {
  return await withDirectory(config, async (d) => {
    const revoked = await d.revokeKey(opts.tenant ?? null, id, actor());
    if (!revoked) {
      out(opts.json, { code: 'not_found', message: `no API key ${id}` }, () => `paystream: no API key ${id}`);
      return 1;
    }
    out(
      opts.json,
      revoked,
      () =>
        `key ${revoked.id} of ${revoked.tenantId} revoked; running servers refuse it within ${Math.round(d.cacheTtlMs / 1000)} s`,
    );
    return 0;
  });
}
