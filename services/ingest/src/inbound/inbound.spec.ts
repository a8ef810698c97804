// The inbound topic: valid records become the same commands as the API, invalid ones become
// dead letters with the reason, in the same batch commit; keys are shared with the HTTP API.

import { TenantDirectory } from '@paystream/auth';
import { TOPICS } from '@paystream/eventing';
import { type LogRecord, type OutRecord, positionAfter } from '@paystream/log';
import type { Envelope } from '@paystream/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardCache } from '../commands/card-cache.js';
import { paymentIdFor } from '../commands/payments.js';
import { IdempotencyStore } from '../idempotency/store.js';
import {
  escrowIdFor,
  type Harness,
  historyTo,
  openHarness,
  requestPaymentCommand,
} from '../testing/harness.js';
import { InboundConsumer } from './consumer.js';
import { INBOUND_GROUP } from './format.js';
import { scrubRecordValue } from './scrub.js';

const VISA = '4242424242424242';
let h: Harness;
let cardId: string;

beforeAll(async () => {
  h = await openHarness({ inbound: true });
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/payment-methods/cards',
    headers: { authorization: `Bearer ${h.apiKey}` },
    payload: { customerId: 'cus_maya', number: VISA, expMonth: 12, expYear: 2030, cvc: '123' },
  });
  cardId = (res.json() as { id: string }).id;
});
afterAll(async () => {
  await h.close();
});

/** Appends raw values to the inbound topic and waits until the consumer has committed past them. */
async function send(...values: (string | object)[]): Promise<void> {
  const positions = await h.t.engines.log.append(
    values.map((v, i) => ({
      topic: TOPICS.inbound,
      key: `k${i}`,
      value: Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)),
    })),
  );
  expect(await h.t.engines.log.waitForGroup(INBOUND_GROUP, positionAfter(positions), 10_000)).toBe(true);
}

async function deadLetters(): Promise<LogRecord[]> {
  return await h.t.engines.log.read(TOPICS.deadLetter, 0, 0, 10_000);
}

async function commandsFor(paymentId: string): Promise<Envelope[]> {
  return (await h.envelopes(TOPICS.commands)).filter((e) => e.aggregateId === paymentId);
}

const payment = (key: string, body: object = {}) => ({
  type: 'payment.create',
  tenantId: 'default',
  idempotencyKey: key,
  body: {
    amount: 5000,
    currency: 'USD',
    customerId: 'cus_maya',
    providerId: 'prov_rex',
    paymentMethodId: cardId,
    ...body,
  },
});

describe('inbound consumer', () => {
  it('turns a valid payment.create into the RequestPayment the API would append', async () => {
    await send(payment('up-1'));
    const cmds = await commandsFor(paymentIdFor('default', 'up-1'));
    expect(cmds.map((c) => c.type)).toEqual(['RequestPayment']);
    expect((cmds[0] as Envelope<'RequestPayment'>).payload).toMatchObject({
      amountMinor: 5000,
      idempotencyKey: 'up-1',
    });
  });

  it('executes a producer’s duplicate once, and shares keys with the HTTP API', async () => {
    await send(payment('up-2'), payment('up-2'));
    expect(await commandsFor(paymentIdFor('default', 'up-2'))).toHaveLength(1);
    const http = await h.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: { authorization: `Bearer ${h.apiKey}`, 'idempotency-key': 'up-2' },
      payload: payment('up-2').body,
    });
    expect(http.statusCode).toBe(202);
    expect(http.json()).toMatchObject({ id: paymentIdFor('default', 'up-2'), status: 'pending' });
    expect(await commandsFor(paymentIdFor('default', 'up-2'))).toHaveLength(1);
  });

  it('dead-letters invalid records with the reason, and still applies the valid ones of the batch', async () => {
    const before = (await deadLetters()).length;
    await send(
      '{"type": "payment.create", ',
      payment('bad-1', { amount: 50.5 }),
      payment('bad-2', { currency: 'XYZ' }),
      { ...payment('bad-3'), tenantId: 'nobody' },
      payment('up-2', { amount: 6000 }), // key reused with another body
      {
        type: 'payment.refund',
        tenantId: 'default',
        idempotencyKey: 'bad-5',
        resourceId: 'pay_unknown',
        body: {},
      },
      { type: 'escrow.release', tenantId: 'default', idempotencyKey: 'bad-6', body: {} },
      payment('good-in-bad-batch'),
    );
    // Records are keyed onto different partitions, so dead letters arrive in partition order.
    const reasons = (await deadLetters()).slice(before).map((r) => r.headers.reason?.split(':')[0]);
    expect(reasons.sort()).toEqual(
      [
        'malformed_json',
        'validation_failed',
        'unsupported_currency',
        'tenant_not_found',
        'idempotency_conflict',
        'payment_not_found',
        'validation_failed',
      ].sort(),
    );
    for (const r of (await deadLetters()).slice(before)) {
      expect(r.headers['source-topic']).toBe(TOPICS.inbound);
      expect(Number(r.headers['source-offset'])).toBeGreaterThanOrEqual(0);
    }
    expect(await commandsFor(paymentIdFor('default', 'bad-1'))).toHaveLength(0);
    expect(await commandsFor(paymentIdFor('default', 'good-in-bad-batch'))).toHaveLength(1);
  });

  it('refuses card tokenization on the topic and scrubs the number from the dead letter', async () => {
    const before = (await deadLetters()).length;
    await send({
      type: 'card.create',
      tenantId: 'default',
      idempotencyKey: 'card-1',
      body: { customerId: 'c', number: VISA, expMonth: 1, expYear: 2030, cvc: '123', note: `card ${VISA}` },
    });
    const [dl] = (await deadLetters()).slice(before);
    expect(dl?.headers.reason).toMatch(/^sensitive_data_not_accepted:/);
    expect(dl?.value.toString('utf8')).not.toContain(VISA);
    expect(dl?.value.toString('utf8')).not.toContain('"123"');
  });

  it('escrow commands: release of a held payment appends Release; an illegal one is dead-lettered', async () => {
    const paymentId = 'pay_inbound_held';
    await h.givenPayment('default', paymentId, historyTo(requestPaymentCommand(paymentId), 'held'));
    const before = (await deadLetters()).length;
    await send(
      {
        type: 'escrow.release',
        tenantId: 'default',
        idempotencyKey: 'rel-1',
        resourceId: escrowIdFor(paymentId),
        body: { amount: 1000 },
      },
      {
        type: 'escrow.resolve',
        tenantId: 'default',
        idempotencyKey: 'res-1',
        resourceId: escrowIdFor(paymentId),
        body: { outcome: 'refund' },
      },
    );
    const cmds = await commandsFor(paymentId);
    expect(cmds.map((c) => [c.type, c.payload])).toEqual([['Release', { paymentId, amountMinor: 1000 }]]);
    expect((await deadLetters()).slice(before).map((r) => r.headers.reason?.split(':')[0])).toEqual([
      'illegal_transition',
    ]);
  });
});

describe('scrubRecordValue', () => {
  it('redacts sensitive fields and long digit runs in JSON and in broken text', () => {
    const json = scrubRecordValue(
      Buffer.from(
        JSON.stringify({
          number: '1',
          nested: { accountNumber: '000123456789', memo: `pan 4242 4242 4242 4242 ok` },
          big: 4242424242424242,
          amount: 5000,
        }),
      ),
    ).toString('utf8');
    expect(JSON.parse(json)).toEqual({
      number: '[redacted]',
      nested: { accountNumber: '[redacted]', memo: 'pan [redacted] ok' },
      big: '[redacted]',
      amount: 5000,
    });
    expect(scrubRecordValue(Buffer.from(`{"number": "4242-4242-4242-4242"`)).toString('utf8')).toBe(
      '{"number": "[redacted]"',
    );
  });
});

describe('inbound redelivery', () => {
  it('a record redelivered after a failed commit is re-planned identically; another record with its key is a duplicate', async () => {
    const idempotency = new IdempotencyStore(h.t.engines.readStore, h.clock);
    const consumer = new InboundConsumer({
      bus: h.t.engines.bus,
      directory: new TenantDirectory(h.t.engines.readStore),
      commands: { engines: h.t.engines, queries: h.queries, cards: new CardCache(h.queries) },
      idempotency,
      logger: h.t.logger,
      metrics: h.t.metrics,
    });
    const record = (offset: number): LogRecord => ({
      topic: TOPICS.inbound,
      partition: 3,
      offset,
      key: 'redelivery',
      value: Buffer.from(JSON.stringify(payment('redelivery-1'))),
      headers: {},
      timestampMs: 0,
    });
    const first: OutRecord[] = [];
    expect(await consumer.handle(record(900), first)).toBe('accepted');
    // The batch never committed (nothing was appended); the same record comes again.
    const again: OutRecord[] = [];
    expect(await consumer.handle(record(900), again)).toBe('accepted');
    expect(again.map((r) => [r.topic, r.key])).toEqual(first.map((r) => [r.topic, r.key]));
    const decode = (rs: typeof first) => rs.map((r) => h.t.engines.bus.codec.decode(r.value));
    expect(decode(again).map((e) => [e.eventId, e.payload])).toEqual(
      decode(first).map((e) => [e.eventId, e.payload]),
    );
    // The producer sent it twice (another offset): executed once only.
    const dup: OutRecord[] = [];
    expect(await consumer.handle(record(901), dup)).toBe('duplicate');
    expect(dup).toEqual([]);
  });
});
