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

/** One thing wrong with the environment: the variable, what is wrong, and how to fix it. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/**
 * Every problem with the configuration at once, one line each (`VARIABLE: what; fix`), so a
 * start that fails names everything to set instead of one variable per attempt.
 */
export function configError(problems: readonly ConfigProblem[], heading?: string): PaystreamError {
  const lines = problems.map((p) => `${p.variable}: ${p.message}`);
  const message =
    lines.length === 1 && !heading
      ? lines[0]!
      : `${heading ?? 'the configuration has problems'}:\n  - ${lines.join('\n  - ')}`;
  return new PaystreamError('invalid_config', message, problems[0]?.variable, {
    variables: problems.map((p) => p.variable),
  });
}

/** Upper bound of PAYSTREAM_AUTH_CACHE_TTL_MS: a revoked key is refused within a minute at worst. */
export const MAX_AUTH_CACHE_TTL_MS = 60_000;
export const DEFAULT_AUTH_CACHE_TTL_MS = 10_000;

function port(raw: string, variable: string, problems: ConfigProblem[]): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65_535)
    problems.push({ variable, message: `must be a TCP port number, got ${JSON.stringify(raw)}` });
  return n;
}

function authFailureLimit(raw: string | undefined, problems: ConfigProblem[]): number {
  if (raw === undefined || raw === '') return 20;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 1_000_000)
    problems.push({
      variable: 'PAYSTREAM_AUTH_FAILURE_LIMIT',
      message: `must be 1..1000000, got ${JSON.stringify(raw)}`,
    });
  return n;
}

function authCacheTtl(raw: string | undefined, problems: ConfigProblem[]): number {
  if (raw === undefined || raw === '') return DEFAULT_AUTH_CACHE_TTL_MS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > MAX_AUTH_CACHE_TTL_MS)
    problems.push({
      variable: 'PAYSTREAM_AUTH_CACHE_TTL_MS',
      message: `must be 0..${MAX_AUTH_CACHE_TTL_MS} (ms), got ${JSON.stringify(raw)}`,
    });
  return n;
}

/** What each required Kafka-mode variable is for, and how to get one. */
const REQUIRED_IN_KAFKA_MODE = {
  KMS_KEY_ID:
    'is required in Kafka mode (card and account numbers are encrypted with it): set a KMS key id, ARN or alias, e.g. KMS_KEY_ID=alias/paystream-card-data (`npx paystream up` creates one on its local KMS)',
  S3_BUCKET:
    'is required in Kafka mode (NACHA files and audit exports are stored there): set a bucket name, e.g. S3_BUCKET=paystream-local (created if missing)',
} as const;

function kafkaAuth(raw: string | undefined, problems: ConfigProblem[]): KafkaModeConfig['auth'] {
  if (raw === undefined || raw === '' || raw === 'none') return 'none';
  if (raw === 'aws-msk-iam') return raw;
  problems.push({
    variable: 'KAFKA_AUTH',
    message: `must be "none" or "aws-msk-iam", got ${JSON.stringify(raw)}`,
  });
  return 'none';
}

/** Every problem with `env`, none when it is a valid configuration. */
export function configProblems(env: NodeJS.ProcessEnv = process.env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  parse(env, problems);
  return problems;
}

function emfInterval(raw: string | undefined, problems: ConfigProblem[]): number | null {
  if (raw === undefined || raw === '' || raw === '0') return null;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 10 || n > 3600) {
    problems.push({
      variable: 'PAYSTREAM_METRICS_EMF',
      message: `must be seconds from 10 to 3600 (or 0: off), got ${JSON.stringify(raw)}`,
    });
    return null;
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: ConfigProblem[] = [];
  const config = parse(env, problems);
  if (problems.length > 0)
    throw configError(problems, problems.length > 1 ? 'Paystream cannot start' : undefined);
  return config;
}

function parse(env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Config {
  const apiKey = env.PAYSTREAM_API_KEY;
  if (apiKey !== undefined && !/^[A-Za-z0-9_-]{24,128}$/.test(apiKey)) {
    problems.push({
      variable: 'PAYSTREAM_API_KEY',
      message: 'must be 24–128 characters of A–Z, a–z, 0–9, _ or -',
    });
  }
  const brokers = env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  let kafka: KafkaModeConfig | undefined;
  if (brokers && brokers.length > 0) {
    for (const b of brokers)
      if (!/^[^\s:]+:\d+$/.test(b))
        problems.push({ variable: 'KAFKA_BROKERS', message: `"${b}" is not host:port` });
    for (const [variable, message] of Object.entries(REQUIRED_IN_KAFKA_MODE))
      if (!env[variable]) problems.push({ variable, message });
    kafka = {
      brokers,
      schemaRegistryUrl: env.SCHEMA_REGISTRY_URL || undefined,
      dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
      kmsKeyId: env.KMS_KEY_ID ?? '',
      awsRegion: env.AWS_REGION || 'us-east-1',
      awsEndpoint: env.AWS_ENDPOINT_URL || undefined,
      s3Bucket: env.S3_BUCKET ?? '',
      tablePrefix: env.PAYSTREAM_TABLE_PREFIX || 'paystream_',
      auth: kafkaAuth(env.KAFKA_AUTH, problems),
    };
  }
  return {
    mode: kafka ? 'kafka' : 'embedded',
    port: port(env.PORT ?? '8080', 'PORT', problems),
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.PAYSTREAM_DATA || './.paystream'),
    apiKey,
    logLevel: env.LOG_LEVEL || 'info',
    kafka,
    metricsPort: env.METRICS_PORT ? port(env.METRICS_PORT, 'METRICS_PORT', problems) : undefined,
    authCacheTtlMs: authCacheTtl(env.PAYSTREAM_AUTH_CACHE_TTL_MS, problems),
    authFailureLimit: authFailureLimit(env.PAYSTREAM_AUTH_FAILURE_LIMIT, problems),
    metricsEmfIntervalS: emfInterval(env.PAYSTREAM_METRICS_EMF, problems),
  };
}
