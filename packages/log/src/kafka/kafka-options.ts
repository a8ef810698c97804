// Configuration of the Kafka adapter and the small kafkajs glue it needs (logging, headers,
// message conversion). Every number here is a bound on something; the comment says why.

import {
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  logLevel,
  type Message,
  type SASLOptions,
} from 'kafkajs';
import type { LogRecord, OutRecord } from '../port.js';

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Where kafkajs (and the adapter) report problems. Default: errors (not warnings) to stderr. */
export type KafkaLogSink = (
  level: KafkaLogLevel,
  message: string,
  extra: Readonly<Record<string, unknown>>,
) => void;

export interface KafkaEventLogOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /**
   * Prefix of every transactional id (`<prefix><group>/<topic>/<partition>`). Two deployments
   * sharing a cluster must use different prefixes. Default `paystream/`.
   */
  readonly transactionalIdPrefix?: string;
  /** Replication factor of topics createTopics creates. Default: min(3, brokers in the cluster). */
  readonly replicationFactor?: number;
  /** Consumer group session timeout. A crashed member's partitions move after this. Default 30 s. */
  readonly sessionTimeoutMs?: number;
  /** Heartbeat interval; must be well under the session timeout. Default sessionTimeout / 10. */
  readonly heartbeatIntervalMs?: number;
  /** Longest time a fetch waits for data; stop() may wait this long. Default 500 ms. */
  readonly maxWaitTimeMs?: number;
  /** Handler batch size when SubscribeOptions.maxBatchRecords is not given. Default 500. */
  readonly defaultMaxBatchRecords?: number;
  /** kafkajs log level forwarded to `logger`. Default 'error'. */
  readonly logLevel?: KafkaLogLevel;
  readonly logger?: KafkaLogSink;
  /** TLS to the brokers (MSK with IAM auth requires it). */
  readonly ssl?: boolean;
  /** SASL, e.g. OAUTHBEARER with an MSK IAM token provider (see runtime/src/msk-iam.ts). */
  readonly sasl?: SASLOptions;
}

/**
 * Bounds.
 * - MAX_REQUEST_BYTES: one produce request carries at most this much payload, so no partition's
 *   record batch can exceed the broker's default message.max.bytes (1 MiB) and one slow request
 *   never holds a huge amount of memory. Larger appends are split into several requests, in
 *   order.
 * - MAX_RECORD_BYTES: a single record above this cannot be sent at all with default broker
 *   settings; we reject it up front with a clear error instead of a protocol error.
 * - PRODUCER_RETRIES / MAX_RETRY_TIME_MS: kafkajs defaults an idempotent producer to
 *   Number.MAX_SAFE_INTEGER retries, i.e. an append can hang forever when the cluster is gone.
 *   We retry for about a minute (enough to ride out a broker restart) and then fail the append.
 *   A failed append has an unknown outcome (it may have been written); the producer is then
 *   replaced, and callers that retry rely on deterministic event ids to de-duplicate.
 * - FAILURE_BACKOFF_*: a handler that keeps throwing is re-delivered with exponential backoff
 *   (its partition is paused meanwhile), so a poison batch cannot spin a core.
 */
export const MAX_REQUEST_BYTES = 768 * 1024;
export const MAX_RECORD_BYTES = 1_000_000;
export const PRODUCER_RETRIES = 10;
export const MAX_RETRY_TIME_MS = 10_000;
export const FAILURE_BACKOFF_MIN_MS = 100;
export const FAILURE_BACKOFF_MAX_MS = 5_000;
/** kafkajs' own transaction timeout; our transactions only span the commit, never the handler. */
export const TRANSACTION_TIMEOUT_MS = 30_000;

const toKafkajsLevel: Record<KafkaLogLevel, logLevel> = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

export function kafkajsLevel(level: KafkaLogLevel | undefined): logLevel {
  return toKafkajsLevel[level ?? 'error'];
}

export const defaultSink: KafkaLogSink = (level, message, extra) => {
  if (level === 'error') process.stderr.write(`[kafka ${level}] ${message} ${JSON.stringify(extra)}\n`);
};

/** A kafkajs logCreator that forwards entries to `sink`. */
export function logCreatorFor(sink: KafkaLogSink) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const { message, timestamp: _ts, ...extra } = log;
      let lvl: KafkaLogLevel =
        level === logLevel.ERROR
          ? 'error'
          : level === logLevel.WARN
            ? 'warn'
            : level === logLevel.INFO
              ? 'info'
              : 'debug';
      // kafkajs logs every error response at ERROR, also the ones it retries (a coordinator
      // still loading, a connection refused during a broker restart). A final failure still
      // surfaces as a thrown error, so these are warnings — and a broker's error *response*
      // (`Response GroupCoordinator`, `Response CreateTopics` for a topic another process just
      // created) is part of every normal start, so it is debug.
      if (lvl === 'error' && namespace.endsWith('Connection'))
        lvl = message.startsWith('Response ') ? 'debug' : 'warn';
      sink(lvl, `${namespace}: ${message}`, extra as Record<string, unknown>);
    };
}

export function recordBytes(r: OutRecord): number {
  let n = Buffer.byteLength(r.key, 'utf8') + r.value.byteLength + 32;
  if (r.headers)
    for (const [k, v] of Object.entries(r.headers))
      n += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8') + 8;
  return n;
}

export function toMessage(r: OutRecord, partition: number): Message {
  const value = Buffer.isBuffer(r.value)
    ? r.value
    : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
  return r.headers
    ? { key: r.key, value, partition, headers: { ...r.headers } }
    : { key: r.key, value, partition };
}

function headerString(v: IHeaders[string]): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    return last === undefined ? undefined : last.toString();
  }
  return v.toString();
}

export function toLogRecord(topic: string, partition: number, m: KafkaMessage): LogRecord {
  const headers: Record<string, string> = {};
  if (m.headers) {
    for (const [k, v] of Object.entries(m.headers)) {
      const s = headerString(v);
      if (s !== undefined) headers[k] = s;
    }
  }
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key ? m.key.toString('utf8') : '',
    value: m.value ?? Buffer.alloc(0),
    headers,
    timestampMs: Number(m.timestamp),
  };
}

/** A promise chain: runs tasks one at a time, in submission order. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** The transactional id of (group, input partition); see subscription.ts on zombie fencing. */
export function transactionalIdFor(
  options: KafkaEventLogOptions,
  groupId: string,
  topic: string,
  partition: number,
): string {
  return `${options.transactionalIdPrefix ?? 'paystream/'}${groupId}/${topic}/${partition}`;
}

/**
 * Retries `fn` while it fails with an error kafkajs marks retriable (a coordinator still
 * loading after a broker restart, a leader moving): at most `attempts` tries, backing off from
 * 100 ms to 2 s (about 15 s in all by default). Admin calls such as fetchOffsets are not
 * retried by kafkajs itself.
 */
export async function retrying<T>(fn: () => Promise<T>, attempts = 12): Promise<T> {
  let delay = 100;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const retriable =
        typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
      if (!retriable || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(2_000, delay * 2);
    }
  }
}
