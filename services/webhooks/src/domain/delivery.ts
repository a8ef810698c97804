// One delivery = one webhook event to one endpoint, tried until a 2xx, a 410 or the end of the
// retry schedule. Plain data and pure transitions; the dispatcher stores what they return.
//
// A pending delivery is in the `due` index (pk dueEndpoint, sk nextAttemptAtMs); a delivery
// being sent is leased by moving nextAttemptAtMs past the send's deadline, so a dispatcher that
// dies mid-send leaves it due again (at least once) and two dispatchers never both send it.

import { retryDelayMs } from './schedule.js';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface Attempt {
  readonly atMs: number;
  /** HTTP status, or null when no response came (timeout, refused, connection error). */
  readonly statusCode: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
}

export interface Delivery {
  readonly id: string;
  readonly tenantId: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: DeliveryStatus;
  readonly attemptCount: number;
  /** The latest attempts, oldest first (at most MAX_ATTEMPT_RECORDS). */
  readonly attempts: readonly Attempt[];
  /**
   * Set exactly while pending, as is `dueEndpoint`: the two keys of the sparse `due` index
   * (absent, not null, when settled — DynamoDB refuses a null index key).
   */
  readonly nextAttemptAtMs?: number;
  /** Set (to endpointId) exactly while pending: membership of the sparse `due` index. */
  readonly dueEndpoint?: string;
  readonly createdAtMs: number;
  /** `by_endpoint` index sort key: creation time, then id. */
  readonly createdKey: string;
}

export const MAX_ATTEMPT_RECORDS = 20;

export type AttemptResult =
  | { readonly kind: 'success'; readonly statusCode: number; readonly latencyMs: number }
  | { readonly kind: 'gone'; readonly statusCode: 410; readonly latencyMs: number }
  | {
      readonly kind: 'failure';
      readonly statusCode: number | null;
      readonly error: string | null;
      readonly latencyMs: number;
    };

/** A 2xx is success; 410 Gone means the receiver wants no more; everything else is retried. */
export function resultOf(statusCode: number | null, latencyMs: number, error: string | null): AttemptResult {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300)
    return { kind: 'success', statusCode, latencyMs };
  if (statusCode === 410) return { kind: 'gone', statusCode, latencyMs };
  return { kind: 'failure', statusCode, error: error ?? `HTTP ${statusCode}`, latencyMs };
}

const msKey = (ms: number) => String(ms).padStart(15, '0');

export function newDelivery(input: {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  nowMs: number;
}): Delivery {
  return {
    id: input.id,
    tenantId: input.tenantId,
    endpointId: input.endpointId,
    eventId: input.eventId,
    eventType: input.eventType,
    status: 'pending',
    attemptCount: 0,
    attempts: [],
    nextAttemptAtMs: input.nowMs,
    dueEndpoint: input.endpointId,
    createdAtMs: input.nowMs,
    createdKey: `${msKey(input.nowMs)}|${input.id}`,
  };
}

function pending(d: Delivery, atMs: number): Delivery {
  return { ...d, status: 'pending', nextAttemptAtMs: atMs, dueEndpoint: d.endpointId };
}

function settled(d: Delivery, status: Exclude<DeliveryStatus, 'pending'>): Delivery {
  const { dueEndpoint: _due, nextAttemptAtMs: _next, ...rest } = d;
  return { ...rest, status };
}

/** Taken for sending until `untilMs` (the send's deadline plus a margin). */
export function lease(d: Delivery, untilMs: number): Delivery {
  if (d.status !== 'pending') throw new Error(`lease of a ${d.status} delivery ${d.id}`);
  return pending(d, untilMs);
}

export interface AttemptOutcome {
  readonly delivery: Delivery;
  /** The receiver answered 410 Gone: disable the endpoint. */
  readonly disableEndpoint: boolean;
}

/** Records an attempt; `random` in [0, 1) jitters the next retry. */
export function recordAttempt(d: Delivery, r: AttemptResult, nowMs: number, random: number): AttemptOutcome {
  const attempt: Attempt = {
    atMs: nowMs,
    statusCode: r.statusCode,
    latencyMs: r.latencyMs,
    error: r.kind === 'failure' ? r.error : null,
  };
  const counted: Delivery = {
    ...d,
    attemptCount: d.attemptCount + 1,
    attempts: [...d.attempts, attempt].slice(-MAX_ATTEMPT_RECORDS),
  };
  if (r.kind === 'success') return { delivery: settled(counted, 'succeeded'), disableEndpoint: false };
  if (r.kind === 'gone') return { delivery: settled(counted, 'failed'), disableEndpoint: true };
  // Past the schedule (a manual retry of a given-up delivery) one failed attempt gives up again.
  const delay = retryDelayMs(counted.attemptCount, random);
  if (delay === null) return { delivery: settled(counted, 'failed'), disableEndpoint: false };
  return { delivery: pending(counted, nowMs + delay), disableEndpoint: false };
}

/** POST /v1/webhook-deliveries/{id}/retry: due now, whatever its status, same webhook-id. */
export function manualRetry(d: Delivery, nowMs: number): Delivery {
  return pending(d, nowMs);
}
