// escrows: one item per escrow (aggregate rule: the escrow is part of its payment's aggregate,
// v = aggregateVersion of the last event applied). Amounts come from the payment item this
// batch just folded; after a crash that item may already be ahead of the event being replayed,
// but the last event of the payment in the batch rewrites the escrow from the same final
// payment, so the end state is the same.

import { isPayment, type Payment, type PaymentState } from '@paystream/escrow';
import type { Item } from '@paystream/readstore';
import type { Envelope } from '@paystream/schemas';
import { ESCROWS, PAYMENTS } from '../tables.js';
import type { Maybe, ProjectedEvent, Work } from '../work.js';
import { ESCROW_EVENT_TYPES, isEscrowEvent } from './payments.js';
import type { Projection } from './projection.js';

export const escrowsProjection: Projection = {
  name: 'escrows',
  types: ESCROW_EVENT_TYPES,
  tables: [ESCROWS],
  apply({ envelope: e }: ProjectedEvent, work: Work): Maybe<void> {
    if (!isEscrowEvent(e)) return;
    const paymentId = (e.payload as { paymentId: string }).paymentId;
    const item = work.get(PAYMENTS, { id: paymentId });
    if (item instanceof Promise) return item.then((i) => withPayment(e, work, paymentId, i));
    return withPayment(e, work, paymentId, item);
  },
};

/** The escrow of the payment as folded (`item`), if it names one. */
function withPayment(e: Envelope, work: Work, paymentId: string, item: Item | null): Maybe<void> {
  const p = item?.state as unknown as PaymentState | undefined;
  if (item == null || p === undefined || !isPayment(p) || p.escrowId === null) return;
  const current = work.get(ESCROWS, { id: p.escrowId });
  if (current instanceof Promise) return current.then((c) => foldEscrow(e, work, paymentId, p, c));
  foldEscrow(e, work, paymentId, p, current);
}

/** The escrow item after `e` (staged), unless it already holds `e`. */
function foldEscrow(e: Envelope, work: Work, paymentId: string, p: Payment, current: Item | null): void {
  const escrowId = p.escrowId!; // withPayment went no further without one
  // The escrow starts at EscrowHeld. (After a crash the payment item may already be ahead and
  // name the escrow while earlier events are replayed: those must not create it.)
  if (current === null && e.type !== 'EscrowHeld') return;
  if (current !== null && e.aggregateVersion <= (current.v as number)) return;
  let disputes = (current?.disputes ?? []) as {
    id: string;
    reason: string;
    openedAtMs: number;
    outcome: string | null;
  }[];
  if (isTyped(e, 'EscrowDisputed')) {
    disputes = [
      ...disputes,
      { id: e.payload.disputeId, reason: e.payload.reason, openedAtMs: e.occurredAtMs, outcome: null },
    ];
  } else if (isTyped(e, 'DisputeResolved')) {
    const d = e.payload;
    disputes = disputes.map((x) => (x.id === d.disputeId ? { ...x, outcome: d.outcome } : x));
  }
  const status = p.status === 'authorized' ? 'held' : p.status;
  work.put(ESCROWS, {
    id: escrowId,
    tenantId: e.tenantId,
    v: e.aggregateVersion,
    paymentId,
    providerId: p.providerId,
    status,
    currency: p.currency,
    amountMinor: p.capturedMinor,
    heldMinor: p.heldMinor,
    frozenMinor: p.frozenMinor,
    releasedMinor: p.releasedMinor,
    feesMinor: p.feesMinor,
    refundedMinor: p.refundedMinor,
    platformFeeBps: p.platformFeeBps,
    holdUntilMs: p.holdUntilMs,
    autoRelease: p.autoRelease,
    createdAtMs: (current?.createdAtMs as number | undefined) ?? e.occurredAtMs,
    updatedAtMs: e.occurredAtMs,
    disputes,
  });
}

function isTyped<T extends 'EscrowDisputed' | 'DisputeResolved'>(e: Envelope, t: T): e is Envelope<T> {
  return e.type === t;
}
