// The all-in-one inside a CLI process (bench, demo): every service on one HTTP server on
// loopback — embedded engines in the data dir the caller chose, or Kafka mode from the
// Kafka-mode variables — driven over HTTP with several API keys, since the ingest routes allow
// 10,000 requests a minute per key.

import { randomBytes } from 'node:crypto';
import { TenantDirectory } from '@paystream/auth';
import { PaystreamError } from '@paystream/core';
import { type Config, loadConfig } from '@paystream/runtime';
import type { Running } from '../compose.js';

export type EngineChoice = 'embedded' | 'kafka';

/** Loopback on a free port, no logs, the given key for tenant `default`. */
export function allInOneConfig(engine: EngineChoice, dataDir: string, apiKey: string): Config {
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PAYSTREAM_API_KEY: apiKey,
  };
  if (engine === 'embedded') {
    return loadConfig({ ...env, KAFKA_BROKERS: '', PAYSTREAM_DATA: dataDir });
  }
  const config = loadConfig({ ...env, PAYSTREAM_DATA: dataDir });
  if (config.mode !== 'kafka') {
    throw new PaystreamError(
      'invalid_config',
      '--engine kafka needs the Kafka-mode variables (KAFKA_BROKERS, KMS_KEY_ID, S3_BUCKET, …)',
    );
  }
  return config;
}

/** The engine `--engine` names, else Kafka mode when KAFKA_BROKERS is set. */
export function engineOption(raw: string | undefined): EngineChoice {
  const engine = raw ?? (process.env.KAFKA_BROKERS ? 'kafka' : 'embedded');
  if (engine !== 'embedded' && engine !== 'kafka') {
    throw new PaystreamError('invalid_option', '--engine must be embedded or kafka', 'engine');
  }
  return engine;
}

/** A fresh secret key for tenant `default` (it becomes the bootstrap key: all scopes). */
export function newApiKey(label: string): string {
  return `psk_${label}_${randomBytes(16).toString('hex')}`;
}

/** `first` and `count - 1` new read/write keys of tenant `default`. */
export async function apiKeys(
  running: Running,
  first: string,
  count: number,
  label: string,
  runId: string,
): Promise<string[]> {
  const directory = new TenantDirectory(running.engines.readStore);
  const keys = [first];
  for (let i = 1; i < count; i++) {
    const k = `psk_${label}_${runId}_${i}_${randomBytes(8).toString('hex')}`;
    await directory.addKey('default', k, ['read', 'write'], label);
    keys.push(k);
  }
  return keys;
}

/** Runs `f` over `items` with at most `n` calls in flight. */
export async function pool<T>(items: readonly T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let i = next++; i < items.length; i = next++) await f(items[i]!);
    }),
  );
}

/** An integer option from `min` to `max`, `dflt` when absent; anything else is refused. */
export function intOption(
  name: string,
  v: string | undefined,
  dflt: number,
  min: number,
  max: number,
): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) {
    throw new PaystreamError('invalid_option', `--${name} must be an integer from ${min} to ${max}`, name);
  }
  return n;
}
