// Webhooks configuration from the environment, validated once at start.

import { PaystreamError } from '@paystream/core';
import { DELIVERY_TIMEOUT_MS } from './http/sender.js';

export interface WebhooksConfig {
  /** PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE=1: loopback/private targets allowed (development, tests). */
  readonly allowPrivate: boolean;
  /** WEBHOOKS_SNS_TOPIC_ARN: every webhook event is also published there. */
  readonly snsTopicArn: string | undefined;
  readonly awsRegion: string;
  readonly awsEndpoint: string | undefined;
  /** How often due deliveries are looked for (also right after new events). */
  readonly pollIntervalMs: number;
  /** Attempts in flight to one endpoint at once; more wait in the store, not in memory. */
  readonly maxInFlightPerEndpoint: number;
  /** Attempts in flight in this process, all endpoints together. */
  readonly maxInFlight: number;
  /** An attempt's deadline: a 2xx within it is success (at most 10 s). */
  readonly timeoutMs: number;
  /** A lease outlives the deadline by this much before a restarted dispatcher sends again. */
  readonly leaseMarginMs: number;
  /** How long the read models may take to apply an event before its batch is retried. */
  readonly projectionsWaitMs: number;
}

export const DEFAULT_WEBHOOKS_CONFIG: Omit<
  WebhooksConfig,
  'allowPrivate' | 'snsTopicArn' | 'awsRegion' | 'awsEndpoint'
> = {
  pollIntervalMs: 1_000,
  maxInFlightPerEndpoint: 4,
  maxInFlight: 256,
  timeoutMs: DELIVERY_TIMEOUT_MS,
  leaseMarginMs: 20_000,
  projectionsWaitMs: 30_000,
};

function bad(variable: string, message: string): PaystreamError {
  return new PaystreamError('invalid_config', `${variable}: ${message}`, variable);
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw bad(name, `must be an integer in ${min}..${max}`);
  return n;
}

export function loadWebhooksConfig(env: NodeJS.ProcessEnv = process.env): WebhooksConfig {
  const allow = env.PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE;
  if (allow !== undefined && allow !== '' && allow !== '0' && allow !== '1')
    throw bad('PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE', 'must be 1 or 0');
  const arn = env.WEBHOOKS_SNS_TOPIC_ARN || undefined;
  if (arn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(arn))
    throw bad('WEBHOOKS_SNS_TOPIC_ARN', 'must be an SNS topic ARN');
  return {
    allowPrivate: allow === '1',
    snsTopicArn: arn,
    awsRegion: env.AWS_REGION || 'us-east-1',
    awsEndpoint: env.AWS_ENDPOINT_URL || undefined,
    pollIntervalMs: int(env, 'WEBHOOKS_POLL_INTERVAL_MS', DEFAULT_WEBHOOKS_CONFIG.pollIntervalMs, 10, 60_000),
    maxInFlightPerEndpoint: int(
      env,
      'WEBHOOKS_MAX_IN_FLIGHT_PER_ENDPOINT',
      DEFAULT_WEBHOOKS_CONFIG.maxInFlightPerEndpoint,
      1,
      64,
    ),
    maxInFlight: int(env, 'WEBHOOKS_MAX_IN_FLIGHT', DEFAULT_WEBHOOKS_CONFIG.maxInFlight, 1, 4_096),
    timeoutMs: int(env, 'WEBHOOKS_TIMEOUT_MS', DEFAULT_WEBHOOKS_CONFIG.timeoutMs, 100, DELIVERY_TIMEOUT_MS),
    leaseMarginMs: int(env, 'WEBHOOKS_LEASE_MARGIN_MS', DEFAULT_WEBHOOKS_CONFIG.leaseMarginMs, 100, 600_000),
    projectionsWaitMs: DEFAULT_WEBHOOKS_CONFIG.projectionsWaitMs,
  };
}
