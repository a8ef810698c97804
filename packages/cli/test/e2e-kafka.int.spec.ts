// The same marketplace day in Kafka mode: every service in this process but on the real
// engines the test harness started — Apache Kafka (KRaft), the schema registry (Apicurio
// Registry's Confluent-compatible API), DynamoDB Local, and moto for KMS and S3 — then a scan
// of every record on every topic (aborted transactions included) for card and account numbers,
// and of the schema ids the records carry.

import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../src/compose.js';
import { type KafkaStack, startKafkaStack, testServerEnv } from './kafka-stack.js';
import { burstCards, marketplaceDay, SECRETS } from './scenario.js';

const { brokers, registryUrl } = testServerEnv();
const key = 'psk_e2e_kafka_tenant_key_0000000000000000';
let stack: KafkaStack;
let running: Running;
let run: string;
let scans = 0;

beforeAll(async () => {
  stack = await startKafkaStack({ name: 'e2e-kafka', tablePrefix: 'e2e', apiKey: key });
  running = stack.running;
  run = stack.runId;
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

interface TopicValue {
  readonly topic: string;
  readonly value: Buffer;
}

async function everyRecordValue(): Promise<TopicValue[]> {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'leak-scan', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith('paystream.'));
  const ends = new Map<string, number>();
  for (const t of topics)
    for (const p of await admin.fetchTopicOffsets(t)) ends.set(`${t}/${p.partition}`, Number(p.high));
  await admin.disconnect();
  // A group of its own per scan: a second scan in the same group would start at the first one's end.
  const consumer = kafka.consumer({ groupId: `leak-scan-${run}-${++scans}`, readUncommitted: true });
  const values: TopicValue[] = [];
  const reached = new Map<string, number>();
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('leak scan did not reach the end of every topic in 90 s')),
      90_000,
    );
    // `reached` holds the next offset to read per partition; done when it is at the end everywhere.
    const done = () => [...ends].every(([k, end]) => (reached.get(k) ?? 0) >= end);
    // A partition that ends in a transaction marker may never yield a batch, so also finish
    // once nothing has arrived for a while.
    let lastBatchMs = Date.now();
    const idle = setInterval(() => {
      if (values.length > 0 && Date.now() - lastBatchMs > 5_000) {
        clearInterval(idle);
        clearTimeout(timer);
        resolve();
      }
    }, 500);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          lastBatchMs = Date.now();
          for (const m of batch.messages) if (m.value) values.push({ topic: batch.topic, value: m.value });
          reached.set(`${batch.topic}/${batch.partition}`, Number(batch.lastOffset()) + 1);
          if (done()) {
            clearInterval(idle);
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
    if (done()) {
      clearTimeout(timer);
      resolve();
    }
  });
  await consumer.disconnect();
  return values;
}

describe('paystream in Kafka mode (Kafka, the schema registry, DynamoDB Local, KMS and S3 on moto), end to end over HTTP', () => {
  it('runs the same marketplace day', async () => {
    await marketplaceDay({ url: running.url, key }, { waitMs: 90_000, burst: 6 });
  }, 600_000);

  it('writes no plaintext card or account number to any Kafka topic', async () => {
    const values = await everyRecordValue();
    expect(values.length).toBeGreaterThan(50);
    const secrets = [...SECRETS.cards, ...SECRETS.accounts, ...burstCards(6)];
    for (const { value } of values)
      for (const s of secrets) expect(value.includes(Buffer.from(s)), `${s} on a topic`).toBe(false);
  }, 120_000);

  it('writes commands and events in the Confluent wire format under an id the registry server resolves', async () => {
    expect(running.engines.registry.kind).toBe('confluent');
    const id = running.engines.bus.codec.schemaId;
    // Magic byte 0, then the schema id, big-endian: what any Confluent deserializer reads.
    const ours = (await everyRecordValue()).filter(
      (r) =>
        (r.topic === 'paystream.commands' || r.topic === 'paystream.events') &&
        r.value[0] === 0 &&
        r.value.readUInt32BE(1) === id,
    );
    expect(ours.length).toBeGreaterThan(50);
    const res = await fetch(`${registryUrl}/schemas/ids/${id}`);
    expect(res.status).toBe(200);
    const { schema } = (await res.json()) as { schema: string };
    expect(JSON.parse(schema)).toMatchObject({ type: 'record', name: 'Envelope', namespace: 'paystream' });
    const config = await fetch(`${registryUrl}/config/paystream.Envelope`);
    expect(((await config.json()) as { compatibilityLevel: string }).compatibilityLevel).toBe('BACKWARD');
  }, 120_000);
});
