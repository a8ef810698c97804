// Webhooks end to end on the embedded engines (`paystream start`), with real receivers on
// loopback that verify every delivery with the `standardwebhooks` library. The clock is a test
// clock started at the real time (receivers check timestamps), moved forward to reach retries.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '@paystream/core';
import { loadConfig } from '@paystream/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, runServices } from '../src/compose.js';
import { availableServices } from '../src/services.js';
import { type Api, burstCards, call } from './scenario.js';
import { Receiver } from './webhook-receiver.js';

const dataDir = mkdtempSync(join(tmpdir(), 'paystream-webhooks-'));
const key = 'psk_webhooks_embedded_tenant_key_0000000';
const clock = new TestClock(Date.now());
let running: Running;
let api: Api;
const receivers: Receiver[] = [];
let seq = 0;

beforeAll(async () => {
  process.env.PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE = '1';
  process.env.WEBHOOKS_POLL_INTERVAL_MS = '50';
  const config = loadConfig({
    PAYSTREAM_DATA: dataDir,
    PORT: '0',
    PAYSTREAM_API_KEY: key,
    LOG_LEVEL: 'warn',
  });
  running = await runServices(config, availableServices(), { clock });
  api = { url: running.url, key };
}, 60_000);

afterAll(async () => {
  // Receivers first: the dispatcher's stop then has no hanging attempt to wait out.
  for (const r of receivers) await r.close();
  await running?.lifecycle.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function receiver(events: string[]): Promise<{ rx: Receiver; endpointId: string }> {
  const rx = await Receiver.start();
  receivers.push(rx);
  const r = await call(api, 'POST', '/v1/webhook-endpoints', { url: rx.url, events, description: 'test' });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.secret).toMatch(/^whsec_/);
  rx.secret = r.body.secret as string;
  return { rx, endpointId: r.body.id as string };
}

// One card per customer: a card shared by customers is what fraud screening declines.
const cards = burstCards(64);

/** A held payment of a fresh customer with a card of its own, so fraud screening approves. */
async function heldPayment(): Promise<{ id: string; escrowId: string }> {
  seq += 1;
  const customerId = `cus_wh_${seq}`;
  const card = await call(api, 'POST', '/v1/payment-methods/cards', {
    customerId,
    number: cards[seq]!,
    expMonth: 12,
    expYear: 2031,
    cvc: '123',
  });
  expect(card.status, JSON.stringify(card.body)).toBe(201);
  const pay = await call(
    api,
    'POST',
    '/v1/payments?wait=15000',
    { amount: 5_000 + seq, currency: 'USD', customerId, providerId: 'prv_wh', paymentMethodId: card.body.id },
    { 'idempotency-key': `wh-${seq}` },
  );
  expect(pay.status, JSON.stringify(pay.body)).toBe(202);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const p = await call(api, 'GET', `/v1/payments/${pay.body.id}`);
    if (p.status === 200 && p.body.status === 'held')
      return { id: p.body.id as string, escrowId: p.body.escrowId as string };
    if (Date.now() > deadline) throw new Error(`payment not held: ${JSON.stringify(p.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhooks (embedded)', () => {
  it('a payment held and released produces payment.held then escrow.released, verified', async () => {
    const { rx } = await receiver(['payment.held', 'escrow.released', 'escrow.partially_released']);
    const p = await heldPayment();
    await rx.waitFor(
      () => rx.ofType('payment.held').some((r) => r.body.data.id === p.id),
      15_000,
      'payment.held',
    );
    const release = await call(api, 'POST', `/v1/escrows/${p.escrowId}/release`, {});
    expect(release.status, JSON.stringify(release.body)).toBe(202);
    await rx.waitFor(
      () => rx.ofType('escrow.released').some((r) => r.body.data.id === p.escrowId),
      15_000,
      'escrow.released',
    );

    const mine = rx.received.filter((r) => r.body.data.id === p.id || r.body.data.id === p.escrowId);
    expect(mine.map((r) => r.body.type)).toEqual(['payment.held', 'escrow.released']);
    for (const r of mine) {
      expect(r.verifyError).toBeNull();
      expect(r.webhookId).toBe(r.body.id);
      expect(r.body.id).toMatch(/^evt_[0-9a-f]{26}$/);
      expect(Date.parse(r.body.created)).toBeGreaterThan(0);
    }
    // `data` is the resource as the read API shows it.
    const escrow = await call(api, 'GET', `/v1/escrows/${p.escrowId}`);
    expect(mine[1]!.body.data).toEqual(escrow.body);
    expect(mine[0]!.body.data).toMatchObject({ id: p.id, amount: expect.any(Number), currency: 'USD' });
  }, 60_000);

  it('a receiver answering 500 twice then 200 gets the event on the third attempt, same webhook-id', async () => {
    const { rx, endpointId } = await receiver(['payment.held']);
    rx.answer = (_id, nth) => (nth <= 2 ? 500 : 200);
    const p = await heldPayment();
    const mine = () => rx.received.filter((r) => r.body.data.id === p.id);
    await rx.waitFor(() => mine().length === 1, 15_000, 'first attempt');
    // Retries come after 5 s and 30 s (±20 %): once the failed attempt is recorded (its retry
    // time taken from the clock), move the clock, not the wall.
    const recorded = async (n: number) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const list = await call(api, 'GET', `/v1/webhook-endpoints/${endpointId}/deliveries`);
        const d = (list.body.data as { attemptCount: number }[])[0];
        if (d && d.attemptCount >= n) return;
        if (Date.now() > deadline) throw new Error(`attempt ${n} not recorded`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await recorded(1);
    clock.advance(6_001);
    await rx.waitFor(() => mine().length === 2, 10_000, 'second attempt');
    await recorded(2);
    clock.advance(36_001);
    await rx.waitFor(() => mine().length === 3, 10_000, 'third attempt');
    await recorded(3);

    const attempts = mine();
    expect(new Set(attempts.map((r) => r.webhookId)).size).toBe(1);
    expect(new Set(attempts.map((r) => r.body.id)).size).toBe(1);
    for (const r of attempts) expect(r.verifyError).toBeNull();
    expect(attempts[2]!.timestamp).toBeGreaterThan(attempts[0]!.timestamp);

    const deliveries = await call(api, 'GET', `/v1/webhook-endpoints/${endpointId}/deliveries`);
    const d = (deliveries.body.data as Record<string, unknown>[]).find(
      (x) => x.eventId === attempts[0]!.webhookId,
    )!;
    expect(d).toMatchObject({ status: 'succeeded', attemptCount: 3, eventType: 'payment.held' });
    expect((d.attempts as { statusCode: number }[]).map((a) => a.statusCode)).toEqual([500, 500, 200]);
  }, 60_000);

  it('a 410 disables the endpoint: nothing more is sent to it', async () => {
    const { rx, endpointId } = await receiver(['payment.held']);
    const { rx: witness } = await receiver(['payment.held']);
    rx.answer = () => 410;
    const first = await heldPayment();
    await rx.waitFor(() => rx.received.some((r) => r.body.data.id === first.id), 15_000, 'the 410 attempt');
    const deadline = Date.now() + 5_000;
    let ep = await call(api, 'GET', `/v1/webhook-endpoints/${endpointId}`);
    while (ep.body.enabled !== false && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      ep = await call(api, 'GET', `/v1/webhook-endpoints/${endpointId}`);
    }
    expect(ep.body).toMatchObject({ enabled: false, disabledReason: 'gone' });

    const second = await heldPayment();
    await witness.waitFor(
      () => witness.received.some((r) => r.body.data.id === second.id),
      15_000,
      'witness',
    );
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received).toHaveLength(1);
    // A manual retry to a disabled endpoint is refused, with the reason.
    const deliveries = await call(api, 'GET', `/v1/webhook-endpoints/${endpointId}/deliveries`);
    const d = (deliveries.body.data as { id: string; status: string }[])[0]!;
    expect(d.status).toBe('failed');
    const retry = await call(api, 'POST', `/v1/webhook-deliveries/${d.id}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('webhook_endpoint_disabled');
  }, 60_000);

  it('a receiver that hangs does not delay another endpoint’s deliveries', async () => {
    const { rx: slow } = await receiver(['payment.held']);
    const { rx: fast } = await receiver(['payment.held']);
    slow.answer = () => 'hang';
    const started = Date.now();
    const payments = [];
    for (let i = 0; i < 6; i++) payments.push(await heldPayment());
    const ids = new Set(payments.map((p) => p.id));
    await fast.waitFor(
      () => [...ids].every((id) => fast.received.some((r) => r.body.data.id === id)),
      8_000,
      'every payment.held at the fast endpoint',
    );
    // All of them well inside one attempt deadline (10 s) of the hanging endpoint, which holds
    // at most its 4 in-flight slots.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(slow.hanging).toBeLessThanOrEqual(4);
    expect(slow.hanging).toBeGreaterThan(0);
    for (const r of fast.received) expect(r.verifyError).toBeNull();
  }, 60_000);

  it('signs with the old and the new secret for a day after a rotation', async () => {
    const { rx, endpointId } = await receiver(['payment.held']);
    const oldSecret = rx.secret;
    const rotated = await call(api, 'POST', `/v1/webhook-endpoints/${endpointId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(oldSecret);
    const p = await heldPayment();
    await rx.waitFor(
      () => rx.received.some((r) => r.body.data.id === p.id),
      15_000,
      'delivery after rotation',
    );
    // Verified with the old secret (rx.secret); the new one verifies too.
    expect(rx.received.at(-1)!.verifyError).toBeNull();
    rx.secret = rotated.body.secret as string;
    const p2 = await heldPayment();
    await rx.waitFor(() => rx.received.some((r) => r.body.data.id === p2.id), 15_000, 'second delivery');
    expect(rx.received.at(-1)!.verifyError).toBeNull();
  }, 60_000);
});
