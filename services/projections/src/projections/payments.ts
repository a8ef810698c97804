// payments: one item per payment, the escrow decider's state folded from the payment's own
// events (aggregate rule: v = aggregateVersion of the last event applied), plus what the read
// API shows beyond it: fraud reasons, decline, timestamps, releases and refunds.

import { PaystreamError } from '@paystream/core';
import {
  type EscrowEvent,
  type EscrowEventType,
  evolve,
  initialState,
  isPayment,
  type PaymentState,
} from '@paystream/escrow';
import type { Item, JsonValue } from '@paystream/readstore';
import type { Envelope } from '@paystream/schemas';
import { PAYMENTS } from '../tables.js';
import type { Maybe, ProjectedEvent, Work } from '../work.js';
import type { Projection } from './projection.js';

export const ESCROW_EVENT_TYPES: readonly EscrowEventType[] = [
  'PaymentRequested',
  'FraudAssessed',
  'ReviewApproved',
  'PaymentAuthorized',
  'PaymentDeclined',
  'PaymentCaptured',
  'EscrowHeld',
  'EscrowReleased',
  'EscrowRefunded',
  'EscrowDisputed',
  'DisputeResolved',
];
const ESCROW_TYPES: ReadonlySet<string> = new Set(ESCROW_EVENT_TYPES);

export function isEscrowEvent(e: Envelope): boolean {
  return ESCROW_TYPES.has(e.type);
}

/** The envelope as the decider's { type, data } event (payload types mirror the avsc files). */
export function toEscrowEvent(e: Envelope): EscrowEvent {
  return { type: e.type, data: e.payload } as unknown as EscrowEvent;
}

export interface PaymentMovement {
  readonly id: string;
  readonly kind: 'release' | 'refund';
  readonly amountMinor: number;
  readonly feeMinor: number;
  readonly netMinor: number;
  readonly trigger: string | null;
  readonly atMs: number;
}

function asJson<T>(value: T): JsonValue {
  return value as unknown as JsonValue;
}

export const paymentsProjection: Projection = {
  name: 'payments',
  types: ESCROW_EVENT_TYPES,
  tables: [PAYMENTS],
  apply({ envelope: e }: ProjectedEvent, work: Work): Maybe<void> {
    if (!isEscrowEvent(e)) return;
    const paymentId = (e.payload as { paymentId: string }).paymentId;
    if (e.aggregateId !== paymentId) {
      throw new PaystreamError(
        'projection_mismatch',
        `${e.type} ${e.eventId} is on aggregate ${e.aggregateId}, not its payment ${paymentId}`,
      );
    }
    const current = work.get(PAYMENTS, { id: paymentId });
    if (current instanceof Promise) return current.then((c) => foldPayment(e, work, paymentId, c));
    foldPayment(e, work, paymentId, current);
  },
};

/** The payment item after `e` (staged), unless it already holds `e`. */
function foldPayment(e: Envelope, work: Work, paymentId: string, current: Item | null): void {
  if (current !== null && e.aggregateVersion <= (current.v as number)) return; // already applied
  const prevState = (current?.state as unknown as PaymentState | undefined) ?? initialState();
  const state = evolve(prevState, toEscrowEvent(e));
  if (!isPayment(state)) return;
  const prev = (current ?? {}) as Record<string, JsonValue>;
  // Copied only when a movement is added: items are never changed once staged.
  let movements = (prev.movements as unknown as readonly PaymentMovement[] | undefined) ?? [];
  let fraud = prev.fraud ?? null;
  let decline = prev.decline ?? null;
  let capturedAtMs = (prev.capturedAtMs as number | null | undefined) ?? null;
  let authorizedAtMs = (prev.authorizedAtMs as number | null | undefined) ?? null;
  switch (e.type) {
    case 'FraudAssessed': {
      const d = e.payload as Envelope<'FraudAssessed'>['payload'];
      fraud = asJson({
        score: d.score,
        decision: d.decision,
        reasons: d.reasons.map((r) => ({
          code: r.code,
          description: r.description,
          contribution: r.contribution,
        })),
        modelVersion: d.modelVersion,
      });
      break;
    }
    case 'PaymentDeclined': {
      const d = e.payload as Envelope<'PaymentDeclined'>['payload'];
      decline = { stage: d.stage, code: d.code, message: d.message };
      break;
    }
    case 'PaymentAuthorized':
      authorizedAtMs = e.occurredAtMs;
      break;
    case 'PaymentCaptured':
      capturedAtMs = e.occurredAtMs;
      break;
    case 'EscrowReleased': {
      const d = e.payload as Envelope<'EscrowReleased'>['payload'];
      movements = [
        ...movements,
        {
          id: d.releaseId,
          kind: 'release',
          amountMinor: d.amountMinor,
          feeMinor: d.feeMinor,
          netMinor: d.netMinor,
          trigger: d.trigger,
          atMs: e.occurredAtMs,
        },
      ];
      break;
    }
    case 'EscrowRefunded': {
      const d = e.payload as Envelope<'EscrowRefunded'>['payload'];
      movements = [
        ...movements,
        {
          id: d.refundId,
          kind: 'refund',
          amountMinor: d.amountMinor,
          feeMinor: 0,
          netMinor: 0,
          trigger: d.reason,
          atMs: e.occurredAtMs,
        },
      ];
      break;
    }
  }
  const metadata =
    e.type === 'PaymentRequested'
      ? asJson((e.payload as Envelope<'PaymentRequested'>['payload']).metadata)
      : (prev.metadata ?? {});
  // The decider state holds the status, ids and amounts; the rest is what only the read
  // API needs. Nothing is stored twice (item size is replay throughput).
  const item: Item = {
    id: paymentId,
    tenantId: e.tenantId,
    v: e.aggregateVersion,
    createdAtMs: (prev.createdAtMs as number | undefined) ?? e.occurredAtMs,
    updatedAtMs: e.occurredAtMs,
    metadata,
    fraud,
    decline,
    authorizedAtMs,
    capturedAtMs,
    movements: asJson(movements),
    state: asJson(state),
  };
  work.put(PAYMENTS, item);
}
