// `POST /v1/payments?wait=<ms>`: after the append, wait (bounded) until the payment has a
// decided status — held, declined, or anything after — and answer with it. The bound is
// wall-clock time on purpose: it limits how long a connection is held, it is no business rule,
// so it does not read the clock port.

import { PaystreamError } from '@paystream/core';
import { isPayment, type PaymentStatus } from '@paystream/escrow';
import { decodePosition } from '@paystream/log';
import type { ReadQueries } from '@paystream/projections';

export const DEFAULT_MAX_WAIT_MS = 30_000;
/** Polls start fast (a simulator decides in milliseconds) and back off to this interval. */
const MAX_POLL_INTERVAL_MS = 200;

/** Still on its way to a decision: fraud, review or the network (authorized is captured next). */
const UNDECIDED: ReadonlySet<PaymentStatus> = new Set<PaymentStatus>(['pending', 'authorized']);

export function parseWait(raw: string | undefined, maxWaitMs: number): number {
  if (raw === undefined) return 0;
  const ms = Number(raw);
  if (!/^\d{1,6}$/.test(raw) || ms > maxWaitMs) {
    throw new PaystreamError('invalid_wait', `wait must be 0–${maxWaitMs} milliseconds`, 'wait');
  }
  return ms;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Decision {
  readonly status: string;
  readonly escrowId?: string;
}

export async function waitForDecision(
  queries: ReadQueries,
  tenantId: string,
  paymentId: string,
  positionToken: string,
  waitMs: number,
): Promise<Decision | null> {
  const deadlineMs = Date.now() + waitMs;
  const position = decodePosition(positionToken);
  // First until the read side has seen the command's position (in short slices, so a read side
  // that can only cover part of a position never eats the whole budget), then by polling.
  let reached = false;
  let intervalMs = 10;
  for (;;) {
    const ref = await queries.payment(tenantId, paymentId);
    const state = ref !== null && ref.tenantId === tenantId && isPayment(ref.state) ? ref.state : null;
    const decision = state
      ? { status: state.status, ...(state.escrowId ? { escrowId: state.escrowId } : {}) }
      : null;
    if (state && !UNDECIDED.has(state.status)) return decision;
    const leftMs = deadlineMs - Date.now();
    if (leftMs <= 0) return decision;
    if (!reached) {
      reached = await queries.waitFor(position, Math.min(leftMs, intervalMs));
    } else {
      await sleep(Math.min(leftMs, intervalMs));
      await queries.catchUp(Math.max(1, Math.min(deadlineMs - Date.now(), 1000)));
    }
    intervalMs = Math.min(intervalMs * 2, MAX_POLL_INTERVAL_MS);
  }
}
