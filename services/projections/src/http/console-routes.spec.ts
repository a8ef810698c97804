// The console's read endpoints over app.inject, against read models the live projector built
// from a generated history of two tenants: every figure is checked against the events
// themselves, and nothing of the other tenant shows.

import { DEFAULT_TENANT, generateApiKey, TenantDirectory } from '@paystream/auth';
import { TestClock } from '@paystream/core';
import { createHttpServer, type HttpServer, type RunningService } from '@paystream/runtime';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import type { Envelope } from '@paystream/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadQueries, projectionsService } from '../service.js';
import { generateHistory } from '../testing/history.js';

type Json = Record<string, unknown>;

describe('console read API', () => {
  let t: TestEngines;
  let svc: RunningService;
  let app: HttpServer;
  let events: Envelope[];
  const keys = { default: generateApiKey(), acme: generateApiKey(), defaultRead: generateApiKey() };

  const get = async (url: string, key: string = keys.default) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
    return { status: res.statusCode, body: res.json() as Json };
  };
  const of = <T extends Envelope['type']>(type: T, tenantId: string) =>
    events.filter((e) => e.type === type && e.tenantId === tenantId) as Envelope<T>[];

  beforeAll(async () => {
    t = await openTestEngines({ clock: new TestClock(Date.UTC(2026, 0, 7, 12)) });
    const directory = new TenantDirectory(t.engines.readStore);
    await directory.init();
    await directory.putTenant(DEFAULT_TENANT);
    await directory.putTenant({ ...DEFAULT_TENANT, id: 'acme', name: 'Acme' });
    await directory.addKey('default', keys.default, ['read', 'write', 'admin'], 'test');
    await directory.addKey('default', keys.defaultRead, ['read'], 'test-read');
    await directory.addKey('acme', keys.acme, ['read', 'write', 'admin'], 'test');
    events = generateHistory(t.engines.bus.codec, { minEvents: 2_000, seed: 5, providersPerTenant: 4 });
    for (let i = 0; i < events.length; i += 500) await t.engines.bus.publish(events.slice(i, i + 500));
    svc = await projectionsService.start({
      config: t.config,
      engines: t.engines,
      logger: t.logger,
      metrics: t.metrics,
    });
    expect(await createReadQueries(t.engines).catchUp(30_000)).toBe(true);
    app = await createHttpServer({ logger: t.logger, metrics: t.metrics, service: 'test', openapi: false });
    await svc.routes!(app);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await svc?.stop();
    await t.cleanup();
  });

  it('tells the console the key’s tenant and scopes', async () => {
    expect((await get('/v1/console/session', keys.defaultRead)).body).toMatchObject({
      tenant: { id: 'default' },
      scopes: ['read'],
    });
  });

  it('searches the tenant’s payments newest first, filtered, and refuses a bad filter', async () => {
    const requested = of('PaymentRequested', 'default');
    const all = await get('/v1/payments?limit=100');
    expect(all.status).toBe(200);
    const data = all.body.data as Json[];
    const ids = new Set(requested.map((e) => e.aggregateId));
    for (const p of data) expect(ids.has(p.id as string)).toBe(true);
    const created = data.map((p) => Date.parse(p.createdAt as string));
    expect(created).toEqual([...created].sort((a, b) => b - a));

    const provider = requested[0]!.payload.providerId;
    const wanted = requested.filter((e) => e.payload.providerId === provider).length;
    let found = 0;
    let cursor: unknown = null;
    do {
      const page = await get(
        `/v1/payments?providerId=${provider}&limit=100${cursor ? `&cursor=${encodeURIComponent(String(cursor))}` : ''}`,
      );
      for (const p of page.body.data as Json[]) expect(p.providerId).toBe(provider);
      found += (page.body.data as Json[]).length;
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(found).toBe(wanted);

    // Pages hold exactly `limit`, and following the cursor visits every payment once.
    const seen: string[] = [];
    let next: unknown = null;
    do {
      const page = await get(
        `/v1/payments?limit=7${next ? `&cursor=${encodeURIComponent(String(next))}` : ''}`,
      );
      const rows = page.body.data as Json[];
      if (page.body.nextCursor) expect(rows).toHaveLength(7);
      seen.push(...rows.map((p) => p.id as string));
      next = page.body.nextCursor;
    } while (next);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(ids.size);
    expect((await get('/v1/payments?cursor=bm90LWEtY3Vyc29y')).body).toMatchObject({
      code: 'invalid_cursor',
    });

    const declined = await get('/v1/payments?status=declined&limit=100');
    for (const p of declined.body.data as Json[]) expect(p.status).toBe('declined');

    const bad = await get('/v1/payments?status=lost');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_field', field: 'status' });
    expect((await get('/v1/payments?minAmount=5&maxAmount=4')).body).toMatchObject({ field: 'minAmount' });
    expect((await get('/v1/payments')).status).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/payments' })).statusCode).toBe(401);
  });

  it('counts the overview from the tenant’s payments, with costs that add up', async () => {
    const res = await get('/v1/console/overview?range=week');
    expect(res.status).toBe(200);
    const fromMs = Date.UTC(2026, 0, 7, 12) + 1 - 7 * 86_400_000;
    const inRange = of('PaymentRequested', 'default').filter((e) => e.occurredAtMs >= fromMs);
    expect(res.body.payments).toBe(inRange.length);
    expect(res.body.amountMinor).toBe(inRange.reduce((a, e) => a + e.payload.amountMinor, 0));
    const declinedIds = new Set(of('PaymentDeclined', 'default').map((e) => e.aggregateId));
    expect(res.body.declined).toBe(inRange.filter((e) => declinedIds.has(e.aggregateId)).length);
    const byReason = res.body.declinesByReason as Record<string, number>;
    expect(Object.values(byReason).reduce((a, b) => a + b, 0)).toBe(res.body.declined);
    const series = res.body.series as Json[];
    expect(series).toHaveLength(28);
    expect(series.reduce((a, b) => a + (b.payments as number), 0)).toBe(res.body.payments);
    const costs = res.body.costs as Json;
    expect(costs.savingMinor).toBe((costs.processorBaselineMinor as number) - (costs.ourCostMinor as number));
    expect(res.body.trialBalance).toMatchObject({ balanced: true });
    const latency = res.body.latencyMs as Json;
    expect(latency.samples as number).toBeGreaterThan(0);
    expect(latency.p50 as number).toBeLessThanOrEqual(latency.p99 as number);
    expect((await get('/v1/console/overview?range=year')).body).toMatchObject({
      code: 'invalid_field',
      field: 'range',
    });
  });

  it('lists providers with the same balances as the balance endpoint, only the tenant’s', async () => {
    const res = await get('/v1/providers');
    const data = res.body.data as { providerId: string; balances: Json[] }[];
    expect(data.length).toBeGreaterThan(0);
    for (const p of data) {
      expect(p.providerId.startsWith('prov_default_')).toBe(true);
      const one = await get(`/v1/providers/${p.providerId}/balance`);
      expect(p.balances).toEqual(one.body.balances);
    }
  });

  it('lists ledger accounts whose debits equal credits, and ACH returns of the tenant', async () => {
    const accounts = (await get('/v1/ledger/accounts')).body.data as Json[];
    const debits = accounts.reduce((a, x) => a + Math.max(0, x.balance as number), 0);
    const credits = accounts.reduce((a, x) => a + Math.max(0, -(x.balance as number)), 0);
    expect(debits).toBe(credits);
    expect(debits).toBeGreaterThan(0);
    const returns = (await get('/v1/ach/returns')).body.data as Json[];
    expect(returns.length).toBe(Math.min(50, of('AchReturnReceived', 'default').length));
  });

  it('tails the tenant’s newest events from the log, by type when asked', async () => {
    const res = await get('/v1/console/events?limit=20');
    const data = res.body.data as Json[];
    expect(data).toHaveLength(20);
    const ids = new Set(events.filter((e) => e.tenantId === 'default').map((e) => e.eventId));
    for (const e of data) expect(ids.has(e.eventId as string)).toBe(true);
    const journal = (await get('/v1/console/events?type=JournalEntryPosted&limit=10')).body.data as Json[];
    expect(journal.length).toBeGreaterThan(0);
    for (const e of journal) expect(e.type).toBe('JournalEntryPosted');
  });

  it('documents every console endpoint in the OpenAPI at /docs', async () => {
    const docs = await createHttpServer({ logger: t.logger, metrics: t.metrics, service: 'test' });
    await svc.routes!(docs);
    await docs.ready();
    const spec = (await docs.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[]; summary?: string }>>;
    };
    await docs.close();
    for (const path of [
      '/v1/payments',
      '/v1/console/session',
      '/v1/console/overview',
      '/v1/console/review-queue',
      '/v1/providers',
      '/v1/ach/returns',
      '/v1/ledger/accounts',
      '/v1/console/events',
      '/v1/console/infrastructure',
    ]) {
      expect(spec.paths[path]?.get?.summary, path).toBeTruthy();
    }
  });

  it('shows consumer lag, dead letters and health to admins only', async () => {
    expect((await get('/v1/console/infrastructure', keys.defaultRead)).status).toBe(403);
    const res = await get('/v1/console/infrastructure');
    expect(res.status).toBe(200);
    const consumers = res.body.consumers as Json[];
    expect(consumers.find((c) => c.group === 'paystream-projections')).toMatchObject({ lag: 0 });
    expect(res.body.deadLetters).toMatchObject({ total: 0, newest: [] });
  });
});
