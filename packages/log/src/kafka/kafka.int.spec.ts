// The Kafka adapter against a real broker: the shared contract, then what is Kafka-specific
// (transaction markers, zombie fencing, coalesced appends, a broker restart, SIGKILL).
//
// Broker: PAYSTREAM_TEST_KAFKA_BROKERS when the global setup provides one; otherwise this file
// starts its own (KRaft, from the Maven Central jars) and stops it at the end.

import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaBroker, startKafka } from '../../../testkit/src/kafka.js';
import { crashTest } from '../../test/crash.js';
import { eventLogContract } from '../contract.js';
import type { LogRecord } from '../port.js';
import { positionAfter } from '../position.js';
import { KafkaEventLog } from './kafka-event-log.js';

let ownBroker: KafkaBroker | undefined;
let brokersPromise: Promise<string[]> | undefined;

function brokers(): Promise<string[]> {
  brokersPromise ??= (async () => {
    const env = process.env.PAYSTREAM_TEST_KAFKA_BROKERS;
    if (env) return env.split(',');
    ownBroker = await startKafka();
    return ownBroker.brokers;
  })();
  return brokersPromise;
}

afterAll(async () => {
  await ownBroker?.stop();
}, 60_000);

// A short session timeout: members killed by tests leave the group in 10 s, not 30 s.
const open = async () =>
  new KafkaEventLog({ brokers: await brokers(), clientId: 'kafka-int-spec', sessionTimeoutMs: 10_000 });

eventLogContract('kafka', async () => {
  const log = await open();
  return { log, cleanup: () => log.close() };
});

const uid = () => randomUUID().slice(0, 8);
const text = (r: LogRecord) => r.value.toString('utf8');

async function readAll(log: KafkaEventLog, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const n = await log.partitionsOf(topic);
  for (let p = 0; p < n; p++) out.push(...(await log.read(topic, p, 0, 100_000)));
  return out;
}

describe('kafka adapter specifics', () => {
  let log: KafkaEventLog;
  beforeAll(async () => {
    log = await open();
  }, 300_000);
  afterAll(async () => {
    await log?.close();
  });

  it('coalesces concurrent appends and returns each record its true offset', async () => {
    const t = `kafka.coalesce.${uid()}`;
    await log.createTopics([{ name: t, partitions: 3 }]);
    const calls = Array.from({ length: 40 }, (_, c) =>
      log.append(
        Array.from({ length: 25 }, (_, i) => ({
          topic: t,
          key: `k${(c * 25 + i) % 11}`,
          value: Buffer.from(`${c}:${i}`),
        })),
      ),
    );
    const results = await Promise.all(calls);
    const byPos = new Map((await readAll(log, t)).map((r) => [`${r.partition}/${r.offset}`, text(r)]));
    expect(byPos.size).toBe(1000);
    results.forEach((positions, c) => {
      positions.forEach((p, i) => {
        expect(byPos.get(`${p.partition}/${p.offset}`)).toBe(`${c}:${i}`);
      });
    });
  });

  it('splits an append larger than one request and keeps per-key order', async () => {
    const t = `kafka.big.${uid()}`;
    await log.createTopics([{ name: t, partitions: 2 }]);
    // 3,000 records of 1 KiB: about 3 MiB, several produce requests.
    const records = Array.from({ length: 3000 }, (_, i) => ({
      topic: t,
      key: `k${i % 5}`,
      value: Buffer.alloc(1024, i % 251),
    }));
    const positions = await log.append(records);
    for (let k = 0; k < 5; k++) {
      const offs = positions.filter((_, i) => i % 5 === k).map((p) => p.offset);
      expect(offs).toEqual([...offs].sort((a, b) => a - b));
      expect(new Set(offs).size).toBe(offs.length);
    }
    const end = await log.endPosition([t]);
    expect(Object.values(end).reduce((a, b) => a + b, 0)).toBe(3000);
  });

  it('waitForGroup reaches an end offset that includes transaction markers', async () => {
    const input = `kafka.markers-in.${uid()}`;
    const output = `kafka.markers-out.${uid()}`;
    await log.createTopics([
      { name: input, partitions: 1 },
      { name: output, partitions: 1 },
    ]);
    const g1 = `markers-transform-${uid()}`;
    const g2 = `markers-reader-${uid()}`;
    const transform = await log.subscribe(
      { groupId: g1, topics: [input], maxBatchRecords: 7 },
      async (b, ctx) => {
        ctx.append(b.records.map((r) => ({ topic: output, key: r.key, value: r.value })));
      },
    );
    const appended = await log.append(
      Array.from({ length: 50 }, (_, i) => ({ topic: input, key: 'k', value: Buffer.from(String(i)) })),
    );
    expect(await log.waitForGroup(g1, positionAfter(appended), 60_000)).toBe(true);
    await transform.stop();

    const outs = await readAll(log, output);
    expect(outs.map(text)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    const end = await log.endPosition([output]);
    // Each transaction left a commit marker: the end offset is past the last record + 1.
    expect(end[`${output}/0`]).toBeGreaterThan(outs.at(-1)!.offset + 1);

    let seen = 0;
    const reader = await log.subscribe({ groupId: g2, topics: [output] }, async (b) => {
      seen += b.records.length;
    });
    expect(await log.waitForGroup(g2, end, 60_000)).toBe(true);
    await reader.stop();
    expect(seen).toBe(50);
    expect((await log.committed(g2, [output]))[`${output}/0`]).toBe(end[`${output}/0`]);
  });

  it('fences a zombie owner: its pending outputs and offsets are aborted, never visible', async () => {
    const input = `kafka.zombie-in.${uid()}`;
    const output = `kafka.zombie-out.${uid()}`;
    await log.createTopics([
      { name: input, partitions: 1 },
      { name: output, partitions: 1 },
    ]);
    const g = `zombie-${uid()}`;
    await log.append(
      Array.from({ length: 5 }, (_, i) => ({ topic: input, key: 'k', value: Buffer.from(String(i)) })),
    );

    // The zombie: an old owner of input/0 that staged outputs and offsets but has not committed.
    const raw = new Kafka({ brokers: await brokers(), clientId: 'zombie', logLevel: logLevel.NOTHING });
    const zombie = raw.producer({
      transactionalId: `paystream/${g}/${input}/0`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await zombie.connect();
    const txn = await zombie.transaction();
    await txn.send({ topic: output, messages: [{ key: 'k', value: 'zombie', partition: 0 }] });
    await txn.sendOffsets({
      consumerGroupId: g,
      topics: [{ topic: input, partitions: [{ partition: 0, offset: '5' }] }],
    });

    const sub = await log.subscribe({ groupId: g, topics: [input] }, async (b, ctx) => {
      ctx.append(b.records.map((r) => ({ topic: output, key: r.key, value: Buffer.from(`new:${text(r)}`) })));
    });
    expect(await log.waitForGroup(g, { [`${input}/0`]: 5 }, 60_000)).toBe(true);
    await sub.stop();
    await expect(txn.commit()).rejects.toThrow();
    await zombie.disconnect();

    const outs = (await readAll(log, output)).map(text);
    expect(outs).toEqual(['new:0', 'new:1', 'new:2', 'new:3', 'new:4']);
    // The aborted record and markers are in the log; a reader still reaches the end.
    const end = await log.endPosition([output]);
    expect(end[`${output}/0`]).toBeGreaterThan(outs.length);
    const g2 = `zombie-reader-${uid()}`;
    const reader = await log.subscribe({ groupId: g2, topics: [output] }, async () => undefined);
    expect(await log.waitForGroup(g2, end, 60_000)).toBe(true);
    await reader.stop();
  });

  it('stop() finishes the batch in flight and commits everything it handled', async () => {
    const t = `kafka.stop.${uid()}`;
    const g = `stop-${uid()}`;
    await log.createTopics([{ name: t, partitions: 1 }]);
    await log.append(
      Array.from({ length: 2000 }, (_, i) => ({ topic: t, key: 'k', value: Buffer.from(String(i)) })),
    );
    let handled = 0;
    const sub = await log.subscribe({ groupId: g, topics: [t], maxBatchRecords: 10 }, async (b) => {
      await new Promise((r) => setTimeout(r, 2));
      handled += b.records.length;
    });
    const deadline = Date.now() + 60_000;
    while (handled < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await sub.stop();
    expect(handled).toBeGreaterThanOrEqual(100);
    expect(handled).toBeLessThan(2000);
    // No markers on this topic: offsets are contiguous, so committed = records handled.
    expect((await log.committed(g, [t]))[`${t}/0`]).toBe(handled);
  });

  it('rejects a record over the size limit with a clear error', async () => {
    const t = `kafka.huge.${uid()}`;
    await log.createTopics([{ name: t, partitions: 1 }]);
    await expect(log.append([{ topic: t, key: 'k', value: Buffer.alloc(2_000_000) }])).rejects.toThrow(
      /maximum/,
    );
  });

  it('refuses to change the partition count of an existing topic', async () => {
    const t = `kafka.parts.${uid()}`;
    await log.createTopics([{ name: t, partitions: 2 }]);
    await expect(log.createTopics([{ name: t, partitions: 3 }])).rejects.toThrow(/exists with 2 partitions/);
  });

  it('keeps data and carries on after a broker restart', async () => {
    // The shared broker of the global setup is not ours to restart, so this test always runs
    // against a broker of its own (about 15 s to start) rather than skipping.
    const restartable = ownBroker ?? (await startKafka());
    const log = new KafkaEventLog({
      brokers: restartable.brokers,
      clientId: 'kafka-int-spec-restart',
      sessionTimeoutMs: 10_000,
    });
    try {
      await restartScenario(log, restartable);
    } finally {
      await log.close();
      if (restartable !== ownBroker) await restartable.stop();
    }
  }, 240_000);
});

async function restartScenario(log: KafkaEventLog, broker: KafkaBroker): Promise<void> {
  const t = `kafka.restart.${uid()}`;
  const g = `restart-${uid()}`;
  await log.createTopics([{ name: t, partitions: 2 }]);
  const before = await log.append(
    Array.from({ length: 20 }, (_, i) => ({ topic: t, key: `k${i}`, value: Buffer.from(String(i)) })),
  );
  const seen = new Set<string>();
  const sub = await log.subscribe({ groupId: g, topics: [t] }, async (b) => {
    for (const r of b.records) seen.add(text(r));
  });
  expect(await log.waitForGroup(g, positionAfter(before), 60_000)).toBe(true);
  await broker.restart();
  const after = await log.append(
    Array.from({ length: 20 }, (_, i) => ({ topic: t, key: `k${i}`, value: Buffer.from(String(20 + i)) })),
  );
  expect(await log.waitForGroup(g, positionAfter(after), 90_000)).toBe(true);
  await sub.stop();
  expect(seen.size).toBe(40);
  expect((await readAll(log, t)).length).toBe(40);
}

describe('kafka event log under SIGKILL', () => {
  let observer: KafkaEventLog;
  beforeAll(async () => {
    observer = await open();
  }, 300_000);
  afterAll(async () => {
    await observer?.close();
  });

  it('loses no acknowledged append and processes nothing past a committed offset twice', async () => {
    await crashTest('kafka', (await brokers()).join(','), observer, 4_000);
  }, 240_000);
});
