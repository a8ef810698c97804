// Kafka-mode engines for the projections integration specs: the broker, the schema registry
// (Apicurio), DynamoDB Local and moto (KMS, S3) that the integration global setup started, and a table prefix of their own so the
// read models of one spec hold only what its own projector or replay wrote.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKmsKey } from '@paystream/keys';
import {
  type Config,
  createLogger,
  createMetrics,
  type Engines,
  type Logger,
  loadConfig,
  type Metrics,
  openEngines,
} from '@paystream/runtime';

export interface KafkaTestEngines {
  readonly run: string;
  readonly config: Config;
  readonly engines: Engines;
  readonly logger: Logger;
  readonly metrics: Metrics;
  cleanup(): Promise<void>;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: the integration global setup starts Kafka, the schema registry, DynamoDB Local and moto`,
    );
  return v;
}

/** `label`: a few lowercase letters naming the spec (table prefix, bucket, data dir). */
export async function openKafkaTestEngines(label: string): Promise<KafkaTestEngines> {
  if (!/^[a-z]{1,4}$/.test(label)) throw new Error('label: 1 to 4 lowercase letters');
  const brokers = required('PAYSTREAM_TEST_KAFKA_BROKERS');
  const awsEndpoint = required('PAYSTREAM_TEST_AWS_ENDPOINT');
  const dynamodbEndpoint = required('PAYSTREAM_TEST_DYNAMODB_ENDPOINT');
  const registryUrl = required('PAYSTREAM_TEST_SCHEMA_REGISTRY_URL');
  // Local servers accept any credentials; the SDK's default chain reads these.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  // Short: replay adds `replay_<id>_` to the table prefix, and a prefix is at most 32 characters.
  const run = `${Date.now().toString(36).slice(-6)}${randomBytes(2).toString('hex')}`;
  const kmsKeyId = await createKmsKey(
    {
      region: 'us-east-1',
      endpoint: awsEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    },
    `paystream projections ${label}`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), `paystream-${label}-`));
  const config = loadConfig({
    PAYSTREAM_DATA: dataDir,
    PORT: '0',
    PAYSTREAM_API_KEY: 'psk_projections_kafka_test_key_000000000',
    LOG_LEVEL: 'silent',
    KAFKA_BROKERS: brokers,
    SCHEMA_REGISTRY_URL: registryUrl,
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    AWS_ENDPOINT_URL: awsEndpoint,
    AWS_REGION: 'us-east-1',
    KMS_KEY_ID: kmsKeyId,
    S3_BUCKET: `paystream-${label}-${run}`,
    PAYSTREAM_TABLE_PREFIX: `${label}${run}_`,
  });
  if (config.mode !== 'kafka') throw new Error('expected a Kafka-mode configuration');
  const logger = createLogger({ level: 'silent' });
  const engines = await openEngines(config, { logger });
  if (engines.registry.kind !== 'confluent') throw new Error('expected the Confluent registry adapter');
  return {
    run,
    config,
    engines,
    logger,
    metrics: createMetrics(),
    async cleanup() {
      await engines.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
