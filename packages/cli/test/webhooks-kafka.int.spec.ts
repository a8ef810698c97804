// Webhooks in Kafka mode: every service in this process on the real engines the test harness
// started (Apache Kafka, DynamoDB Local, moto for KMS), a receiver on loopback verifying with
// `standardwebhooks`; the endpoint's secret sealed with KMS and its tables in DynamoDB.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKmsKey } from '@paystream/keys';
import { loadConfig } from '@paystream/runtime';
import { WEBHOOK_ENDPOINTS } from '@paystream/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, runServices } from '../src/compose.js';
import { availableServices } from '../src/services.js';
import { startGroupsAtTheEnd } from './kafka-groups.js';
import { burstCards, call } from './scenario.js';
import { Receiver } from './webhook-receiver.js';

function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: the integration global setup starts Kafka, the schema registry, DynamoDB Local and moto`,
    );
  return v;
}

const brokers = required('PAYSTREAM_TEST_KAFKA_BROKERS');
const awsEndpoint = required('PAYSTREAM_TEST_AWS_ENDPOINT');
const dynamodbEndpoint = required('PAYSTREAM_TEST_DYNAMODB_ENDPOINT');
const registryUrl = required('PAYSTREAM_TEST_SCHEMA_REGISTRY_URL');
const dataDir = mkdtempSync(join(tmpdir(), 'paystream-webhooks-kafka-'));
const run = Date.now().toString(36);
const key = 'psk_webhooks_kafka_tenant_key_0000000000';
let running: Running;
let rx: Receiver;

beforeAll(async () => {
  await startGroupsAtTheEnd(brokers);
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE = '1';
  process.env.WEBHOOKS_POLL_INTERVAL_MS = '100';
  const kmsKeyId = await createKmsKey(
    {
      region: 'us-east-1',
      endpoint: awsEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    },
    'paystream webhooks kafka test',
  );
  const config = loadConfig({
    PAYSTREAM_DATA: dataDir,
    PORT: '0',
    PAYSTREAM_API_KEY: key,
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: brokers,
    SCHEMA_REGISTRY_URL: registryUrl,
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    AWS_ENDPOINT_URL: awsEndpoint,
    AWS_REGION: 'us-east-1',
    KMS_KEY_ID: kmsKeyId,
    S3_BUCKET: `paystream-webhooks-${run}`,
    PAYSTREAM_TABLE_PREFIX: `wh_${run}_`,
  });
  expect(config.mode).toBe('kafka');
  running = await runServices(config, availableServices());
  rx = await Receiver.start();
}, 180_000);

afterAll(async () => {
  await rx?.close();
  await running?.lifecycle.close();
  rmSync(dataDir, { recursive: true, force: true });
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
