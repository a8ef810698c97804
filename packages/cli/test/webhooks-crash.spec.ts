// SIGKILL of the webhooks dispatcher mid-run loses nothing: `paystream run webhooks` as its own
// process beside the other services (embedded mode, one PAYSTREAM_DATA), killed while
// deliveries are in flight and while events keep coming, then restarted — every event reaches
// the receiver at least once, signed, and a redelivery carries the same webhook-id.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@paystream/eventing';
import { loadConfig } from '@paystream/runtime';
import { freePort, type ManagedProcess, startProcess } from '@paystream/testkit';
import { WEBHOOK_EVENTS, WEBHOOKS_GROUP } from '@paystream/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, runServices } from '../src/compose.js';
import { type Api, burstCards, call } from './scenario.js';
import { Receiver } from './webhook-receiver.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'paystream-webhooks-crash-'));
const key = 'psk_webhooks_crash_tenant_key_000000000';
const cards = burstCards(32).slice(16);
let running: Running;
let rx: Receiver;
let port: number;
let child: ManagedProcess | null = null;

async function startDispatcher(): Promise<ManagedProcess> {
  return await startProcess({
    name: 'webhooks-crash',
    command: process.execPath,
    args: [join(ROOT, 'packages/cli/bin/paystream.js'), 'run', 'webhooks'],
    cwd: ROOT,
    env: {
      PAYSTREAM_DATA: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      KAFKA_BROKERS: '',
      PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE: '1',
      WEBHOOKS_POLL_INTERVAL_MS: '50',
      // A short deadline and lease, so deliveries leased by the killed process come due soon.
      WEBHOOKS_TIMEOUT_MS: '2000',
      WEBHOOKS_LEASE_MARGIN_MS: '500',
    },
    ready: async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true,
    readyTimeoutMs: 60_000,
    failFastOnExit: true,
  });
}

beforeAll(async () => {
  const config = loadConfig({
    PAYSTREAM_DATA: dataDir,
    PORT: '0',
    PAYSTREAM_API_KEY: key,
    LOG_LEVEL: 'warn',
  });
  running = await runServices(config, ['ingest', 'fraud', 'escrow', 'projections']);
  rx = await Receiver.start();
  port = await freePort();
  child = await startDispatcher();
}, 120_000);

afterAll(async () => {
  await rx?.close();
  await child?.stop();
  await running?.lifecycle.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function pay(api: Api, n: number): Promise<string> {
  const customerId = `cus_crash_${n}`;
  const card = await call(api, 'POST', '/v1/payment-methods/cards', {
    customerId,
    number: cards[n]!,
    expMonth: 12,
    expYear: 2031,
    cvc: '123',
  });
  expect(card.status, JSON.stringify(card.body)).toBe(201);
  const r = await call(
    api,
    'POST',
    '/v1/payments?wait=15000',
    {
      amount: 2_000 + n,
      currency: 'USD',
      customerId,
      providerId: 'prv_crash',
      paymentMethodId: card.body.id,
    },
    { 'idempotency-key': `crash-${n}` },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  expect(r.body.status, JSON.stringify(r.body)).toBe('held');
  return r.body.id as string;
}

describe('webhooks dispatcher killed mid-run', () => {
  it('delivers every event at least once after a restart', async () => {
    const api = { url: running.url, key };
    const hooks = { url: `http://127.0.0.1:${port}`, key };
    const ep = await call(hooks, 'POST', '/v1/webhook-endpoints', { url: rx.url, events: ['payment.held'] });
    expect(ep.status, JSON.stringify(ep.body)).toBe(201);
    rx.secret = ep.body.secret as string;
    // Slow answers: attempts are in flight when the process dies.
    rx.delayMs = 400;

    const payments: string[] = [];
    for (let n = 0; n < 5; n++) payments.push(await pay(api, n));
    await rx.waitFor(() => rx.received.length >= 2, 20_000, 'the first deliveries');
    await child!.kill();
    child = null;
    const atKill = rx.received.length;
    // Events keep coming while the dispatcher is down.
    for (let n = 5; n < 10; n++) payments.push(await pay(api, n));
    expect(payments).toHaveLength(10);
    expect(atKill).toBeLessThan(10);

    child = await startDispatcher();
    const delivered = () => new Set(rx.received.map((r) => r.body.data.id as string));
    await rx.waitFor(
      () => payments.every((id) => delivered().has(id)),
      60_000,
      'every payment.held after restart',
    );

    for (const r of rx.received) expect(r.verifyError).toBeNull();
    // At least once: a repeat of an event carries the same webhook-id and body id.
    const byPayment = new Map<string, Set<string>>();
    for (const r of rx.received) {
      const ids = byPayment.get(r.body.data.id as string) ?? new Set();
      ids.add(r.webhookId);
      byPayment.set(r.body.data.id as string, ids);
    }
    for (const [, ids] of byPayment) expect(ids.size).toBe(1);
  }, 180_000);

  it('a replay of the webhooks consumer group from offset zero mints no second event', async () => {
    // Let the last attempts settle, then stop the dispatcher and rewind its consumer group.
    await new Promise((r) => setTimeout(r, 1_000));
    await child!.stop();
    child = null;
    const before = rx.received.length;
    const { engines } = running;
    const eventsBefore = await engines.readStore.scan(WEBHOOK_EVENTS);
    await engines.log.seekGroup(WEBHOOKS_GROUP, TOPICS.events, 'beginning');
    expect(
      Object.values(await engines.log.committed(WEBHOOKS_GROUP, [TOPICS.events])).every((o) => o === 0),
    ).toBe(true);
    const end = await engines.log.endPosition([TOPICS.events]);
    child = await startDispatcher();
    expect(await engines.log.waitForGroup(WEBHOOKS_GROUP, end, 60_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000));
    const eventsAfter = await engines.readStore.scan(WEBHOOK_EVENTS);
    expect(eventsAfter.map((e) => e.item.id).sort()).toEqual(eventsBefore.map((e) => e.item.id).sort());
    expect(rx.received.length).toBe(before);
  }, 120_000);
});
