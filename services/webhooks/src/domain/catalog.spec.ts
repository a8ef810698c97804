import type { Envelope } from '@paystream/schemas';
import { describe, expect, it } from 'vitest';
import { classify, NOC_REASON_PREFIX, refineType } from './catalog.js';

const env = (type: string, payload: Record<string, unknown>, aggregateId = 'agg_1'): Envelope =>
  ({ type, payload, aggregateId, tenantId: 't' }) as unknown as Envelope;

describe('which log events are webhook events', () => {
  it('maps payment and escrow facts to their types and resources', () => {
    expect(classify(env('EscrowHeld', { paymentId: 'pay_1', escrowId: 'esc_1' }))).toEqual({
      type: 'payment.held',
      resource: { kind: 'payment', id: 'pay_1' },
    });
    expect(classify(env('PaymentDeclined', { paymentId: 'pay_1' }))?.type).toBe('payment.declined');
    expect(classify(env('FraudAssessed', { paymentId: 'pay_1', decision: 'review' }))?.type).toBe(
      'payment.review_required',
    );
    expect(classify(env('FraudAssessed', { paymentId: 'pay_1', decision: 'approve' }))).toBeNull();
    expect(classify(env('EscrowRefunded', { paymentId: 'pay_1', escrowId: 'esc_1' }))?.type).toBe(
      'payment.refunded',
    );
    expect(classify(env('EscrowDisputed', { paymentId: 'pay_1', escrowId: 'esc_1' }))).toEqual({
      type: 'dispute.opened',
      resource: { kind: 'escrow', id: 'esc_1', paymentId: 'pay_1' },
    });
    expect(classify(env('DisputeResolved', { paymentId: 'pay_1', escrowId: 'esc_1' }))?.type).toBe(
      'dispute.resolved',
    );
  });

  it('maps payouts, settlements, returns and notifications of change', () => {
    expect(classify(env('PayoutScheduled', { payoutId: 'po_1' }))?.resource).toEqual({
      kind: 'payout',
      id: 'po_1',
    });
    const settled = env(
      'JournalEntryPosted',
      {
        postings: [
          { account: 'ach:in_transit', amountMinor: 100 },
          { account: 'bank:operating', amountMinor: -100 },
        ],
      },
      'po_1',
    );
    expect(classify(settled)).toEqual({ type: 'payout.paid', resource: { kind: 'payout', id: 'po_1' } });
    const capture = env('JournalEntryPosted', {
      postings: [
        { account: 'gateway:clearing', amountMinor: 100 },
        { account: 'escrow:held', amountMinor: -100 },
      ],
    });
    expect(classify(capture)).toBeNull();
    expect(classify(env('AchReturnReceived', { returnId: 'ret_1' }))?.type).toBe('ach.returned');
    expect(
      classify(env('BankAccountUpdated', { bankAccountId: 'ba_1', reason: `${NOC_REASON_PREFIX} C01: x` })),
    ).toEqual({ type: 'ach.notification_of_change', resource: { kind: 'bank_account', id: 'ba_1' } });
    expect(
      classify(env('BankAccountUpdated', { bankAccountId: 'ba_1', reason: 'ACH return R02: closed' })),
    ).toBeNull();
    expect(classify(env('CardTokenized', {}))).toBeNull();
  });

  it('calls a release full when it covers what was captured, partial otherwise', () => {
    const c = classify(env('EscrowReleased', { escrowId: 'esc_1', paymentId: 'pay_1', releaseId: 'rel_2' }))!;
    const payment = (releases: [string, number][], refunded = 0) => ({
      amount: 10_000,
      amounts: { refunded },
      releases: releases.map(([id, amount]) => ({ id, amount })),
    });
    expect(refineType(c, payment([['rel_2', 10_000]]))).toBe('escrow.released');
    expect(refineType(c, payment([['rel_2', 4_000]]))).toBe('escrow.partially_released');
    expect(
      refineType(
        c,
        payment([
          ['rel_1', 4_000],
          ['rel_2', 6_000],
        ]),
      ),
    ).toBe('escrow.released');
    // Releases after this one do not count for it.
    expect(
      refineType(
        c,
        payment([
          ['rel_1', 3_000],
          ['rel_2', 3_000],
          ['rel_3', 4_000],
        ]),
      ),
    ).toBe('escrow.partially_released');
    expect(refineType(c, payment([['rel_2', 7_000]], 3_000))).toBe('escrow.released');
  });
});
