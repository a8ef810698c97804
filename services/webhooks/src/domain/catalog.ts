// Which log events become which webhook events, and which resource each one carries. Pure: the
// envelope alone decides the resource; the few types that depend on the resource's state
// (a release that emptied the escrow or not) are settled by `refineType` once it is loaded.

import { ACCOUNTS } from '@paystream/ledger';
import type { Envelope } from '@paystream/schemas';

export const WEBHOOK_EVENT_TYPES = [
  'payment.held',
  'payment.declined',
  'payment.review_required',
  'payment.refunded',
  'escrow.released',
  'escrow.partially_released',
  'dispute.opened',
  'dispute.resolved',
  'payout.scheduled',
  'payout.paid',
  'ach.returned',
  'ach.notification_of_change',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(t: string): t is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(t);
}

/** The log event types the dispatcher reads (others are skipped undecoded). */
export const SOURCE_TYPES = [
  'EscrowHeld',
  'PaymentDeclined',
  'FraudAssessed',
  'EscrowRefunded',
  'EscrowReleased',
  'EscrowDisputed',
  'DisputeResolved',
  'PayoutScheduled',
  'JournalEntryPosted',
  'AchReturnReceived',
  'BankAccountUpdated',
] as const;

export type ResourceRef =
  | { readonly kind: 'payment'; readonly id: string }
  | { readonly kind: 'escrow'; readonly id: string; readonly paymentId: string; readonly releaseId?: string }
  | { readonly kind: 'payout'; readonly id: string }
  | { readonly kind: 'ach_return'; readonly id: string }
  | { readonly kind: 'bank_account'; readonly id: string };

export interface Classified {
  /** `escrow.released` stands for both release types until refineType has seen the escrow. */
  readonly type: WebhookEventType;
  readonly resource: ResourceRef;
}

/** The ACH batcher's reason prefix on a BankAccountUpdated that a NOC caused. */
export const NOC_REASON_PREFIX = 'ACH notification of change';

export function classify(e: Envelope): Classified | null {
  const p = e.payload as unknown as Record<string, unknown>;
  const str = (k: string) => p[k] as string;
  switch (e.type) {
    case 'EscrowHeld':
      return { type: 'payment.held', resource: { kind: 'payment', id: str('paymentId') } };
    case 'PaymentDeclined':
      return { type: 'payment.declined', resource: { kind: 'payment', id: str('paymentId') } };
    case 'FraudAssessed':
      return p.decision === 'review'
        ? { type: 'payment.review_required', resource: { kind: 'payment', id: str('paymentId') } }
        : null;
    case 'EscrowRefunded':
      return { type: 'payment.refunded', resource: { kind: 'payment', id: str('paymentId') } };
    case 'EscrowReleased':
      return {
        type: 'escrow.released',
        resource: {
          kind: 'escrow',
          id: str('escrowId'),
          paymentId: str('paymentId'),
          releaseId: str('releaseId'),
        },
      };
    case 'EscrowDisputed':
      return {
        type: 'dispute.opened',
        resource: { kind: 'escrow', id: str('escrowId'), paymentId: str('paymentId') },
      };
    case 'DisputeResolved':
      return {
        type: 'dispute.resolved',
        resource: { kind: 'escrow', id: str('escrowId'), paymentId: str('paymentId') },
      };
    case 'PayoutScheduled':
      return { type: 'payout.scheduled', resource: { kind: 'payout', id: str('payoutId') } };
    case 'JournalEntryPosted': {
      // A settlement (ach:in_transit → bank:operating) is posted on the payout's aggregate,
      // exactly what the payouts read model counts as paid.
      const lines = p.postings as { account: string; amountMinor: number }[];
      const settles =
        lines.some((l) => l.account === ACCOUNTS.achInTransit && l.amountMinor > 0) &&
        lines.some((l) => l.account === ACCOUNTS.bankOperating && l.amountMinor < 0);
      return settles ? { type: 'payout.paid', resource: { kind: 'payout', id: e.aggregateId } } : null;
    }
    case 'AchReturnReceived':
      return { type: 'ach.returned', resource: { kind: 'ach_return', id: str('returnId') } };
    case 'BankAccountUpdated':
      return str('reason').startsWith(NOC_REASON_PREFIX)
        ? {
            type: 'ach.notification_of_change',
            resource: { kind: 'bank_account', id: str('bankAccountId') },
          }
        : null;
    default:
      return null;
  }
}

/** What refineType reads of a payment (as the read API shows it). */
export interface PaymentAmounts {
  readonly amount: number;
  readonly amounts: { readonly refunded: number };
  readonly releases: readonly { readonly id: string; readonly amount: number }[];
}

/**
 * A release is `escrow.released` when it (with the releases before it and what was refunded)
 * accounts for the whole captured amount, else `escrow.partially_released`.
 */
export function refineType(c: Classified, payment: PaymentAmounts | null): WebhookEventType {
  if (c.type !== 'escrow.released' || c.resource.kind !== 'escrow' || payment === null) return c.type;
  let released = 0;
  for (const r of payment.releases) {
    released += r.amount;
    if (r.id === c.resource.releaseId) break;
  }
  return released + payment.amounts.refunded >= payment.amount
    ? 'escrow.released'
    : 'escrow.partially_released';
}
