// evolve(state, event) → state. Applies a fact that already happened; it never rejects one
// for business reasons (decide did that). It does assert that the event fits the state and
// that the result obeys every invariant: a stream that breaks them is corrupt, and replaying
// it must crash rather than produce wrong balances.

import { invariant } from '@paystream/core';
import type { EscrowEvent } from './events.js';
import {
  assertPaymentInvariants,
  isPayment,
  type Payment,
  type PaymentState,
  settledStatus,
} from './state.js';

function expectPayment(state: PaymentState, event: EscrowEvent): Payment {
  invariant(isPayment(state), `${event.type} applied before PaymentRequested`);
  invariant(state.paymentId === event.data.paymentId, `${event.type} for another payment`);
  return state;
}

function apply(state: PaymentState, event: EscrowEvent): Payment {
  if (event.type === 'PaymentRequested') {
    invariant(!isPayment(state), 'PaymentRequested applied twice');
    const d = event.data;
    return {
      status: 'pending',
      pendingStep: 'fraud',
      version: 0,
      paymentId: d.paymentId,
      customerId: d.customerId,
      providerId: d.providerId,
      paymentMethodId: d.paymentMethodId,
      currency: d.currency,
      amountMinor: d.amountMinor,
      platformFeeBps: d.platformFeeBps,
      holdUntilMs: d.holdUntilMs,
      autoRelease: d.autoRelease,
      fraud: null,
      authorizationId: null,
      captureId: null,
      escrowId: null,
      disputeId: null,
      lastMovement: null,
      capturedMinor: 0,
      heldMinor: 0,
      frozenMinor: 0,
      releasedMinor: 0,
      feesMinor: 0,
      refundedMinor: 0,
    };
  }

  const p = expectPayment(state, event);
  switch (event.type) {
    case 'FraudAssessed': {
      invariant(p.pendingStep === 'fraud', 'FraudAssessed while not awaiting fraud');
      const fraud = { score: event.data.score, decision: event.data.decision };
      // A decline is followed by PaymentDeclined in the same decision; until it lands the
      // payment stays pending at the fraud step, with the declining verdict recorded.
      const decision = event.data.decision;
      const pendingStep =
        decision === 'approve' ? 'authorization' : decision === 'review' ? 'review' : 'fraud';
      return { ...p, fraud, pendingStep };
    }
    case 'ReviewApproved':
      invariant(p.pendingStep === 'review', 'ReviewApproved while not in review');
      return { ...p, pendingStep: 'authorization' };
    case 'PaymentAuthorized':
      invariant(p.pendingStep === 'authorization', 'PaymentAuthorized before fraud approval');
      return { ...p, status: 'authorized', pendingStep: null, authorizationId: event.data.authorizationId };
    case 'PaymentDeclined':
      invariant(p.status === 'pending', 'PaymentDeclined after the payment left pending');
      return { ...p, status: 'declined', pendingStep: null };
    case 'PaymentCaptured':
      invariant(p.status === 'authorized', 'PaymentCaptured before authorization');
      // Captured money is in gateway clearing, owed to escrow, until EscrowHeld names the escrow.
      return {
        ...p,
        captureId: event.data.captureId,
        capturedMinor: event.data.amountMinor,
        heldMinor: event.data.amountMinor,
      };
    case 'EscrowHeld':
      invariant(p.captureId !== null && p.escrowId === null, 'EscrowHeld needs a capture and no escrow yet');
      invariant(event.data.amountMinor === p.capturedMinor, 'EscrowHeld holds what was captured');
      return { ...p, status: 'held', escrowId: event.data.escrowId };
    case 'EscrowReleased': {
      const d = event.data;
      invariant(d.amountMinor === d.feeMinor + d.netMinor, 'release amount = fee + net');
      invariant(d.amountMinor > 0 && d.amountMinor <= p.heldMinor, 'release within what is held');
      const next = {
        ...p,
        heldMinor: p.heldMinor - d.amountMinor,
        releasedMinor: p.releasedMinor + d.amountMinor,
        feesMinor: p.feesMinor + d.feeMinor,
        lastMovement: 'release' as const,
      };
      return { ...next, status: settledStatus(next) };
    }
    case 'EscrowRefunded': {
      const d = event.data;
      invariant(d.amountMinor > 0 && d.amountMinor <= p.heldMinor, 'refund within what is held');
      const next = {
        ...p,
        heldMinor: p.heldMinor - d.amountMinor,
        refundedMinor: p.refundedMinor + d.amountMinor,
        lastMovement: 'refund' as const,
      };
      return { ...next, status: settledStatus(next) };
    }
    case 'EscrowDisputed':
      invariant(event.data.frozenMinor === p.heldMinor, 'a dispute freezes everything held');
      return {
        ...p,
        status: 'disputed',
        disputeId: event.data.disputeId,
        frozenMinor: p.frozenMinor + event.data.frozenMinor,
        heldMinor: 0,
      };
    case 'DisputeResolved': {
      invariant(p.status === 'disputed' && event.data.disputeId === p.disputeId, 'resolves the open dispute');
      invariant(event.data.amountMinor === p.frozenMinor, 'resolution covers all frozen funds');
      // Unfreeze back into held; the EscrowReleased / EscrowRefunded that follows in the same
      // decision moves it out. Each step is a fact with its own (balanced) journal entry.
      const next = { ...p, disputeId: null, frozenMinor: 0, heldMinor: p.heldMinor + p.frozenMinor };
      return { ...next, status: settledStatus(next) };
    }
  }
}

export function evolve(state: PaymentState, event: EscrowEvent): PaymentState {
  const next = apply(state, event);
  const versioned = { ...next, version: (isPayment(state) ? state.version : 0) + 1 };
  assertPaymentInvariants(versioned);
  return versioned;
}

export function evolveAll(state: PaymentState, events: readonly EscrowEvent[]): PaymentState {
  return events.reduce(evolve, state);
}
