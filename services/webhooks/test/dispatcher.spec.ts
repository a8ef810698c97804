// The dispatcher against the embedded store with its network edges injected: a host that
// resolved to a public address at registration and to 127.0.0.1 at send time (DNS rebinding)
// is never connected to; the attempt is recorded as failed and retried on the schedule.

import { TestClock } from '@paystream/core';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/delivery/dispatcher.js';
import { newDelivery } from '../src/domain/delivery.js';
import { newEndpoint } from '../src/domain/endpoint.js';
import type { Sender } from '../src/http/sender.js';
import { SecretBox } from '../src/secrets.js';
import { newSecretBytes } from '../src/signing/signature.js';
import { WebhookRepository } from '../src/store/repository.js';
import { WEBHOOK_TABLES } from '../src/store/tables.js';

let te: TestEngines;
const clock = new TestClock(Date.UTC(2026, 11, 5, 12, 0, 0));

beforeAll(async () => {
  te = await openTestEngines({ clock });
  await te.engines.readStore.ensureTables(WEBHOOK_TABLES);
});
afterAll(async () => {
  await te?.cleanup();
});

describe('the dispatcher', () => {
  it('never connects to a host that now resolves to loopback, and retries it on the schedule', async () => {
    const repo = new WebhookRepository(te.engines.readStore);
    const secrets = new SecretBox(te.engines.envelope);
    const now = clock.nowMs();
    const ep = newEndpoint({
      id: 'whep_rebind',
      tenantId: 'default',
      url: new URL('https://hooks.example.test/in'),
      events: ['payment.held'],
      description: null,
      secret: await secrets.seal('default', 'whep_rebind', newSecretBytes(), now),
      nowMs: now,
    });
    await repo.putEndpoint(ep, 1);
    await repo.putEvent({
      id: 'evt_rebind',
      tenantId: 'default',
      type: 'payment.held',
      body: '{"id":"evt_rebind"}',
    });
    const d = newDelivery({
      id: 'whdel_rebind',
      tenantId: 'default',
      endpointId: ep.id,
      eventId: 'evt_rebind',
      eventType: 'payment.held',
      nowMs: now,
    });
    await repo.putDelivery(d, 1);

    const sent: string[] = [];
    const sender: Sender = async (target) => {
      sent.push(target.address);
      return { statusCode: 200, latencyMs: 1, error: null };
    };
    const dispatcher = new Dispatcher({
      repo,
      secrets,
      clock,
      random: () => 0.5,
      sender,
      resolver: async () => [{ address: '127.0.0.1', family: 4 }],
      logger: te.logger,
      metrics: te.metrics,
      allowPrivate: false,
      maxInFlightPerEndpoint: 4,
      maxInFlight: 16,
      timeoutMs: 10_000,
      leaseMarginMs: 20_000,
    });
    await dispatcher.poll();
    await dispatcher.stop();

    expect(sent).toEqual([]);
    const stored = (await repo.delivery('whdel_rebind'))!.value;
    expect(stored).toMatchObject({ status: 'pending', attemptCount: 1, nextAttemptAtMs: now + 5_000 });
    expect(stored.attempts[0]).toMatchObject({
      statusCode: null,
      error: expect.stringContaining('webhook_url_forbidden'),
    });
  });
});
