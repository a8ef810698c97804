import { ACCOUNTS, balanceOf, foldEntries, providerPayable, trialBalance } from '@paystream/ledger';
import { describe, expect, it } from 'vitest';
import type { EscrowEvent } from './events.js';
import { eventIdFor } from './ids.js';
import { journalEntryFor, recordDecision } from './postings.js';
import {
  disputeResolved,
  escrowDisputed,
  escrowHeld,
  escrowRefunded,
  escrowReleased,
  fraudAssessed,
  H,
  PAYMENT_ID,
  PROVIDER_ID,
  paymentAuthorized,
  paymentCaptured,
  paymentRequested,
  reviewApproved,
} from './testing/fixtures.js';

const walker = providerPayable(PROVIDER_ID);
const lines = (event: EscrowEvent) =>
  journalEntryFor(event, 'evt_test')?.postings.map((p) => [p.account, p.amountMinor, p.currency]) ?? null;

describe('posting rules', () => {
  it('capture: gateway clearing debit, escrow held credit', () => {
    expect(lines(paymentCaptured)).toEqual([
      [ACCOUNTS.gatewayClearing, 125_00, 'USD'],
      [ACCOUNTS.escrowHeld, -125_00, 'USD'],
    ]);
  });

  it('release with fee: escrow held debit gross, provider payable credit net, platform fees credit fee', () => {
    expect(lines(escrowReleased(125_00, 10_00, 115_00))).toEqual([
      [ACCOUNTS.escrowHeld, 125_00, 'USD'],
      [walker, -115_00, 'USD'],
      [ACCOUNTS.platformFees, -10_00, 'USD'],
    ]);
  });

  it('release with no fee leaves the zero fee line out', () => {
    expect(lines(escrowReleased(40_00, 0, 40_00))).toEqual([
      [ACCOUNTS.escrowHeld, 40_00, 'USD'],
      [walker, -40_00, 'USD'],
    ]);
  });

  it('refund before release: escrow held debit, gateway clearing credit', () => {
    expect(lines(escrowRefunded(25_00))).toEqual([
      [ACCOUNTS.escrowHeld, 25_00, 'USD'],
      [ACCOUNTS.gatewayClearing, -25_00, 'USD'],
    ]);
  });

  it('dispute freeze moves held funds to escrow:disputed; resolution moves them back before they leave', () => {
    expect(lines(escrowDisputed(75_00))).toEqual([
      [ACCOUNTS.escrowHeld, 75_00, 'USD'],
      [ACCOUNTS.escrowDisputed, -75_00, 'USD'],
    ]);
    expect(lines(disputeResolved('refund', 75_00))).toEqual([
      [ACCOUNTS.escrowDisputed, 75_00, 'USD'],
      [ACCOUNTS.escrowHeld, -75_00, 'USD'],
    ]);
  });

  it('events that move no money post nothing', () => {
    for (const e of [
      paymentRequested,
      fraudAssessed('approve', 1),
      reviewApproved,
      paymentAuthorized,
      escrowHeld,
    ]) {
      expect(lines(e)).toBeNull();
    }
  });

  it('ties each entry to its source event with a deterministic entry id', () => {
    const a = journalEntryFor(paymentCaptured, 'evt_1');
    const b = journalEntryFor(paymentCaptured, 'evt_1');
    expect(a?.entryId).toBe(b?.entryId);
    expect(a?.sourceEventId).toBe('evt_1');
    expect(journalEntryFor(paymentCaptured, 'evt_2')?.entryId).not.toBe(a?.entryId);
  });
});

describe('a booking through the ledger', () => {
  it('$125.00 captured, $50.00 released, disputed, the rest refunded: every account where it should be', () => {
    const history = [
      ...H.partiallyReleased,
      escrowDisputed(75_00),
      disputeResolved('refund', 75_00),
      escrowRefunded(75_00, 'dispute_resolved', 'cmd_resolve'),
    ];
    const entries = history.flatMap((e, i) => journalEntryFor(e, `evt_${i}`) ?? []);
    const b = foldEntries(entries);
    expect(balanceOf(b, ACCOUNTS.gatewayClearing, 'USD')).toBe(50_00); // 125 in, 75 back out
    expect(balanceOf(b, ACCOUNTS.escrowHeld, 'USD')).toBe(0);
    expect(balanceOf(b, ACCOUNTS.escrowDisputed, 'USD')).toBe(0);
    expect(balanceOf(b, walker, 'USD')).toBe(-46_00);
    expect(balanceOf(b, ACCOUNTS.platformFees, 'USD')).toBe(-4_00);
    expect(trialBalance(b).balanced).toBe(true);
  });

  it('recordDecision numbers events by command and derives one entry per money-moving event', () => {
    const events = [paymentCaptured, escrowHeld];
    const d = recordDecision(PAYMENT_ID, 'cmd_capture', events);
    expect(d.events.map((e) => e.eventId)).toEqual([
      eventIdFor(PAYMENT_ID, 'cmd_capture', 0),
      eventIdFor(PAYMENT_ID, 'cmd_capture', 1),
    ]);
    expect(d.journalEntries).toHaveLength(1);
    expect(d.journalEntries[0]!.sourceEventId).toBe(d.events[0]!.eventId);
    expect(recordDecision(PAYMENT_ID, 'cmd_capture', events)).toEqual(d);
  });
});
