// Posting rules: which journal entry each escrow event posts. One event → at most one entry,
// built by the ledger's journalEntry() (which refuses anything unbalanced) with an id derived
// from the event id, so a redelivered event can never post twice.
//
// Sign: debit positive, credit negative. With the customer's $125.00 and an 8% fee:
//
//   PaymentCaptured   gateway:clearing   +12500 / escrow:held          −12500
//   EscrowReleased    escrow:held        +12500 / provider:{id}:payable −11500 / platform:fees −1000
//                     (zero lines are left out: a 0% fee posts two lines, a 1¢ release may
//                     post only the fee)
//   EscrowRefunded    escrow:held        +amount / gateway:clearing     −amount
//                     (refunds come out of escrow back through the network; released money is
//                     the provider's and is not refundable from here)
//   EscrowDisputed    escrow:held        +frozen / escrow:disputed      −frozen
//   DisputeResolved   escrow:disputed    +frozen / escrow:held          −frozen
//                     then the EscrowReleased or EscrowRefunded of the same decision moves it
//                     out of escrow with the ordinary rule above.
//
// Why disputes post at all: a freeze moves no money out of the platform, but it changes who
// may be paid from it. A separate escrow:disputed account makes frozen funds visible in the
// ledger (and the provider-balance read model), and the ordinary release/refund rules apply
// unchanged after resolution, so there is exactly one fee rule and one refund rule.
//
// PaymentRequested, FraudAssessed, ReviewApproved, PaymentAuthorized, PaymentDeclined and
// EscrowHeld move no money and post nothing (an authorization is a promise, not a movement;
// the capture already credited escrow:held).

import {
  ACCOUNTS,
  credit,
  debit,
  type JournalEntry,
  journalEntry,
  type Posting,
  providerPayable,
} from '@paystream/ledger';
import type { EscrowEvent } from './events.js';
import { eventIdFor } from './ids.js';

function lines(...postings: Posting[]): Posting[] {
  return postings.filter((p) => p.amountMinor !== 0);
}

/** The journal entry an event posts, or null if it moves no money. */
export function journalEntryFor(event: EscrowEvent, sourceEventId: string): JournalEntry | null {
  switch (event.type) {
    case 'PaymentCaptured': {
      const { amountMinor, currency, paymentId } = event.data;
      return journalEntry({
        sourceEventId,
        description: `capture of payment ${paymentId} into escrow`,
        postings: lines(
          debit(ACCOUNTS.gatewayClearing, amountMinor, currency),
          credit(ACCOUNTS.escrowHeld, amountMinor, currency),
        ),
      });
    }
    case 'EscrowReleased': {
      const d = event.data;
      return journalEntry({
        sourceEventId,
        description: `release ${d.releaseId} of payment ${d.paymentId} to provider ${d.providerId} (${d.trigger})`,
        postings: lines(
          debit(ACCOUNTS.escrowHeld, d.amountMinor, d.currency),
          credit(providerPayable(d.providerId), d.netMinor, d.currency),
          credit(ACCOUNTS.platformFees, d.feeMinor, d.currency),
        ),
      });
    }
    case 'EscrowRefunded': {
      const d = event.data;
      return journalEntry({
        sourceEventId,
        description: `refund ${d.refundId} of payment ${d.paymentId} to the customer`,
        postings: lines(
          debit(ACCOUNTS.escrowHeld, d.amountMinor, d.currency),
          credit(ACCOUNTS.gatewayClearing, d.amountMinor, d.currency),
        ),
      });
    }
    case 'EscrowDisputed': {
      const d = event.data;
      return journalEntry({
        sourceEventId,
        description: `dispute ${d.disputeId} freezes escrow of payment ${d.paymentId}`,
        postings: lines(
          debit(ACCOUNTS.escrowHeld, d.frozenMinor, d.currency),
          credit(ACCOUNTS.escrowDisputed, d.frozenMinor, d.currency),
        ),
      });
    }
    case 'DisputeResolved': {
      const d = event.data;
      return journalEntry({
        sourceEventId,
        description: `dispute ${d.disputeId} of payment ${d.paymentId} resolved: ${d.outcome}`,
        postings: lines(
          debit(ACCOUNTS.escrowDisputed, d.amountMinor, d.currency),
          credit(ACCOUNTS.escrowHeld, d.amountMinor, d.currency),
        ),
      });
    }
    case 'PaymentRequested':
    case 'FraudAssessed':
    case 'ReviewApproved':
    case 'PaymentAuthorized':
    case 'PaymentDeclined':
    case 'EscrowHeld':
      return null;
  }
}

export interface RecordedEvent {
  /** The envelope eventId: deterministic from payment, command and position. */
  readonly eventId: string;
  readonly event: EscrowEvent;
}

export interface Decision {
  readonly events: readonly RecordedEvent[];
  /** The JournalEntryPosted payloads these events cause, in event order. */
  readonly journalEntries: readonly JournalEntry[];
}

/**
 * Gives a decision's events their deterministic ids and derives its journal entries: what
 * the service appends for one command. Deciding a redelivered command again and passing it
 * here yields the same ids and entries, byte for byte.
 */
export function recordDecision(
  paymentId: string,
  commandId: string,
  events: readonly EscrowEvent[],
): Decision {
  const recorded = events.map((event, i) => ({ eventId: eventIdFor(paymentId, commandId, i), event }));
  const journalEntries = recorded.flatMap(({ eventId, event }) => {
    const entry = journalEntryFor(event, eventId);
    return entry === null ? [] : [entry];
  });
  return { events: recorded, journalEntries };
}
