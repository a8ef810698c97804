// The same marketplace day in Kafka mode: every service in this process but on the real
// engines the test harness started — Apache Kafka (KRaft), DynamoDB Local, and moto for KMS
// and S3 — then a scan of every record on every topic (aborted transactions included) for
// card and account numbers.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKmsKey } from '@paystream/keys';
import { loadConfig } from '@paystream/runtime';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, runServices } from '../src/compose.js';
import { availableServices } from '../src/services.js';
import { burstCards, marketplaceDay, SECRETS } from './scenario.js';

function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(`${name} is not set: the integration global setup starts Kafka, DynamoDB Local and moto`);
  return v;
}

const brokers = required('PAYSTREAM_TEST_KAFKA_BROKERS');
const awsEndpoint = required('PAYSTREAM_TEST_AWS_ENDPOINT');
const dynamodbEndpoint = required('PAYSTREAM_TEST_DYNAMODB_ENDPOINT');
const dataDir = mkdtempSync(join(tmpdir(), 'paystream-e2e-kafka-'));
const run = Date.now().toString(36);
const key = 'psk_e2e_kafka_tenant_key_0000000000000000';
let running: Running;

beforeAll(async () => {
  // Local servers accept any credentials; the SDK's default chain reads these.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const kmsKeyId = await createKmsKey(
    {
      region: 'us-east-1',
      endpoint: awsEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    },
    'paystream e2e card data',
  );
  const config = loadConfig({
    PAYSTREAM_DATA: dataDir,
    PORT: '0',
    PAYSTREAM_API_KEY: key,
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: brokers,
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    AWS_ENDPOINT_URL: awsEndpoint,
    AWS_REGION: 'us-east-1',
    KMS_KEY_ID: kmsKeyId,
    S3_BUCKET: `paystream-e2e-${run}`,
    PAYSTREAM_TABLE_PREFIX: `e2e_${run}_`,
  });
  expect(config.mode).toBe('kafka');
  running = await runServices(config, availableServices());
}, 180_000);

afterAll(async () => {
  await running?.lifecycle.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function everyRecordValue(): Promise<Buffer[]> {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'leak-scan', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith('paystream.'));
  const ends = new Map<string, number>();
  for (const t of topics)
    for (const p of await admin.fetchTopicOffsets(t)) ends.set(`${t}/${p.partition}`, Number(p.high));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `leak-scan-${run}`, readUncommitted: true });
  const values: Buffer[] = [];
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
          for (const m of batch.messages) if (m.value) values.push(m.value);
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

describe('paystream in Kafka mode (Kafka, DynamoDB Local, KMS and S3 on moto), end to end over HTTP', () => {
  it('runs the same marketplace day', async () => {
    await marketplaceDay({ url: running.url, key }, { waitMs: 90_000, burst: 6 });
  }, 600_000);

  it('writes no plaintext card or account number to any Kafka topic', async () => {
    const values = await everyRecordValue();
    expect(values.length).toBeGreaterThan(50);
    const secrets = [...SECRETS.cards, ...SECRETS.accounts, ...burstCards(6)];
    for (const v of values)
      for (const s of secrets) expect(v.includes(Buffer.from(s)), `${s} on a topic`).toBe(false);
  }, 120_000);
});
