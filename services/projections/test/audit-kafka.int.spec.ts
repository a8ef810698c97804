// Tamper evidence on Kafka: a small generated history is appended to a topic of its own on the
// test broker, then copied record by record into fresh topics, each copy with one alteration —
// a record whose payload bytes were edited, a dropped record, two events of one aggregate
// swapped — and audit verify must report each. Kafka offsets are not contiguous (transaction
// markers), so a dropped record is found through its aggregate's versions, not an offset gap.

import { TOPICS } from '@paystream/eventing';
import type { LogRecord, OutRecord } from '@paystream/log';
import type { Envelope } from '@paystream/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditReport, verifyAudit } from '../src/audit/verify.js';
import { generateHistory } from '../src/testing/history.js';
import { type KafkaTestEngines, openKafkaTestEngines } from './kafka-fixture.js';

const READ_BATCH = 1_000;
/** Bounds the copy loop per partition (the history is far smaller). */
const MAX_READS_PER_PARTITION = 100;

describe('audit verify on Kafka topic copies', () => {
  let k: KafkaTestEngines;
  let source = '';
  let partitions = 0;
  /** The source topic's records per partition, in offset order. */
  let original: LogRecord[][] = [];

  const decode = (r: LogRecord): Envelope => k.engines.bus.codec.decode(r.value);

  async function readAll(topic: string): Promise<LogRecord[][]> {
    const out: LogRecord[][] = [];
    for (let p = 0; p < partitions; p++) {
      const records: LogRecord[] = [];
      let from = 0;
      for (let i = 0; i < MAX_READS_PER_PARTITION; i++) {
        const batch = await k.engines.log.read(topic, p, from, READ_BATCH);
        if (batch.length === 0) break;
        records.push(...batch);
        from = batch.at(-1)!.offset + 1;
      }
      out.push(records);
    }
    return out;
  }

  /** Writes `records` (per partition, in order) to a fresh topic and verifies it. */
  async function copyAndVerify(name: string, records: readonly LogRecord[][]): Promise<AuditReport> {
    const topic = `audit.copy.${k.run}.${name}`;
    await k.engines.log.createTopics([{ name: topic, partitions }]);
    const out: OutRecord[] = [];
    const from: number[] = [];
    records.forEach((rs, p) => {
      for (const r of rs) {
        out.push({ topic, key: r.key, value: r.value, headers: { ...r.headers } });
        from.push(p);
      }
    });
    const positions = await k.engines.log.append(out);
    // Same keys, same partition count: every record lands in the partition it came from.
    expect(positions.map((pos) => pos.partition)).toEqual(from);
    return await verifyAudit({ log: k.engines.log, codec: k.engines.bus.codec, topic });
  }

  /** The partition and indexes (in partition order) of an aggregate with at least 3 events. */
  function aggregateWithThreeEvents(): { partition: number; indexes: number[]; aggregateId: string } {
    for (const [partition, records] of original.entries()) {
      const byAggregate = new Map<string, number[]>();
      for (const [i, r] of records.entries()) byAggregate.set(r.key, [...(byAggregate.get(r.key) ?? []), i]);
      for (const [aggregateId, indexes] of byAggregate) {
        if (indexes.length >= 3) return { partition, indexes, aggregateId };
      }
    }
    throw new Error('the history has no aggregate with three events');
  }

  beforeAll(async () => {
    k = await openKafkaTestEngines('ak');
    partitions = await k.engines.log.partitionsOf(TOPICS.events);
    source = `audit.source.${k.run}`;
    await k.engines.log.createTopics([{ name: source, partitions }]);
    const events = generateHistory(k.engines.bus.codec, {
      minEvents: 600,
      tenants: [`ten_audit_${k.run}`],
      idNamespace: k.run,
      seed: 5,
    });
    await k.engines.log.append(events.map((e) => ({ ...k.engines.bus.toRecord(e), topic: source })));
    original = await readAll(source);
    expect(original.flat()).toHaveLength(events.length);
  }, 120_000);

  afterAll(async () => {
    await k?.cleanup();
  });

  it('verifies the untouched source and an unaltered copy', async () => {
    const report = await verifyAudit({ log: k.engines.log, codec: k.engines.bus.codec, topic: source });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.events).toBe(original.flat().length);
    const copy = await copyAndVerify('intact', original);
    expect(copy.problems).toEqual([]);
    expect(copy.events).toBe(original.flat().length);
  });

  it('finds an edited record (payload bytes changed)', async () => {
    const { partition, indexes, aggregateId } = aggregateWithThreeEvents();
    const victim = original[partition]![indexes[1]!]!;
    const e = decode(victim);
    const value = Buffer.from(victim.value);
    // Change one character of the event id inside the encoded payload.
    const at = value.indexOf(Buffer.from(e.eventId, 'utf8')) + e.eventId.length - 1;
    expect(at).toBeGreaterThan(0);
    value[at] = value[at] === 0x61 ? 0x62 : 0x61;
    const records = original.map((rs) => [...rs]);
    records[partition]![indexes[1]!] = { ...victim, value };
    const report = await copyAndVerify('edit', records);
    expect(report.ok).toBe(false);
    expect(report.problemCount).toBe(1);
    expect(report.firstProblem).toMatchObject({
      code: 'hash_mismatch',
      partition,
      aggregateId,
      aggregateVersion: e.aggregateVersion,
    });
  });

  it('finds a dropped record through its aggregate chain', async () => {
    const { partition, indexes, aggregateId } = aggregateWithThreeEvents();
    const dropped = decode(original[partition]![indexes[1]!]!);
    const records = original.map((rs) => [...rs]);
    records[partition]!.splice(indexes[1]!, 1);
    const report = await copyAndVerify('drop', records);
    expect(report.ok).toBe(false);
    expect(report.problemCount).toBe(1);
    expect(report.firstProblem).toMatchObject({
      code: 'version_gap',
      partition,
      aggregateId,
      aggregateVersion: dropped.aggregateVersion + 1,
    });
  });

  it('finds two events of one aggregate swapped', async () => {
    const { partition, indexes, aggregateId } = aggregateWithThreeEvents();
    const [i, j] = [indexes[1]!, indexes[2]!];
    const records = original.map((rs) => [...rs]);
    const rs = records[partition]!;
    [rs[i], rs[j]] = [rs[j]!, rs[i]!];
    const report = await copyAndVerify('swap', records);
    expect(report.ok).toBe(false);
    expect(report.problems.every((p) => p.aggregateId === aggregateId && p.partition === partition)).toBe(
      true,
    );
    expect(report.problems.map((p) => p.code)).toContain('version_order');
    expect(report.firstProblem?.aggregateVersion).toBe(decode(original[partition]![j]!).aggregateVersion);
  });
});
