import { createHash } from 'node:crypto';
import { type EventMeta, NEW_CHAIN, sealOnto, TOPICS } from '@paystream/eventing';
import type { Position } from '@paystream/log';
import type { RunningService } from '@paystream/runtime';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import type { Envelope, Payloads, PayloadType } from '@paystream/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assessmentCommandId,
  createFraudService,
  FRAUD_GROUP_ID,
  type FraudServiceOptions,
  SNAPSHOT_KEY,
} from './service.js';

const T0 = Date.UTC(2026, 1, 2, 12);
const opened: TestEngines[] = [];
const running: RunningService[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await Promise.all(opened.splice(0).map((t) => t.cleanup()));
});

async function engines(): Promise<TestEngines> {
  const t = await openTestEngines();
  opened.push(t);
  return t;
}

async function start(t: TestEngines, options: FraudServiceOptions = {}): Promise<RunningService> {
  const s = await createFraudService(options).start(t);
  running.push(s);
  return s;
}

async function stop(s: RunningService): Promise<void> {
  await s.stop();
  running.splice(running.indexOf(s), 1);
}

/** What ingest's fingerprinter produces: `fp_` and 32 hex digits, never the number itself. */
function fingerprint(label: string): string {
  return `fp_${createHash('sha256').update(label).digest('hex').slice(0, 32)}`;
}

/** An event as a writer has it before sealing it onto its aggregate's chain. */
interface Unsealed {
  readonly type: PayloadType;
  readonly payload: Payloads[PayloadType];
  readonly meta: EventMeta;
}

function meta(eventId: string, aggregateId: string, occurredAtMs: number): EventMeta {
  return {
    eventId,
    aggregateId,
    tenantId: 'default',
    occurredAtMs,
    causationId: null,
    correlationId: `req_${eventId}`,
  };
}

function card(cardId: string, bin: string, last4: string, atMs: number): Unsealed {
  const payload: Payloads['CardTokenized'] = {
    cardId,
    customerId: 'cus_any',
    brand: 'visa',
    bin,
    last4,
    expMonth: 12,
    expYear: 2030,
    fingerprint: fingerprint(`${bin}${last4}${cardId}`),
    sealedNumber: 'sealed:v1:opaque-test-bytes',
  };
  return { type: 'CardTokenized', payload, meta: meta(`evt_${cardId}`, cardId, atMs) };
}

interface PaymentSpec {
  id: string;
  cardId: string;
  atMs: number;
  amountMinor?: number;
  customerId?: string;
  deviceId?: string;
  ipAddress?: string;
}

function payment(s: PaymentSpec): Unsealed {
  const payload: Payloads['PaymentRequested'] = {
    paymentId: s.id,
    customerId: s.customerId ?? 'cus_1',
    providerId: 'prv_1',
    paymentMethodId: s.cardId,
    amountMinor: s.amountMinor ?? 4_200,
    currency: 'USD',
    platformFeeBps: 800,
    holdUntilMs: null,
    autoRelease: true,
    metadata: {},
    risk: {
      ipAddress: s.ipAddress ?? '203.0.113.7',
      ipCountry: 'US',
      deviceId: s.deviceId ?? 'dev_1',
      email: 'a@mail.example',
      userAgent: 'test',
    },
    idempotencyKey: null,
  };
  return { type: 'PaymentRequested', payload, meta: meta(`evt_${s.id}`, s.id, s.atMs) };
}

/** Seals like a writer on a fresh chain per aggregate and appends; returns the position after. */
async function append(t: TestEngines, events: readonly Unsealed[]): Promise<Position> {
  const sealed = events.map((e) => sealOnto(t.engines.bus.codec, NEW_CHAIN, [e]).envelopes[0]!);
  return (await t.engines.bus.publish(sealed)).position;
}

async function consumed(t: TestEngines, position: Position): Promise<void> {
  expect(await t.engines.log.waitForGroup(FRAUD_GROUP_ID, position, 15_000)).toBe(true);
}

/** Append one event at a time and wait for it, so the live order is the append order. */
async function feed(t: TestEngines, events: readonly Unsealed[]): Promise<void> {
  for (const e of events) await consumed(t, await append(t, [e]));
}

async function commands(t: TestEngines): Promise<Envelope<'ApplyFraudAssessment'>[]> {
  const { log, bus } = t.engines;
  const out: Envelope<'ApplyFraudAssessment'>[] = [];
  for (let p = 0; p < (await log.partitionsOf(TOPICS.commands)); p += 1) {
    const records = await log.read(TOPICS.commands, p, 0, 10_000);
    for (const e of await bus.codec.decodeAll(records.map((r) => r.value))) {
      if (e.type === 'ApplyFraudAssessment') out.push(e as Envelope<'ApplyFraudAssessment'>);
    }
  }
  return out;
}

async function commandFor(t: TestEngines, paymentId: string): Promise<Envelope<'ApplyFraudAssessment'>> {
  const found = (await commands(t)).filter((c) => c.payload.paymentId === paymentId);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('fraud service', () => {
  it('publishes one ApplyFraudAssessment per payment, and declines the fraud test card', async () => {
    const t = await engines();
    // Everything is in the log before the service starts: payments whose cards sit in
    // partitions not consumed yet wait for them.
    const events = [
      card('card_ok', '424242', '4242', T0),
      card('card_fraud', '410000', '0019', T0 + 1_000),
      payment({ id: 'pay_ok', cardId: 'card_ok', atMs: T0 + 60_000 }),
      payment({
        id: 'pay_fraud',
        cardId: 'card_fraud',
        atMs: T0 + 120_000,
        customerId: 'cus_2',
        deviceId: 'dev_2',
      }),
    ];
    const position = await append(t, events);
    await start(t, { snapshot: false });
    await consumed(t, position);

    const all = await commands(t);
    expect(all.map((c) => c.payload.paymentId).sort()).toEqual(['pay_fraud', 'pay_ok']);
    for (const c of all) {
      expect(Number.isInteger(c.payload.score)).toBe(true);
      expect(c.payload.score).toBeGreaterThanOrEqual(0);
      expect(c.payload.score).toBeLessThanOrEqual(1000);
      expect(c.payload.reasons.length).toBeLessThanOrEqual(5);
      for (const r of c.payload.reasons) expect(Number.isInteger(r.contribution)).toBe(true);
      expect(c.aggregateId).toBe(c.payload.paymentId);
      expect(c.eventId).toBe(assessmentCommandId('default', c.payload.paymentId));
      expect(c.causationId).toBe(`evt_${c.payload.paymentId}`);
      expect(c.correlationId).toBe(`req_evt_${c.payload.paymentId}`);
    }
    const fraud = await commandFor(t, 'pay_fraud');
    expect(fraud.payload).toMatchObject({ score: 1000, decision: 'decline' });
    expect(fraud.payload.reasons[0]!.code).toBe('simulator_fraud_test_card');
    const ok = await commandFor(t, 'pay_ok');
    expect(ok.payload.decision).not.toBe('decline');
    expect(ok.payload.reasons.map((r) => r.code)).not.toContain('card_facts_unknown');

    const text = await t.metrics.registry.metrics();
    expect(text).toMatch(/paystream_fraud_decisions_total\{decision="decline"\} 1/);
    expect(text).toMatch(/paystream_fraud_scoring_latency_ms_count\{scorer="builtin"\} 2/);
  });

  it('sends a burst of small payments on many new cards from one device to review or decline', async () => {
    const t = await engines();
    await start(t, { snapshot: false });
    const events: Unsealed[] = [];
    for (let i = 0; i < 15; i += 1) {
      const cardId = `card_t${i}`;
      events.push(card(cardId, '520000', String(1000 + i), T0 + i * 10_000));
      events.push(
        payment({
          id: `pay_t${i}`,
          cardId,
          atMs: T0 + i * 10_000 + 1,
          amountMinor: 100 + i,
          customerId: 'cus_tester',
          deviceId: 'dev_attacker',
        }),
      );
    }
    await consumed(t, await append(t, events));
    const decisions: string[] = [];
    for (let i = 0; i < 15; i += 1) decisions.push((await commandFor(t, `pay_t${i}`)).payload.decision);
    expect(decisions.slice(5).every((d) => d === 'review' || d === 'decline')).toBe(true);
  });

  it('does not publish twice for a redelivered or duplicated payment', async () => {
    const t = await engines();
    let service = await start(t, { snapshot: {} });
    await feed(t, [
      card('card_a', '424242', '4242', T0),
      payment({ id: 'pay_a', cardId: 'card_a', atMs: T0 + 5_000 }),
    ]);
    // The same PaymentRequested appended again (a producer retry).
    await feed(t, [payment({ id: 'pay_a', cardId: 'card_a', atMs: T0 + 5_000 })]);
    expect(await commands(t)).toHaveLength(1);
    expect(await t.metrics.registry.metrics()).toMatch(/paystream_fraud_duplicate_payments_total 1/);

    // The whole topic delivered again to the group (offsets moved back while stopped).
    await stop(service);
    await t.engines.log.seekGroup(FRAUD_GROUP_ID, TOPICS.events, 'beginning');
    service = await start(t, { snapshot: {} });
    const end = await t.engines.log.endPosition([TOPICS.events]);
    await consumed(t, end);
    const after = await commands(t);
    expect(after).toHaveLength(1);
    expect(after[0]!.eventId).toBe(assessmentCommandId('default', 'pay_a'));
  });

  // History that matters for the next payment: the same device tries card after card.
  const history: Unsealed[] = [];
  for (let i = 0; i < 6; i += 1) {
    history.push(card(`card_h${i}`, '400000', String(2000 + i), T0 + i * 30_000));
    history.push(
      payment({ id: `pay_h${i}`, cardId: `card_h${i}`, atMs: T0 + i * 30_000 + 1, amountMinor: 300 + i * 7 }),
    );
  }
  const next = [
    card('card_next', '400000', '3000', T0 + 200_000),
    payment({ id: 'pay_next', cardId: 'card_next', atMs: T0 + 200_001, amountMinor: 350 }),
  ];

  async function scoreWithoutRestart(): Promise<number> {
    const t = await engines();
    await start(t, { snapshot: false });
    await feed(t, [...history, ...next]);
    return (await commandFor(t, 'pay_next')).payload.score;
  }

  it.each([
    ['a snapshot written on stop', { snapshot: {} }, { snapshot: {} }],
    [
      'a periodic snapshot plus a replayed tail',
      { snapshot: { everyPayments: 3, onStop: false } },
      { snapshot: { everyPayments: 3, onStop: false } },
    ],
    [
      'no snapshot: a replay of the topic up to the committed offsets',
      { snapshot: false },
      { snapshot: false },
    ],
  ] as const)('rebuilds features after a restart from %s', async (_name, first, second) => {
    const expected = await scoreWithoutRestart();
    const fresh = await engines();
    await start(fresh, { snapshot: false });
    await feed(fresh, next);
    // The history changes the score, so getting it right after a restart means something.
    expect((await commandFor(fresh, 'pay_next')).payload.score).not.toBe(expected);

    const t = await engines();
    const before = await start(t, first as FraudServiceOptions);
    await feed(t, history);
    await stop(before);
    const hasSnapshot = (await t.engines.objects.get(SNAPSHOT_KEY)) !== null;
    expect(hasSnapshot).toBe(first.snapshot !== false);
    const beforeRestart = await commands(t);
    await start(t, second as FraudServiceOptions);
    await feed(t, next);
    expect((await commandFor(t, 'pay_next')).payload.score).toBe(expected);
    // Rebuilding published nothing: one command per payment.
    expect(await commands(t)).toHaveLength(beforeRestart.length + 1);
  });
});
