import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PaystreamError } from '@paystream/core';
import { positionAfter, SqliteEventLog } from '@paystream/log';
import {
  type AvroSchema,
  EmbeddedSchemaRegistry,
  EnvelopeCodec,
  type SchemaRegistry,
} from '@paystream/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBus } from './bus.js';
import { NEW_CHAIN, sealCommand, sealOnto } from './chains.js';
import { TOPICS } from './topics.js';

describe('EventBus', async () => {
  const log = new SqliteEventLog({ path: join(mkdtempSync(join(tmpdir(), 'bus-')), 'log.db') });
  const bus = new EventBus(log, await EnvelopeCodec.create(new EmbeddedSchemaRegistry()));
  await bus.createTopics(3);
  afterAll(() => log.close());
  const meta = (eventId: string) => ({
    eventId,
    aggregateId: 'pay_dogwalk',
    tenantId: 'default',
    occurredAtMs: Date.UTC(2026, 4, 4),
    causationId: null,
    correlationId: 'req_1',
  });

  it('routes commands and events to their topics, keyed by aggregate, and chains events', async () => {
    const command = sealCommand(
      bus.codec,
      'Release',
      { paymentId: 'pay_dogwalk', amountMinor: null },
      meta('cmd_1'),
    );
    const { envelopes, head } = sealOnto(bus.codec, NEW_CHAIN, [
      {
        type: 'EscrowDisputed',
        payload: {
          escrowId: 'esc_1',
          paymentId: 'pay_dogwalk',
          disputeId: 'dsp_1',
          reason: 'walker no-show',
          frozenMinor: 12_500,
          currency: 'USD',
        },
        meta: meta('evt_1'),
      },
    ]);
    expect(head.version).toBe(1);
    const { positions } = await bus.publish([command, ...envelopes]);
    expect(positions.map((p) => p.topic)).toEqual([TOPICS.commands, TOPICS.events]);
    expect(positions[0]!.partition).toBe(positions[1]!.partition);
  });

  it('dead-letters a record that does not decode, with the reason, and delivers the rest', async () => {
    const good = sealCommand(
      bus.codec,
      'OpenDispute',
      { paymentId: 'pay_x', reason: 'not as described' },
      meta('cmd_2'),
    );
    await log.append([{ topic: TOPICS.commands, key: 'pay_x', value: Buffer.from('{"not":"avro"}') }]);
    const { position } = await bus.publish([{ ...good, aggregateId: 'pay_x' }]);
    const seen: string[] = [];
    const sub = await bus.consume({ groupId: 'bus-test', topics: [TOPICS.commands] }, async (records) => {
      seen.push(...records.map((r) => r.envelope.type));
    });
    expect(await log.waitForGroup('bus-test', position, 10_000)).toBe(true);
    await sub.stop();
    expect(seen).toContain('OpenDispute');
    const dead = await log.read(TOPICS.deadLetter, 0, 0, 10);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers.reason).toMatch(/wire format/);
    expect(dead[0]!.headers['source-topic']).toBe(TOPICS.commands);
  });

  it('hands a consumer only the types it asks for, and still dead-letters records it cannot read', async () => {
    const dispute = sealCommand(
      bus.codec,
      'OpenDispute',
      { paymentId: 'pay_y', reason: 'damaged' },
      {
        ...meta('cmd_3'),
        aggregateId: 'pay_y',
      },
    );
    const release = sealCommand(
      bus.codec,
      'Release',
      { paymentId: 'pay_y', amountMinor: null },
      {
        ...meta('cmd_4'),
        aggregateId: 'pay_y',
      },
    );
    await log.append([
      { topic: TOPICS.commands, key: 'pay_y', value: Buffer.from('garbage, no type header') },
    ]);
    const { position } = await bus.publish([dispute, release]);
    const seen: string[] = [];
    const sub = await bus.consume(
      { groupId: 'bus-types-test', topics: [TOPICS.commands], types: ['Release'] },
      async (records) => {
        seen.push(...records.map((r) => r.envelope.eventId));
      },
    );
    expect(await log.waitForGroup('bus-types-test', position, 10_000)).toBe(true);
    await sub.stop();
    expect(seen).toContain('cmd_4');
    expect(seen).not.toContain('cmd_3');
    expect(seen.every((id) => id !== 'cmd_2')).toBe(true); // OpenDispute from the test above
    const dead = await log.read(TOPICS.deadLetter, 0, 0, 10);
    expect(dead.map((d) => d.value.toString())).toContain('garbage, no type header');
  });
});

describe('EventBus during a schema-registry outage', async () => {
  // A registry that cannot be reached for its first lookups, then answers: the writer schema of
  // id 999 is the envelope (a record from a producer whose registry numbered it differently).
  const registry = new EmbeddedSchemaRegistry();
  let outageLookups = 2;
  let envelopeId = -1;
  const flaky: SchemaRegistry = {
    kind: registry.kind,
    register: (subject, schema) => registry.register(subject, schema),
    async schemaById(id: number): Promise<AvroSchema> {
      if (id !== 999) return await registry.schemaById(id);
      if (outageLookups-- > 0) {
        throw new PaystreamError('schema_registry_unavailable', 'connect ECONNREFUSED 127.0.0.1:8081');
      }
      return await registry.schemaById(envelopeId);
    },
  };
  const log = new SqliteEventLog({ path: join(mkdtempSync(join(tmpdir(), 'bus-')), 'log.db') });
  const bus = new EventBus(log, await EnvelopeCodec.create(flaky));
  await bus.createTopics(1);
  afterAll(() => log.close());

  it('waits the outage out: the record is redelivered and decoded, not dead-lettered', async () => {
    const release = sealCommand(
      bus.codec,
      'Release',
      { paymentId: 'pay_z', amountMinor: null },
      {
        eventId: 'cmd_9',
        aggregateId: 'pay_z',
        tenantId: 'default',
        occurredAtMs: Date.UTC(2026, 4, 4),
        causationId: null,
        correlationId: 'req_9',
      },
    );
    const record = bus.toRecord(release);
    const value = Buffer.from(record.value);
    envelopeId = EnvelopeCodec.schemaIdOf(value);
    value.writeUInt32BE(999, 1);
    const positions = await log.append([{ ...record, value }]);
    const seen: string[] = [];
    const sub = await bus.consume(
      { groupId: 'bus-outage-test', topics: [TOPICS.commands] },
      async (records) => {
        seen.push(...records.map((r) => r.envelope.eventId));
      },
    );
    expect(await log.waitForGroup('bus-outage-test', positionAfter(positions), 20_000)).toBe(true);
    await sub.stop();
    expect(outageLookups).toBeLessThan(0); // both failed lookups happened
    expect(seen).toEqual(['cmd_9']);
    expect(await log.read(TOPICS.deadLetter, 0, 0, 10)).toHaveLength(0);
  });
});
