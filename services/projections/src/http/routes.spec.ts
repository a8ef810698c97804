// The read API over app.inject, against read models the live projector built from a generated
// history of two tenants. Expected figures are computed here from the events themselves.

import { DEFAULT_TENANT, generateApiKey, TenantDirectory } from '@paystream/auth';
import { TestClock } from '@paystream/core';
import { type EscrowEvent, evolveAll } from '@paystream/escrow';
import { foldEntries, type JournalEntry, trialBalance } from '@paystream/ledger';
import { encodePosition } from '@paystream/log';
import { createHttpServer, type HttpServer, type RunningService } from '@paystream/runtime';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import type { Envelope } from '@paystream/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadQueries, projectionsService } from '../service.js';
import { generateHistory } from '../testing/history.js';

type Json = Record<string, unknown>;

describe('read API', () => {
  let t: TestEngines;
  let svc: RunningService;
  let app: HttpServer;
  let events: Envelope[];
  const keys = {
    default: generateApiKey(),
    acme: generateApiKey(),
    defaultRead: generateApiKey(),
    operator: generateApiKey(),
  };

  const get = async (url: string, key: string = keys.default) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
    return { status: res.statusCode, body: res.json() as Json, headers: res.headers };
  };
  const of = <T extends Envelope['type']>(type: T, tenantId?: string) =>
    events.filter(
      (e) => e.type === type && (tenantId === undefined || e.tenantId === tenantId),
    ) as Envelope<T>[];

  beforeAll(async () => {
    t = await openTestEngines({ clock: new TestClock(Date.UTC(2026, 0, 5, 12)) });
    const directory = new TenantDirectory(t.engines.readStore);
    await directory.init();
    await directory.putTenant(DEFAULT_TENANT);
    await directory.putTenant({ ...DEFAULT_TENANT, id: 'acme', name: 'Acme' });
    await directory.addKey('default', keys.default, ['read', 'write', 'admin'], 'test');
    await directory.addKey('default', keys.defaultRead, ['read'], 'test-read');
    await directory.addKey('acme', keys.acme, ['read', 'write', 'admin'], 'test');
    await directory.addKey('default', keys.operator, ['read', 'admin', 'operator'], 'operator');
    events = generateHistory(t.engines.bus.codec, {
      minEvents: 3_000,
      seed: 3,
      tenants: ['default', 'acme'],
      providersPerTenant: 5,
    });
    for (let i = 0; i < events.length; i += 500) await t.engines.bus.publish(events.slice(i, i + 500));
    const ctx = { config: t.config, engines: t.engines, logger: t.logger, metrics: t.metrics };
    svc = await projectionsService.start(ctx);
    expect(await createReadQueries(t.engines).catchUp(30_000)).toBe(true);
    app = await createHttpServer({ logger: t.logger, metrics: t.metrics, service: 'test', openapi: false });
    // The worker serves no routes; the read API is what the API process mounts.
    expect(svc.routes).toBeUndefined();
    await (await projectionsService.api!(ctx))(app);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await svc?.stop();
    await t.cleanup();
  });

  function paymentEvents(paymentId: string): EscrowEvent[] {
    return events
      .filter((e) => e.aggregateId === paymentId && e.type !== 'JournalEntryPosted')
      .map((e) => ({ type: e.type, data: e.payload }) as unknown as EscrowEvent);
  }

  it('shows a payment as the decider folds it, with fraud and escrow id', async () => {
    const held = of('EscrowHeld', 'default')[0]!;
    const res = await get(`/v1/payments/${held.payload.paymentId}`);
    expect(res.status).toBe(200);
    const state = evolveAll({ status: 'none' }, paymentEvents(held.payload.paymentId));
    if (state.status === 'none') throw new Error('no payment');
    expect(res.body).toMatchObject({
      id: held.payload.paymentId,
      status: state.status,
      amount: state.amountMinor,
      escrowId: held.payload.escrowId,
      amounts: {
        captured: state.capturedMinor,
        released: state.releasedMinor,
        refunded: state.refundedMinor,
        held: state.heldMinor,
      },
    });
    const fraud = of('FraudAssessed').find((e) => e.payload.paymentId === held.payload.paymentId)!;
    expect(res.body.fraud).toMatchObject({
      score: fraud.payload.score,
      decision: fraud.payload.decision,
      reasons: fraud.payload.reasons,
    });
  });

  it("answers 404 for another tenant's resources on every GET", async () => {
    const held = of('EscrowHeld', 'default')[0]!;
    const batch = of('AchBatchClosed', 'default')[0]!;
    const providerId = held.payload.providerId;
    const urls: [string, string][] = [
      [`/v1/payments/${held.payload.paymentId}`, 'payment_not_found'],
      [`/v1/escrows/${held.payload.escrowId}`, 'escrow_not_found'],
      [`/v1/providers/${providerId}/balance`, 'provider_not_found'],
      [`/v1/ach/batches/${batch.payload.batchId}`, 'ach_batch_not_found'],
      [`/v1/ledger/accounts/provider:${providerId}:payable`, 'account_not_found'],
      [`/v1/audit/events?aggregateId=${held.payload.paymentId}`, 'aggregate_not_found'],
    ];
    for (const [url, code] of urls) {
      expect((await get(url)).status, url).toBe(200);
      const other = await get(url, keys.acme);
      expect(other.status, url).toBe(404);
      expect(other.body.code, url).toBe(code);
    }
    // Lists never show another tenant's items.
    const payouts = await get(`/v1/payouts?providerId=${providerId}&limit=100`, keys.acme);
    expect(payouts.body.data).toEqual([]);
    const batches = await get('/v1/ach/batches?limit=100', keys.acme);
    const acmeBatchIds = new Set(of('AchBatchClosed', 'acme').map((e) => e.payload.batchId));
    for (const b of batches.body.data as Json[]) expect(acmeBatchIds.has(b.id as string)).toBe(true);
  });

  it('folds ACH account updates (appended on payout aggregates) onto the bank account', async () => {
    const updates = of('BankAccountUpdated');
    expect(updates.length).toBeGreaterThan(0);
    const u = updates[0]!;
    const other = u.tenantId === 'default' ? 'acme' : 'default';
    expect(u.aggregateId).not.toBe(u.payload.bankAccountId);
    const q = createReadQueries(t.engines);
    expect(await q.bankAccount(u.tenantId, u.payload.bankAccountId)).toMatchObject({
      id: u.payload.bankAccountId,
      status: u.payload.status,
    });
    expect(await q.bankAccount(other, u.payload.bankAccountId)).toBeNull();
    const card = of('CardTokenized', 'default')[0]!;
    expect(await q.card('default', card.payload.cardId)).toMatchObject({
      last4: card.payload.last4,
      brand: card.payload.brand,
    });
    expect(JSON.stringify(await q.card('default', card.payload.cardId))).not.toContain('sealed');
  });

  it('pages through payouts and batches with cursors, each item once', async () => {
    for (const [url, expected] of [
      ['/v1/payouts?limit=3', of('PayoutScheduled', 'default').map((e) => e.payload.payoutId)],
      ['/v1/ach/batches?limit=1', of('AchBatchClosed', 'default').map((e) => e.payload.batchId)],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`${url}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...(res.body.data as Json[]).map((x) => x.id as string));
        cursor = res.body.nextCursor as string | null;
        pages += 1;
      } while (cursor);
      expect(pages).toBeGreaterThan(1);
      expect(seen.length).toBe(new Set(seen).size);
      expect(new Set(seen)).toEqual(new Set(expected));
    }
    expect((await get('/v1/payouts?limit=3&cursor=bm90LWEtY3Vyc29y')).body.code).toBe('invalid_cursor');
  });

  it("computes a provider's balance from escrow, releases, payouts and returns", async () => {
    const providerId = 'prov_default_1';
    const mine = <T extends Envelope['type']>(type: T) => of(type, 'default');
    const heldIn = mine('EscrowHeld').filter((e) => e.payload.providerId === providerId);
    const paymentIds = new Set(heldIn.map((e) => e.payload.paymentId));
    const released = mine('EscrowReleased').filter((e) => e.payload.providerId === providerId);
    const refunded = mine('EscrowRefunded').filter((e) => paymentIds.has(e.payload.paymentId));
    const payouts = mine('PayoutScheduled').filter((e) => e.payload.providerId === providerId);
    const payoutIds = new Set(payouts.map((p) => p.payload.payoutId));
    const returned = mine('AchReturnReceived').filter(
      (e) => e.payload.payoutId !== null && payoutIds.has(e.payload.payoutId),
    );
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const held =
      sum(heldIn.map((e) => e.payload.amountMinor)) -
      sum(released.map((e) => e.payload.amountMinor)) -
      sum(refunded.map((e) => e.payload.amountMinor));
    const paidOut = sum(payouts.map((e) => e.payload.amountMinor));
    const back = sum(returned.map((e) => e.payload.amountMinor));
    // Settled: the ledger moved the payout from ach:in_transit to bank:operating.
    const settledIds = new Set(
      mine('JournalEntryPosted')
        .filter(
          (e) =>
            payoutIds.has(e.aggregateId) &&
            e.payload.postings.some((p) => p.account === 'bank:operating' && p.amountMinor < 0),
        )
        .map((e) => e.aggregateId),
    );
    const returnedIds = new Set(returned.map((e) => e.payload.payoutId));
    const paid = sum(
      payouts
        .filter((p) => settledIds.has(p.payload.payoutId) && !returnedIds.has(p.payload.payoutId))
        .map((p) => p.payload.amountMinor),
    );
    const res = await get(`/v1/providers/${providerId}/balance`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      currency: 'USD',
      held,
      available: sum(released.map((e) => e.payload.netMinor)) - paidOut + back,
      inTransit: paidOut - back - paid,
      paid,
    });
    expect(paid).toBeGreaterThan(0);
    expect(paidOut).toBeGreaterThan(0);
  });

  it('shows a balanced trial balance equal to the fold of the journal', async () => {
    const res = await get('/v1/ledger/trial-balance');
    const entries = of('JournalEntryPosted', 'default').map((e) => e.payload as unknown as JournalEntry);
    const expected = trialBalance(foldEntries(entries));
    expect(res.body).toEqual({ balanced: true, currencies: expected.currencies });
    expect(expected.currencies[0]!.debits).toBeGreaterThan(0);
    const fees = await get('/v1/ledger/accounts/platform:fees');
    const feeSum = entries
      .flatMap((e) => e.postings)
      .filter((p) => p.account === 'platform:fees')
      .reduce((a, p) => a + p.amountMinor, 0);
    expect(fees.body).toMatchObject({
      id: 'platform:fees',
      kind: 'revenue',
      balances: [{ currency: 'USD', balance: feeSum }],
    });
    expect((await get('/v1/ledger/accounts/not:an:account')).status).toBe(404);
  });

  it('waits for ?after= positions until the projector has caught up', async () => {
    const paymentId = 'pay_after_test';
    const e = t.engines.bus.codec.chain({
      eventId: 'evt_after_test',
      type: 'PaymentRequested',
      aggregateId: paymentId,
      aggregateVersion: 1,
      tenantId: 'default',
      occurredAtMs: Date.UTC(2026, 0, 5, 12),
      causationId: null,
      correlationId: paymentId,
      payload: {
        paymentId,
        customerId: 'cus_x',
        providerId: 'prov_default_1',
        paymentMethodId: 'card_x',
        amountMinor: 1234,
        currency: 'USD',
        platformFeeBps: 800,
        holdUntilMs: null,
        autoRelease: false,
        metadata: {},
        risk: null,
        idempotencyKey: null,
      },
    });
    const { position } = await t.engines.bus.publish([e]);
    const res = await get(`/v1/payments/${paymentId}?after=${encodePosition(position)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: paymentId, status: 'pending', amount: 1234 });
    expect((await get(`/v1/payments/${paymentId}?after=!!`)).body.code).toBe('invalid_position');
    // A position past the end of the log is refused at once, not held for the whole wait.
    const future = Object.fromEntries(Object.entries(position).map(([k, v]) => [k, v + 1_000_000]));
    const started = performance.now();
    const far = await get(`/v1/payments/${paymentId}?after=${encodePosition(future)}`);
    expect(far.body.code).toBe('invalid_position');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("returns an aggregate's history in order, verified, without sealed numbers", async () => {
    const held = of('EscrowHeld', 'default')[0]!;
    const res = await get(`/v1/audit/events?aggregateId=${held.payload.paymentId}`);
    const expected = events.filter((e) => e.aggregateId === held.payload.paymentId);
    expect(res.body.verified).toBe(true);
    expect((res.body.events as Json[]).map((e) => e.eventId)).toEqual(expected.map((e) => e.eventId));
    const card = of('CardTokenized', 'default')[0]!;
    const cardHistory = await get(`/v1/audit/events?aggregateId=${card.payload.cardId}`);
    expect(JSON.stringify(cardHistory.body)).not.toContain(card.payload.sealedNumber);
    expect((cardHistory.body.events as Json[])[0]!.payload).toMatchObject({
      sealedNumber: '[sealed]',
      last4: card.payload.last4,
    });
  });

  it('verifies the audit chain for admins only', async () => {
    const res = await get('/v1/audit/verify');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, problemCount: 0 });
    expect((await get('/v1/audit/verify', keys.defaultRead)).status).toBe(403);
  });

  it("shows the last rejection on the payment and its escrow, and lists the tenant's rejections", async () => {
    const rejected = of('CommandRejected', 'default').filter((e) => e.payload.targetId !== null);
    expect(rejected.length).toBeGreaterThan(0);
    const target = rejected.at(-1)!.payload.targetId!;
    const latest = rejected
      .filter((e) => e.payload.targetId === target)
      .sort((a, b) => a.occurredAtMs - b.occurredAtMs)
      .at(-1)!;
    const payment = await get(`/v1/payments/${target}`);
    expect(payment.body.lastRejection).toMatchObject({
      commandId: latest.payload.commandId,
      code: latest.payload.code,
      message: latest.payload.message,
    });
    const escrowId = (payment.body as { escrowId?: string }).escrowId;
    if (escrowId) {
      const escrow = await get(`/v1/escrows/${escrowId}`);
      expect(escrow.body.lastRejection).toMatchObject({ commandId: latest.payload.commandId });
    }
    // Another tenant sees neither the payment nor its rejections.
    expect((await get(`/v1/payments/${target}`, keys.acme)).status).toBe(404);
    const list = await get('/v1/audit/rejections?limit=100', keys.acme);
    const acmeIds = new Set(of('CommandRejected', 'acme').map((e) => e.payload.commandId));
    for (const r of list.body.data as { commandId: string }[]) expect(acmeIds.has(r.commandId)).toBe(true);
  });

  it("verifies a tenant admin's own chains only; the platform operator verifies the whole log", async () => {
    const acme = await get('/v1/audit/verify', keys.acme);
    expect(acme.status).toBe(200);
    const acmeEvents = events.filter((e) => e.tenantId === 'acme');
    expect(acme.body).toMatchObject({ ok: true, scope: { tenantId: 'acme' } });
    // The ?after= test may have appended default-tenant events; acme's count is exact.
    expect(acme.body.events).toBe(acmeEvents.length);
    expect(acme.body.aggregates).toBe(new Set(acmeEvents.map((e) => e.aggregateId)).size);
    const all = await get('/v1/audit/verify', keys.operator);
    expect(all.body).toMatchObject({ ok: true, scope: 'platform' });
    expect(all.body.events as number).toBeGreaterThanOrEqual(events.length);
  });

  it('reports costs per payment and per day for the tenant', async () => {
    const res = await get('/v1/analytics/costs?from=2026-01-01&to=2026-02-01&limit=5');
    expect(res.status).toBe(200);
    // The ?after= test may have added one payment of its own.
    const extra = (await get('/v1/payments/pay_after_test')).status === 200 ? 1 : 0;
    const tenantPayments = of('PaymentRequested', 'default');
    expect(res.body.payments).toBe(tenantPayments.length + extra);
    const totals = res.body.totals as Json;
    expect(totals.ourCostMinor as number).toBeGreaterThan(0);
    expect(totals.savingMinor).toBe(
      (totals.processorBaselineMinor as number) - (totals.ourCostMinor as number),
    );
    const days = res.body.days as Json[];
    const dayPayments = days.reduce((a, d) => a + (d.payments as number), 0);
    expect(dayPayments).toBe(tenantPayments.length + extra);
    expect((res.body.paymentLines as Json[]).length).toBe(5);
    expect((await get('/v1/analytics/costs?from=2026-02-01&to=2026-01-01')).status).toBe(400);
  });
});
