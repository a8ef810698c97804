// Kafka log benchmark: the KafkaEventLog adapter next to a raw kafkajs producer/consumer on the
// same broker with the same settings (idempotent, acks=all, one request in flight, explicit
// partitions from partitionFor, read_committed consumer).
//
//   (a) batched append throughput: `events` records of `valueBytes` in batches of `batchSize`
//   (b) append→consume: the same volume appended while a group consumes it; throughput from the
//       first append to the last record handled, and p50/p99 latency from the append call to
//       the handler (the payload carries its send time).
//
// `npx tsx packages/log/bench/kafka-bench.ts` starts a local broker and prints a table;
// KAFKA_BROKERS=host:port uses an existing one. BENCH_EVENTS overrides the count.

import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { startKafka } from '../../testkit/src/kafka.js';
import { KafkaEventLog } from '../src/kafka/kafka-event-log.js';
import { partitionFor } from '../src/partitioner.js';
import type { LogBenchResult } from './sqlite-bench.js';
import { payload, round, sentAt, summarize } from './stats.js';

const PARTITIONS = 12;
/** No phase may run longer than this; a stuck consumer fails the bench instead of hanging it. */
const PHASE_TIMEOUT_MS = 180_000;
const MAX_EVENTS = 1_000_000;

export interface KafkaBenchOptions {
  events?: number;
  batchSize?: number;
  valueBytes?: number;
}

interface Engine {
  name: string;
  append(topic: string, batch: { key: string; value: Buffer }[]): Promise<void>;
  consume(
    topic: string,
    groupId: string,
    onRecords: (values: Buffer[]) => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

function adapterEngine(brokers: string[]): Engine & { log: KafkaEventLog } {
  const log = new KafkaEventLog({ brokers, clientId: 'bench-adapter' });
  return {
    name: 'kafka (KafkaEventLog)',
    log,
    async append(topic, batch) {
      await log.append(batch.map((r) => ({ topic, key: r.key, value: r.value })));
    },
    async consume(topic, groupId, onRecords) {
      const sub = await log.subscribe({ groupId, topics: [topic], maxBatchRecords: 1_000 }, async (b) => {
        onRecords(b.records.map((r) => r.value));
      });
      return () => sub.stop();
    },
    close: () => log.close(),
  };
}

function rawEngine(brokers: string[]): Engine {
  const kafka = new Kafka({ brokers, clientId: 'bench-raw', logLevel: logLevel.ERROR });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  let connected: Promise<void> | undefined;
  return {
    name: 'kafka (raw kafkajs)',
    async append(topic, batch) {
      connected ??= producer.connect();
      await connected;
      await producer.send({
        topic,
        acks: -1,
        messages: batch.map((r) => ({
          key: r.key,
          value: r.value,
          partition: partitionFor(r.key, PARTITIONS),
        })),
      });
    },
    async consume(topic, groupId, onRecords) {
      const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 500 });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          onRecords(batch.messages.map((m) => m.value ?? Buffer.alloc(0)));
        },
      });
      return async () => {
        await consumer.stop();
        await consumer.disconnect();
      };
    },
    async close() {
      if (connected) await producer.disconnect();
    },
  };
}

function makeBatch(
  i: number,
  batchSize: number,
  valueBytes: number,
  sentNs: bigint,
): { key: string; value: Buffer }[] {
  return Array.from({ length: batchSize }, (_, j) => ({
    key: `pay_${i + j}`,
    value: payload(valueBytes, sentNs),
  }));
}

async function withTimeout<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${PHASE_TIMEOUT_MS} ms`)),
      PHASE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runEngine(
  engine: Engine,
  admin: KafkaEventLog,
  events: number,
  batchSize: number,
  valueBytes: number,
): Promise<LogBenchResult> {
  const id = randomUUID().slice(0, 8);
  const appendTopic = `bench.append.${id}`;
  const e2eTopic = `bench.e2e.${id}`;
  await admin.createTopics([
    { name: appendTopic, partitions: PARTITIONS },
    { name: e2eTopic, partitions: PARTITIONS },
  ]);

  // Warm-up: connections, metadata, producer id.
  await engine.append(appendTopic, makeBatch(-batchSize, Math.min(batchSize, 100), valueBytes, 0n));

  // (a) batched appends
  let t0 = process.hrtime.bigint();
  await withTimeout(
    `${engine.name} append`,
    (async () => {
      for (let i = 0; i < events; i += batchSize)
        await engine.append(appendTopic, makeBatch(i, batchSize, valueBytes, 0n));
    })(),
  );
  const appendSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  // (b) append → consume. The consumer joins first and sees one warm-up record, so the group
  // join is not counted.
  const latencies: number[] = [];
  let received = 0;
  let warm = false;
  let resolveWarm: () => void = () => undefined;
  let resolveDone: () => void = () => undefined;
  const warmed = new Promise<void>((r) => {
    resolveWarm = r;
  });
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const stop = await engine.consume(e2eTopic, `bench-${id}`, (values) => {
    const now = process.hrtime.bigint();
    for (const v of values) {
      const sent = sentAt(v);
      if (sent === 0n) {
        warm = true;
        continue;
      }
      latencies.push(Number(now - sent) / 1e6);
      received++;
    }
    if (warm) resolveWarm();
    if (received >= events) resolveDone();
  });
  try {
    await engine.append(e2eTopic, [{ key: 'warmup', value: payload(valueBytes, 0n) }]);
    await withTimeout(`${engine.name} consumer join`, warmed);
    t0 = process.hrtime.bigint();
    await withTimeout(
      `${engine.name} append→consume`,
      (async () => {
        for (let i = 0; i < events; i += batchSize) {
          await engine.append(e2eTopic, makeBatch(i, batchSize, valueBytes, process.hrtime.bigint()));
        }
        await done;
      })(),
    );
  } finally {
    await stop();
  }
  const e2eSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const { p50Ms, p99Ms } = summarize(latencies);
  return {
    engine: engine.name,
    appendEventsPerSecond: Math.round(events / appendSeconds),
    consumeEventsPerSecond: Math.round(events / e2eSeconds),
    endToEndP50Ms: p50Ms,
    endToEndP99Ms: p99Ms,
    events,
    batchSize,
    valueBytes: round(valueBytes, 0),
  };
}

/** Runs the adapter and the raw baseline on `brokers`; returns [adapter, raw]. */
export async function benchKafka(
  brokers: string[],
  options: KafkaBenchOptions = {},
): Promise<LogBenchResult[]> {
  const events = Math.min(MAX_EVENTS, options.events ?? 200_000);
  const batchSize = options.batchSize ?? 1_000;
  const valueBytes = options.valueBytes ?? 300;
  const adapter = adapterEngine(brokers);
  const raw = rawEngine(brokers);
  try {
    // Raw first, adapter second, on the same broker and topics layout.
    const rawResult = await runEngine(raw, adapter.log, events, batchSize, valueBytes);
    const adapterResult = await runEngine(adapter, adapter.log, events, batchSize, valueBytes);
    return [adapterResult, rawResult];
  } finally {
    await raw.close();
    await adapter.close();
  }
}

/** Starts a local broker (or uses KAFKA_BROKERS), runs the bench, stops the broker. */
export async function benchKafkaWithLocalBroker(events = 200_000): Promise<LogBenchResult[]> {
  if (process.env.KAFKA_BROKERS) return await benchKafka(process.env.KAFKA_BROKERS.split(','), { events });
  const broker = await startKafka();
  try {
    return await benchKafka(broker.brokers, { events });
  } finally {
    await broker.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const events = Number(process.env.BENCH_EVENTS ?? 200_000);
  const results = await benchKafkaWithLocalBroker(events);
  console.table(
    results.map((r) => ({
      engine: r.engine,
      'append ev/s': r.appendEventsPerSecond,
      'append→consume ev/s': r.consumeEventsPerSecond,
      'p50 ms': r.endToEndP50Ms,
      'p99 ms': r.endToEndP99Ms,
      events: r.events,
    })),
  );
  const [adapter, raw] = results;
  if (adapter && raw) {
    console.log(
      `adapter / raw: append ${round((100 * adapter.appendEventsPerSecond) / raw.appendEventsPerSecond, 0)}%, ` +
        `append→consume ${round((100 * adapter.consumeEventsPerSecond) / raw.consumeEventsPerSecond, 0)}%`,
    );
  }
}
