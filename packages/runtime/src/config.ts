// Configuration from the environment, validated once at start with messages that name the
// variable. Kafka mode is chosen by KAFKA_BROKERS; everything else defaults to embedded.

import { resolve } from 'node:path';
import { PaystreamError } from '@paystream/core';

export interface KafkaModeConfig {
  readonly brokers: readonly string[];
  readonly schemaRegistryUrl: string | undefined;
  readonly dynamodbEndpoint: string | undefined;
  readonly kmsKeyId: string;
  readonly awsRegion: string;
  readonly awsEndpoint: string | undefined;
  readonly s3Bucket: string;
  readonly tablePrefix: string;
  /** `aws-msk-iam`: TLS + SASL/OAUTHBEARER with IAM (Amazon MSK); `none`: plaintext. */
  readonly auth: 'none' | 'aws-msk-iam';
}

export interface Config {
  readonly mode: 'embedded' | 'kafka';
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly apiKey: string | undefined;
  readonly logLevel: string;
  readonly kafka: KafkaModeConfig | undefined;
  /** Seconds between CloudWatch EMF lines of the business counters on stdout; null: off. */
  readonly metricsEmfIntervalS: number | null;
}

function bad(variable: string, message: string): PaystreamError {
  return new PaystreamError('invalid_config', `${variable}: ${message}`, variable);
}

function port(env: NodeJS.ProcessEnv): number {
  const raw = env.PORT ?? '8080';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65_535)
    throw bad('PORT', `must be a TCP port number, got ${JSON.stringify(raw)}`);
  return n;
}

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const v = env[name];
  if (!v) throw bad(name, `is required in Kafka mode (${why})`);
  return v;
}

function kafkaAuth(raw: string | undefined): KafkaModeConfig['auth'] {
  if (raw === undefined || raw === '' || raw === 'none') return 'none';
  if (raw === 'aws-msk-iam') return raw;
  throw bad('KAFKA_AUTH', `must be "none" or "aws-msk-iam", got ${JSON.stringify(raw)}`);
}

function emfInterval(raw: string | undefined): number | null {
  if (raw === undefined || raw === '' || raw === '0') return null;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 10 || n > 3600)
    throw bad(
      'PAYSTREAM_METRICS_EMF',
      `must be seconds from 10 to 3600 (or 0: off), got ${JSON.stringify(raw)}`,
    );
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const apiKey = env.PAYSTREAM_API_KEY;
  if (apiKey !== undefined && !/^[A-Za-z0-9_-]{24,128}$/.test(apiKey)) {
    throw bad('PAYSTREAM_API_KEY', 'must be 24–128 characters of A–Z, a–z, 0–9, _ or -');
  }
  const brokers = env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  let kafka: KafkaModeConfig | undefined;
  if (brokers && brokers.length > 0) {
    for (const b of brokers)
      if (!/^[^\s:]+:\d+$/.test(b)) throw bad('KAFKA_BROKERS', `"${b}" is not host:port`);
    kafka = {
      brokers,
      schemaRegistryUrl: env.SCHEMA_REGISTRY_URL || undefined,
      dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
      kmsKeyId: required(env, 'KMS_KEY_ID', 'card and account numbers are encrypted with it'),
      awsRegion: env.AWS_REGION || 'us-east-1',
      awsEndpoint: env.AWS_ENDPOINT_URL || undefined,
      s3Bucket: required(env, 'S3_BUCKET', 'NACHA files and audit exports are stored there'),
      tablePrefix: env.PAYSTREAM_TABLE_PREFIX || 'paystream_',
      auth: kafkaAuth(env.KAFKA_AUTH),
    };
  }
  return {
    mode: kafka ? 'kafka' : 'embedded',
    port: port(env),
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.PAYSTREAM_DATA || './.paystream'),
    apiKey,
    logLevel: env.LOG_LEVEL || 'info',
    kafka,
    metricsEmfIntervalS: emfInterval(env.PAYSTREAM_METRICS_EMF),
  };
}
