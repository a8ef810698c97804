// decide(command, state) → events, or a PaystreamError. Pure: no clock, no I/O, no randomness;
// the same command on the same state always yields the same events (ids included). A rejected
// command produces nothing, so an illegal transition can never change a payment.
//
// Checks run in a fixed order so the error a caller sees is stable: the payment exists, the
// command is legal in its status, then the command's own fields, then amounts against funds.
//
// Error codes: payment_not_found, illegal_transition, invalid_field, invalid_amount,
// unsupported_currency, invalid_fee, invalid_provider_id, authorization_mismatch,
// amount_exceeds_available, auto_release_disabled, no_hold_period, hold_not_expired.

import { isCurrency, PaystreamError } from '@paystream/core';
import { providerPayable } from '@paystream/ledger';
import type { EscrowCommand, EscrowCommandType } from './commands.js';
import type { EscrowEvent, EscrowRefunded, EscrowReleased, ReleaseTrigger } from './events.js';
import { isValidFeeBps, splitRelease } from './fees.js';
import { disputeIdFor, escrowIdFor, refundIdFor, releaseIdFor } from './ids.js';
import { isPayment, type Payment, type PaymentState } from './state.js';

/** Free-text fields (reasons, notes, codes) are bounded so one command cannot bloat the log. */
export const MAX_TEXT_LENGTH = 500;
/** Ids from other systems (payment, customer, authorization, capture, reviewer). */
export const MAX_ID_LENGTH = 128;

function reject(code: string, message: string, field?: string, details?: Record<string, unknown>): never {
  throw new PaystreamError(code, message, field, details);
}

/** Where in its life a payment is, as the commands see it. */
function phase(state: PaymentState): string {
  if (!isPayment(state)) return 'none';
  if (state.status !== 'pending') return state.status;
  // Between FraudAssessed(decline) and PaymentDeclined (one decision) nothing is legal.
  if (state.fraud?.decision === 'decline') return 'pending:declining';
  return `pending:${state.pendingStep}`;
}

/** The one transition table: which commands each phase accepts. Everything else is illegal. */
export const LEGAL_COMMANDS: Readonly<Record<string, readonly EscrowCommandType[]>> = {
  none: ['RequestPayment'],
  'pending:fraud': ['ApplyFraudAssessment'],
  'pending:review': ['ApproveReview', 'DeclineReview'],
  'pending:authorization': ['RecordAuthorization', 'RecordNetworkDecline'],
  'pending:declining': [],
  authorized: ['Capture'],
  held: ['Release', 'ReleaseExpiredHold', 'Refund', 'OpenDispute'],
  partially_released: ['Release', 'ReleaseExpiredHold', 'Refund', 'OpenDispute'],
  partially_refunded: ['Release', 'ReleaseExpiredHold', 'Refund', 'OpenDispute'],
  disputed: ['ResolveDispute'],
  released: [],
  refunded: [],
  declined: [],
};

function assertLegal(command: EscrowCommand, state: PaymentState): void {
  const at = phase(state);
  if ((LEGAL_COMMANDS[at] ?? []).includes(command.type)) return;
  if (!isPayment(state)) reject('payment_not_found', `no payment exists for ${command.type}`, 'paymentId');
  if (command.type === 'RequestPayment') {
    reject('illegal_transition', `payment ${state.paymentId} already exists`, 'paymentId', {
      status: state.status,
    });
  }
  const where = state.status === 'pending' ? `pending (awaiting ${state.pendingStep})` : state.status;
  reject('illegal_transition', `cannot ${command.type} a payment that is ${where}`, undefined, {
    status: state.status,
    pendingStep: state.pendingStep,
    command: command.type,
  });
}

function requireText(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    reject('invalid_field', `${field} must be a non-empty string of at most ${maxLength} characters`, field);
  }
  return value;
}

function optionalText(value: unknown, field: string): string | null {
  return value === null ? null : requireText(value, field, MAX_TEXT_LENGTH);
}

function requirePositiveAmount(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    reject(
      'invalid_amount',
      `${field} must be a positive integer number of minor units, got ${String(value)}`,
      field,
    );
  }
  return value;
}

/** The amount a release or refund moves: all that is held, or an explicit part of it. */
function movableAmount(p: Payment, requested: number | null, verb: string): number {
  const amountMinor = requested === null ? p.heldMinor : requirePositiveAmount(requested, 'amountMinor');
  if (amountMinor > p.heldMinor) {
    reject(
      'amount_exceeds_available',
      `cannot ${verb} ${amountMinor}: only ${p.heldMinor} ${p.currency} is held`,
      'amountMinor',
      { requestedMinor: amountMinor, availableMinor: p.heldMinor },
    );
  }
  return amountMinor;
}

function released(
  p: Payment,
  commandId: string,
  amountMinor: number,
  trigger: ReleaseTrigger,
): { type: 'EscrowReleased'; data: EscrowReleased } {
  const { feeMinor, netMinor } = splitRelease({
    amountMinor,
    releasedBeforeMinor: p.releasedMinor,
    feesBeforeMinor: p.feesMinor,
    feeBps: p.platformFeeBps,
  });
  return {
    type: 'EscrowReleased',
    data: {
      escrowId: p.escrowId!,
      paymentId: p.paymentId,
      providerId: p.providerId,
      releaseId: releaseIdFor(p.paymentId, commandId),
      amountMinor,
      feeMinor,
      netMinor,
      currency: p.currency,
      trigger,
    },
  };
}

function refunded(
  p: Payment,
  commandId: string,
  amountMinor: number,
  reason: string | null,
): { type: 'EscrowRefunded'; data: EscrowRefunded } {
  return {
    type: 'EscrowRefunded',
    data: {
      escrowId: p.escrowId!,
      paymentId: p.paymentId,
      refundId: refundIdFor(p.paymentId, commandId),
      amountMinor,
      currency: p.currency,
      reason,
    },
  };
}

export function decide(command: EscrowCommand, state: PaymentState): EscrowEvent[] {
  const commandId = requireText(command.metadata?.commandId, 'commandId', MAX_ID_LENGTH);
  assertLegal(command, state);

  if (command.type === 'RequestPayment') {
    const d = command.data;
    requireText(d.paymentId, 'paymentId', MAX_ID_LENGTH);
    requireText(d.customerId, 'customerId', MAX_ID_LENGTH);
    providerPayable(d.providerId); // the provider id must name a ledger account
    requireText(d.paymentMethodId, 'paymentMethodId', MAX_ID_LENGTH);
    requirePositiveAmount(d.amountMinor, 'amountMinor');
    if (!isCurrency(d.currency)) {
      reject(
        'unsupported_currency',
        `${JSON.stringify(d.currency)} is not a supported ISO 4217 code`,
        'currency',
      );
    }
    if (!isValidFeeBps(d.platformFeeBps)) {
      reject(
        'invalid_fee',
        `platform fee must be 0..10000 basis points, got ${d.platformFeeBps}`,
        'platformFeeBps',
      );
    }
    if (d.holdUntilMs !== null && !(Number.isSafeInteger(d.holdUntilMs) && d.holdUntilMs >= 0)) {
      reject('invalid_field', 'holdUntilMs must be epoch milliseconds', 'holdUntilMs');
    }
    if (d.idempotencyKey !== null) requireText(d.idempotencyKey, 'idempotencyKey', MAX_TEXT_LENGTH);
    return [
      {
        type: 'PaymentRequested',
        data: {
          paymentId: d.paymentId,
          customerId: d.customerId,
          providerId: d.providerId,
          paymentMethodId: d.paymentMethodId,
          amountMinor: d.amountMinor,
          currency: d.currency,
          platformFeeBps: d.platformFeeBps,
          holdUntilMs: d.holdUntilMs,
          autoRelease: d.autoRelease,
          metadata: { ...d.metadata },
          risk: d.risk === null ? null : { ...d.risk },
          idempotencyKey: d.idempotencyKey,
        },
      },
    ];
  }

  // assertLegal let only RequestPayment through without a payment.
  const p = state as Payment;
  const paymentId = p.paymentId;

  switch (command.type) {
    case 'ApplyFraudAssessment': {
      const d = command.data;
      if (!Number.isInteger(d.score) || d.score < 0 || d.score > 1000) {
        reject('invalid_field', `fraud score must be an integer 0..1000, got ${d.score}`, 'score');
      }
      if (!['approve', 'review', 'decline'].includes(d.decision)) {
        reject('invalid_field', 'fraud decision must be approve, review or decline', 'decision');
      }
      requireText(d.modelVersion, 'modelVersion', MAX_ID_LENGTH);
      const assessed: EscrowEvent = {
        type: 'FraudAssessed',
        data: {
          paymentId,
          score: d.score,
          decision: d.decision,
          reasons: d.reasons.map((r) => ({ ...r })),
          modelVersion: d.modelVersion,
        },
      };
      if (d.decision !== 'decline') return [assessed];
      return [
        assessed,
        {
          type: 'PaymentDeclined',
          data: {
            paymentId,
            stage: 'fraud',
            code: 'fraud_declined',
            message: `declined by fraud screening (score ${d.score})`,
          },
        },
      ];
    }

    case 'ApproveReview': {
      const reviewerId = requireText(command.data.reviewerId, 'reviewerId', MAX_ID_LENGTH);
      const note = optionalText(command.data.note, 'note');
      return [{ type: 'ReviewApproved', data: { paymentId, reviewerId, note } }];
    }

    case 'DeclineReview': {
      const reviewerId = requireText(command.data.reviewerId, 'reviewerId', MAX_ID_LENGTH);
      const reason = optionalText(command.data.reason, 'reason');
      return [
        {
          type: 'PaymentDeclined',
          data: {
            paymentId,
            stage: 'review',
            code: 'review_declined',
            message:
              reason === null ? `declined in review by ${reviewerId}` : `declined in review: ${reason}`,
          },
        },
      ];
    }

    case 'RecordAuthorization': {
      const d = command.data;
      const authorizationId = requireText(d.authorizationId, 'authorizationId', MAX_ID_LENGTH);
      if (d.amountMinor !== p.amountMinor || d.currency !== p.currency) {
        // Partial or mismatched authorizations are not supported: capturing them would leave
        // the customer charged for a different amount than they asked to pay.
        reject(
          'authorization_mismatch',
          `network authorized ${d.amountMinor} ${d.currency}, payment is ${p.amountMinor} ${p.currency}`,
          'amountMinor',
        );
      }
      const networkReference =
        d.networkReference === null
          ? null
          : requireText(d.networkReference, 'networkReference', MAX_ID_LENGTH);
      return [
        {
          type: 'PaymentAuthorized',
          data: {
            paymentId,
            authorizationId,
            amountMinor: p.amountMinor,
            currency: p.currency,
            networkReference,
          },
        },
      ];
    }

    case 'RecordNetworkDecline': {
      const code = requireText(command.data.code, 'code', MAX_ID_LENGTH);
      const message = requireText(command.data.message, 'message', MAX_TEXT_LENGTH);
      return [{ type: 'PaymentDeclined', data: { paymentId, stage: 'network', code, message } }];
    }

    case 'Capture': {
      const captureId = requireText(command.data.captureId, 'captureId', MAX_ID_LENGTH);
      return [
        {
          type: 'PaymentCaptured',
          data: { paymentId, captureId, amountMinor: p.amountMinor, currency: p.currency },
        },
        {
          type: 'EscrowHeld',
          data: {
            escrowId: escrowIdFor(paymentId),
            paymentId,
            providerId: p.providerId,
            amountMinor: p.amountMinor,
            currency: p.currency,
            platformFeeBps: p.platformFeeBps,
            holdUntilMs: p.holdUntilMs,
            autoRelease: p.autoRelease,
          },
        },
      ];
    }

    case 'Release': {
      const amountMinor = movableAmount(p, command.data.amountMinor, 'release');
      return [released(p, commandId, amountMinor, 'manual')];
    }

    case 'ReleaseExpiredHold': {
      const { nowMs } = command.data;
      if (!Number.isSafeInteger(nowMs) || nowMs < 0)
        reject('invalid_field', 'nowMs must be epoch milliseconds', 'nowMs');
      if (!p.autoRelease) reject('auto_release_disabled', `payment ${paymentId} is released manually only`);
      if (p.holdUntilMs === null)
        reject('no_hold_period', `payment ${paymentId} has no hold end to release at`);
      if (nowMs < p.holdUntilMs) {
        reject('hold_not_expired', `hold ends at ${p.holdUntilMs}, it is ${nowMs}`, 'nowMs', {
          holdUntilMs: p.holdUntilMs,
        });
      }
      return [released(p, commandId, p.heldMinor, 'hold_expired')];
    }

    case 'Refund': {
      const reason = optionalText(command.data.reason, 'reason');
      const amountMinor = movableAmount(p, command.data.amountMinor, 'refund');
      return [refunded(p, commandId, amountMinor, reason)];
    }

    case 'OpenDispute': {
      const reason = requireText(command.data.reason, 'reason', MAX_TEXT_LENGTH);
      return [
        {
          type: 'EscrowDisputed',
          data: {
            escrowId: p.escrowId!,
            paymentId,
            disputeId: disputeIdFor(paymentId, commandId),
            reason,
            frozenMinor: p.heldMinor,
            currency: p.currency,
          },
        },
      ];
    }

    case 'ResolveDispute': {
      const { outcome } = command.data;
      if (outcome !== 'release' && outcome !== 'refund') {
        reject('invalid_field', 'dispute outcome must be release or refund', 'outcome');
      }
      const resolved: EscrowEvent = {
        type: 'DisputeResolved',
        data: {
          escrowId: p.escrowId!,
          paymentId,
          disputeId: p.disputeId!,
          outcome,
          amountMinor: p.frozenMinor,
          currency: p.currency,
        },
      };
      // The follow-up movement is decided against the state as it is after the resolution
      // (frozen funds back in held), so fees are computed by the one release rule.
      const unfrozen: Payment = { ...p, heldMinor: p.heldMinor + p.frozenMinor, frozenMinor: 0 };
      const movement =
        outcome === 'release'
          ? released(unfrozen, commandId, unfrozen.heldMinor, 'dispute_resolved')
          : refunded(unfrozen, commandId, unfrozen.heldMinor, 'dispute_resolved');
      return [resolved, movement];
    }
  }
}
