// The state of one payment, as evolve() folds it from the payment's events. Plain data only.
//
// Amounts are integer minor units of the payment's currency. Where the captured money is, at
// every moment:
//
//   capturedMinor = releasedMinor + refundedMinor + heldMinor + frozenMinor
//   releasedMinor = feesMinor + (net paid to the provider)
//
// assertPaymentInvariants() checks that identity and what each status implies about the
// amounts; evolve() runs it after every event, so a broken rule crashes instead of drifting.

import { basisPointsOf, invariant } from '@paystream/core';
import type { FraudDecision } from './events.js';

export type PaymentStatus =
  | 'pending'
  | 'authorized'
  | 'held'
  | 'partially_released'
  | 'partially_refunded'
  | 'released'
  | 'refunded'
  | 'declined'
  | 'disputed';

/** What a pending payment is waiting for. */
export type PendingStep = 'fraud' | 'review' | 'authorization';

/** The last money movement out of escrow; it names the partial and terminal statuses. */
export type Movement = 'release' | 'refund';

export interface NoPayment {
  readonly status: 'none';
}

export interface Payment {
  readonly status: PaymentStatus;
  /** Only while pending: the next thing that must happen. */
  readonly pendingStep: PendingStep | null;
  /** Events applied so far (the aggregate version). */
  readonly version: number;

  readonly paymentId: string;
  readonly customerId: string;
  readonly providerId: string;
  readonly paymentMethodId: string;
  readonly currency: string;
  /** What the customer asked to pay. */
  readonly amountMinor: number;
  readonly platformFeeBps: number;
  readonly holdUntilMs: number | null;
  readonly autoRelease: boolean;

  readonly fraud: { readonly score: number; readonly decision: FraudDecision } | null;
  readonly authorizationId: string | null;
  readonly captureId: string | null;
  readonly escrowId: string | null;
  readonly disputeId: string | null;
  readonly lastMovement: Movement | null;

  readonly capturedMinor: number;
  /** In escrow and free to release or refund. */
  readonly heldMinor: number;
  /** In escrow but frozen by the open dispute. */
  readonly frozenMinor: number;
  /** Gross released to the provider, fees included. */
  readonly releasedMinor: number;
  /** The platform's share of releasedMinor. */
  readonly feesMinor: number;
  readonly refundedMinor: number;
}

export type PaymentState = NoPayment | Payment;

export function initialState(): PaymentState {
  return { status: 'none' };
}

export function isPayment(state: PaymentState): state is Payment {
  return state.status !== 'none';
}

/** Net paid (or payable) to the provider. */
export function netToProviderMinor(p: Payment): number {
  return p.releasedMinor - p.feesMinor;
}

/** The status of a captured payment that is not disputed, from where its money is. */
export function settledStatus(p: Pick<Payment, 'heldMinor' | 'lastMovement'>): PaymentStatus {
  if (p.lastMovement === null) return 'held';
  if (p.heldMinor === 0) return p.lastMovement === 'release' ? 'released' : 'refunded';
  return p.lastMovement === 'release' ? 'partially_released' : 'partially_refunded';
}

const isCents = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

const AMOUNTS = [
  'capturedMinor',
  'heldMinor',
  'frozenMinor',
  'releasedMinor',
  'feesMinor',
  'refundedMinor',
] as const;

/** Every rule a payment's state obeys after every event. Throws InvariantViolation. */
export function assertPaymentInvariants(p: Payment): void {
  for (const name of AMOUNTS) {
    // The message only on failure: this runs on every event a replay folds (no arrays, no text).
    if (!isCents(p[name])) invariant(false, `${name} is a non-negative integer, got ${p[name]}`);
  }
  invariant(
    p.capturedMinor === p.releasedMinor + p.refundedMinor + p.heldMinor + p.frozenMinor,
    'captured = released + refunded + held + frozen',
  );
  invariant(p.capturedMinor === 0 || p.capturedMinor === p.amountMinor, 'a capture takes the whole amount');
  invariant(p.feesMinor === basisPointsOf(p.releasedMinor, p.platformFeeBps), 'fees = fee on total released');
  invariant(
    (p.status === 'pending') === (p.pendingStep !== null),
    'only a pending payment has a pending step',
  );

  const uncaptured = p.capturedMinor === 0 && p.captureId === null && p.escrowId === null;
  switch (p.status) {
    case 'pending':
    case 'declined':
      invariant(uncaptured && p.authorizationId === null, `${p.status}: nothing authorized or captured`);
      break;
    case 'authorized':
      // Between PaymentCaptured and EscrowHeld (one decision) the capture exists but no escrow.
      invariant(p.authorizationId !== null && p.escrowId === null, 'authorized: authorization id, no escrow');
      invariant(
        p.heldMinor === p.capturedMinor && p.releasedMinor + p.refundedMinor === 0,
        'authorized: nothing moved',
      );
      break;
    case 'held':
      invariant(p.heldMinor === p.capturedMinor && p.heldMinor > 0, 'held: everything captured is held');
      invariant(p.escrowId !== null && p.captureId !== null, 'held: escrow and capture ids');
      break;
    case 'partially_released':
    case 'partially_refunded':
    case 'released':
    case 'refunded':
      invariant(p.frozenMinor === 0 && p.disputeId === null, `${p.status}: no open dispute`);
      invariant(
        settledStatus(p) === p.status,
        `${p.status} agrees with held ${p.heldMinor}, last ${p.lastMovement}`,
      );
      invariant(p.escrowId !== null, `${p.status}: has an escrow`);
      break;
    case 'disputed':
      invariant(
        p.frozenMinor > 0 && p.heldMinor === 0 && p.disputeId !== null,
        'disputed: all held money frozen',
      );
      break;
  }
  if (p.status !== 'disputed')
    invariant(p.frozenMinor === 0 && p.disputeId === null, 'frozen only while disputed');
}
