import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from './catalog.js';
import { EnvelopeCodec } from './codec.js';
import type { UnchainedEnvelope } from './envelope.js';
import { GENESIS_HASH } from './envelope.js';
import { EmbeddedSchemaRegistry } from './registry/embedded.js';

const requested: UnchainedEnvelope<'PaymentRequested'> = {
  eventId: 'evt_dogwalk_1',
  type: 'PaymentRequested',
  aggregateId: 'pay_dogwalk',
  aggregateVersion: 1,
  tenantId: 'default',
  occurredAtMs: Date.UTC(2026, 4, 4, 14, 30),
  causationId: null,
  correlationId: 'req_1',
  payload: {
    paymentId: 'pay_dogwalk',
    customerId: 'cus_alice',
    providerId: 'prv_walkies',
    paymentMethodId: 'card_alice_visa',
    amountMinor: 12_500,
    currency: 'USD',
    platformFeeBps: 800,
    holdUntilMs: null,
    autoRelease: true,
    metadata: { booking: 'B-1042' },
    risk: { ipAddress: '203.0.113.7', ipCountry: 'US', deviceId: null, email: null, userAgent: null },
    idempotencyKey: 'idem-1',
  },
};

describe('EnvelopeCodec', async () => {
  const codec = await EnvelopeCodec.create(new EmbeddedSchemaRegistry());

  it('round-trips an event through the Confluent wire format', () => {
    const e = codec.chain(requested);
    const bytes = codec.encode(e);
    expect(bytes[0]).toBe(0);
    expect(EnvelopeCodec.schemaIdOf(bytes)).toBe(codec.schemaId);
    const back = codec.decode(bytes);
    expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(JSON.stringify(e)));
  });

  it('encodes a chained event once: the record bytes are those a fresh encoding gives', () => {
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 80 });
    fc.assert(
      fc.property(
        fc.record({
          eventId: text,
          aggregateId: text,
          tenantId: text,
          correlationId: text,
          causationId: fc.option(text, { nil: null }),
          aggregateVersion: fc.integer({ min: 0, max: 2 ** 52 }), // avsc longs stop short of 2^53
          occurredAtMs: fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
          booking: fc.string({ unit: 'grapheme', maxLength: 200 }),
          amountMinor: fc.integer({ min: 1, max: 2 ** 40 }),
          prevHash: fc.oneof(fc.constant(GENESIS_HASH), fc.stringMatching(/^[0-9a-f]{64}$/)),
        }),
        (v) => {
          const e = codec.chain(
            {
              ...requested,
              eventId: v.eventId,
              aggregateId: v.aggregateId,
              tenantId: v.tenantId,
              correlationId: v.correlationId,
              causationId: v.causationId,
              aggregateVersion: v.aggregateVersion,
              occurredAtMs: v.occurredAtMs,
              payload: { ...requested.payload, amountMinor: v.amountMinor, metadata: { booking: v.booking } },
            },
            v.prevHash,
          );
          // A copy is not the chained object, so it is encoded from scratch.
          expect(codec.encode(e).equals(codec.encode({ ...e }))).toBe(true);
          expect(codec.encode(e)).toBe(codec.encode(e));
          expect(codec.expectedHash(codec.decode(codec.encode(e)))).toBe(e.hash);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hands out chained envelopes frozen, since their bytes are already made', () => {
    const e = codec.chain(requested);
    expect(Object.isFrozen(e)).toBe(true);
    expect(() => {
      (e as { hash: string }).hash = 'x';
    }).toThrow(TypeError);
  });

  it('chains hashes per aggregate and detects an altered amount', () => {
    const first = codec.chain(requested);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(codec.expectedHash(first)).toBe(first.hash);
    const second = codec.chain({ ...requested, eventId: 'evt_dogwalk_2', aggregateVersion: 2 }, first.hash);
    expect(second.prevHash).toBe(first.hash);
    const forged = { ...first, payload: { ...first.payload, amountMinor: 1 } };
    expect(codec.expectedHash(forged)).not.toBe(first.hash);
  });

  it('keeps the hash independent of the registry id', () => {
    const e = codec.chain(requested);
    expect(codec.expectedHash({ ...e, schemaId: 999 })).toBe(e.hash);
  });

  it('refuses bytes that are not in the wire format, naming the problem', () => {
    expect(() => codec.decode(Buffer.from('{"amount":1}'))).toThrow(/wire format/);
    const bytes = codec.encode(codec.chain(requested));
    bytes.writeUInt32BE(4242, 1);
    expect(() => codec.decode(bytes)).toThrow(/schema 4242 not loaded/);
  });

  it('decodes a record lying inside a larger buffer, and refuses one cut short or followed by bytes', () => {
    const e = codec.chain(requested);
    const bytes = codec.encode(e);
    // A view into a segment, as replay reads records in place.
    const segment = Buffer.concat([Buffer.from([9, 9, 9]), bytes, Buffer.from([7])]);
    const view = segment.subarray(3, 3 + bytes.length);
    expect(JSON.parse(JSON.stringify(codec.decode(view)))).toEqual(JSON.parse(JSON.stringify(e)));
    expect(Object.keys(codec.decode(view)).sort()).toEqual(Object.keys(e).sort());
    expect(() => codec.decode(segment.subarray(3, 3 + bytes.length + 1))).toThrow(/trailing data/);
    expect(() => codec.decode(bytes.subarray(0, bytes.length - 3))).toThrow(/does not decode/);
  });

  it('refuses an event type with no schema', () => {
    const bogus = { ...codec.chain(requested), type: 'MoneyPrinted' } as unknown as Parameters<
      typeof codec.encode
    >[0];
    expect(() => codec.encode(bogus)).toThrow(/no Avro schema for event type MoneyPrinted/);
  });

  it('reads data written by an older schema version', async () => {
    // Simulate v1 written before a new optional field existed: the current schema is the reader.
    const catalog = loadCatalog();
    const registry = new EmbeddedSchemaRegistry({
      subject: 'paystream.Envelope',
      versions: [{ version: 1, fingerprint: 'x', schema: catalog.envelope }],
    });
    const old = await EnvelopeCodec.create(
      { ...registry, kind: 'embedded', register: async () => 1, schemaById: (id) => registry.schemaById(id) },
      catalog,
    );
    const [decoded] = await codec.decodeAll([old.encode(old.chain(requested))]);
    expect(decoded?.payload).toMatchObject({ amountMinor: 12_500, currency: 'USD' });
  });
});
