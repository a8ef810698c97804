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
  /** A separate listener for GET /metrics (unauthenticated, keep it private); unset: /metrics on PORT needs an operator key. */
  readonly metricsPort: number | undefined;
  /** How long an API key lookup (found or not) is cached: at most this long until a revocation bites. */
  readonly authCacheTtlMs: number;
  /** Failed authentications one client may make per minute before it gets 429. */
  readonly authFailureLimit: number;
  /** Seconds between CloudWatch EMF lines of the business counters on stdout; null: off. */
  readonly metricsEmfIntervalS: number | null;
}

/** Upper bound of PAYSTREAM_AUTH_CACHE_TTL_MS: a revoked key is refused within a minute at worst. */
export const MAX_AUTH_CACHE_TTL_MS = 60_000;
export const DEFAULT_AUTH_CACHE_TTL_MS = 10_000;

function bad(variable: string, message: string): PaystreamError {
  return new PaystreamError('invalid_config', `${variable}: ${message}`, variable);
}

function port(raw: string, name: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65_535)
    throw bad(name, `must be a TCP port number, got ${JSON.stringify(raw)}`);
  return n;
}

function authFailureLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 20;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 1_000_000)
    throw bad('PAYSTREAM_AUTH_FAILURE_LIMIT', `must be 1..1000000, got ${JSON.stringify(raw)}`);
  return n;
}

function authCacheTtl(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_AUTH_CACHE_TTL_MS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > MAX_AUTH_CACHE_TTL_MS)
    throw bad(
      'PAYSTREAM_AUTH_CACHE_TTL_MS',
      `must be 0..${MAX_AUTH_CACHE_TTL_MS} (ms), got ${JSON.stringify(raw)}`,
    );
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
    port: port(env.PORT ?? '8080', 'PORT'),
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.PAYSTREAM_DATA || './.paystream'),
    apiKey,
    logLevel: env.LOG_LEVEL || 'info',
    kafka,
    metricsPort: env.METRICS_PORT ? port(env.METRICS_PORT, 'METRICS_PORT') : undefined,
    authCacheTtlMs: authCacheTtl(env.PAYSTREAM_AUTH_CACHE_TTL_MS),
    authFailureLimit: authFailureLimit(env.PAYSTREAM_AUTH_FAILURE_LIMIT),
    metricsEmfIntervalS: emfInterval(env.PAYSTREAM_METRICS_EMF),
  };
}
