import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from '@paystream/log';
import { EmbeddedSchemaRegistry, EnvelopeCodec } from '@paystream/schemas';
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
