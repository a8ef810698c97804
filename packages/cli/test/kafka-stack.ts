// A Kafka-mode Paystream for a test file: every service in this process on the servers the
// integration global setup started (Kafka, the schema registry, DynamoDB Local, moto for KMS
// and S3), with a fresh KMS key, bucket and table prefix, so test files sharing the servers do
// not see each other's read models.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKmsKey } from '@paystream/keys';
import { loadConfig } from '@paystream/runtime';
import { type Running, runServices } from '../src/compose.js';
import { availableServices } from '../src/services.js';
import { startGroupsAtTheEnd } from './kafka-groups.js';

/** The integration servers' endpoints; a missing one fails the file and says who starts it. */
export interface TestServerEnv {
  readonly brokers: string;
  readonly registryUrl: string;
  readonly awsEndpoint: string;
  readonly dynamodbEndpoint: string;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: the integration global setup starts Kafka, the schema registry, DynamoDB Local and moto`,
    );
  return v;
}

export function testServerEnv(): TestServerEnv {
  return {
    brokers: required('PAYSTREAM_TEST_KAFKA_BROKERS'),
    registryUrl: required('PAYSTREAM_TEST_SCHEMA_REGISTRY_URL'),
    awsEndpoint: required('PAYSTREAM_TEST_AWS_ENDPOINT'),
    dynamodbEndpoint: required('PAYSTREAM_TEST_DYNAMODB_ENDPOINT'),
  };
}

export interface KafkaStack {
  readonly running: Running;
  /** Unique to this stack: use it in ids, keys and group names. */
  readonly runId: string;
  close(): Promise<void>;
}

/**
 * Starts the stack. `name` labels its data folder, bucket and KMS key; `tablePrefix` must be a
 * short lowercase word. Consumer groups start at the end of their topics, since the broker may
 * hold other files' records.
 */
export async function startKafkaStack(options: {
  readonly name: string;
  readonly tablePrefix: string;
  readonly apiKey: string;
}): Promise<KafkaStack> {
  const servers = testServerEnv();
  const runId = Date.now().toString(36);
  const dataDir = mkdtempSync(join(tmpdir(), `paystream-${options.name}-`));
  await startGroupsAtTheEnd(servers.brokers);
  // Local servers accept any credentials; the SDK's default chain reads these.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const kmsKeyId = await createKmsKey(
    {
      region: 'us-east-1',
      endpoint: servers.awsEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    },
    `paystream ${options.name} card data`,
  );
  const config = loadConfig({
    PAYSTREAM_DATA: dataDir,
    PORT: '0',
    PAYSTREAM_API_KEY: options.apiKey,
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: servers.brokers,
    SCHEMA_REGISTRY_URL: servers.registryUrl,
    DYNAMODB_ENDPOINT: servers.dynamodbEndpoint,
    AWS_ENDPOINT_URL: servers.awsEndpoint,
    AWS_REGION: 'us-east-1',
    KMS_KEY_ID: kmsKeyId,
    S3_BUCKET: `paystream-${options.name}-${runId}`,
    PAYSTREAM_TABLE_PREFIX: `${options.tablePrefix}_${runId}_`,
  });
  if (config.mode !== 'kafka') throw new Error('the test stack did not select Kafka mode');
  const running = await runServices(config, availableServices());
  return {
    running,
    runId,
    close: async () => {
      await running.lifecycle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
