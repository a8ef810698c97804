// Webhooks in Kafka mode: every service in this process on the real engines the test harness
// started (Apache Kafka, DynamoDB Local, moto for KMS), a receiver on loopback verifying with
// `standardwebhooks`; the endpoint's secret sealed with KMS and its tables in DynamoDB.

import { WEBHOOK_ENDPOINTS } from '@paystream/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../src/compose.js';
import { type KafkaStack, startKafkaStack } from './kafka-stack.js';
import { burstCards, call } from './scenario.js';
import { Receiver } from './webhook-receiver.js';

const key = 'psk_webhooks_kafka_tenant_key_0000000000';
let stack: KafkaStack;
let running: Running;
let run: string;
let rx: Receiver;

beforeAll(async () => {
  process.env.PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE = '1';
  process.env.WEBHOOKS_POLL_INTERVAL_MS = '100';
  stack = await startKafkaStack({ name: 'webhooks-kafka', tablePrefix: 'wh', apiKey: key });
  running = stack.running;
  run = stack.runId;
  rx = await Receiver.start();
}, 180_000);

afterAll(async () => {
  await rx?.close();
  await stack?.close();
});

describe('webhooks (Kafka mode)', () => {
  it('delivers payment.held and escrow.released, signed, with the secret sealed by KMS in DynamoDB', async () => {
    const api = { url: running.url, key };
    const ep = await call(api, 'POST', '/v1/webhook-endpoints', {
      url: rx.url,
      events: ['payment.held', 'escrow.released'],
    });
    expect(ep.status, JSON.stringify(ep.body)).toBe(201);
    rx.secret = ep.body.secret as string;
    const stored = await running.engines.readStore.get(WEBHOOK_ENDPOINTS, { id: ep.body.id as string });
    expect(JSON.stringify(stored)).not.toContain((ep.body.secret as string).slice('whsec_'.length));

    const customerId = `cus_whk_${run}`;
    const card = await call(api, 'POST', '/v1/payment-methods/cards', {
      customerId,
      number: burstCards(40)[33]!,
      expMonth: 12,
      expYear: 2031,
      cvc: '123',
    });
    expect(card.status, JSON.stringify(card.body)).toBe(201);
    // The card reaches the read models through Kafka and the projections: retry until it has.
    let pay = { status: 0, body: {} as Record<string, unknown> };
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      pay = await call(
        api,
        'POST',
        '/v1/payments?wait=30000',
        { amount: 4_200, currency: 'USD', customerId, providerId: 'prv_whk', paymentMethodId: card.body.id },
        { 'idempotency-key': `whk-${run}` },
      );
      if (pay.body.code !== 'payment_method_not_found') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(pay.status, JSON.stringify(pay.body)).toBe(202);
    let held = pay.body;
    for (const deadline = Date.now() + 120_000; held.status !== 'held' && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500));
      held = (await call(api, 'GET', `/v1/payments/${pay.body.id}`)).body;
    }
    expect(held.status, JSON.stringify(held)).toBe('held');
    await rx.waitFor(
      () => rx.ofType('payment.held').some((r) => r.body.data.id === pay.body.id),
      60_000,
      'payment.held',
    );
    const release = await call(api, 'POST', `/v1/escrows/${held.escrowId}/release`, {});
    expect(release.status, JSON.stringify(release.body)).toBe(202);
    await rx.waitFor(() => rx.ofType('escrow.released').length > 0, 60_000, 'escrow.released');
    expect(rx.received.map((r) => r.body.type)).toEqual(['payment.held', 'escrow.released']);
    for (const r of rx.received) {
      expect(r.verifyError).toBeNull();
      expect(r.webhookId).toBe(r.body.id);
    }
    // Each attempt recorded in DynamoDB (a settled delivery leaves the sparse due index).
    const deadline = Date.now() + 10_000;
    let deliveries = await call(api, 'GET', `/v1/webhook-endpoints/${ep.body.id}/deliveries`);
    const settled = () =>
      (deliveries.body.data as { status: string }[]).every((d) => d.status === 'succeeded');
    while (!settled() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      deliveries = await call(api, 'GET', `/v1/webhook-endpoints/${ep.body.id}/deliveries`);
    }
    expect(deliveries.body.data).toHaveLength(2);
    for (const d of deliveries.body.data as Record<string, unknown>[])
      expect(d).toMatchObject({ status: 'succeeded', attemptCount: 1, nextAttemptAt: null });
  }, 180_000);
});
