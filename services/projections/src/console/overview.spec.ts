import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './overview.js';
import { matchesPayment, parsePaymentFilter } from './payment-filter.js';

const HOUR = 3_600_000;
const TO = Date.UTC(2026, 0, 5, 12);

function payment(o: {
  status: string;
  createdAtMs: number;
  amountMinor?: number;
  capturedMinor?: number;
  pendingStep?: string | null;
  authorizedAtMs?: number | null;
  decline?: string;
  fraud?: string;
}) {
  return {
    id: `pay_${o.createdAtMs}_${o.status}`,
    tenantId: 't',
    createdAtMs: o.createdAtMs,
    updatedAtMs: o.createdAtMs + 900,
    authorizedAtMs: o.authorizedAtMs ?? null,
    decline: o.decline ? { code: o.decline } : null,
    fraud: o.fraud ? { decision: o.fraud } : null,
    state: {
      status: o.status,
      pendingStep: o.pendingStep ?? null,
      amountMinor: o.amountMinor ?? 1_000,
      capturedMinor: o.capturedMinor ?? 0,
      customerId: 'cus_a',
      providerId: 'prv_a',
    },
  };
}

describe('overview figures', () => {
  it('takes nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99)]).toEqual([50, 95, 99]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('counts a range by status, reason and bucket; reviewed payments are left out of latency', () => {
    const items = [
      payment({
        status: 'held',
        createdAtMs: TO - 10 * 60_000,
        capturedMinor: 1_000,
        authorizedAtMs: TO - 10 * 60_000 + 200,
        fraud: 'approve',
      }),
      payment({
        status: 'released',
        createdAtMs: TO - 50 * 60_000,
        capturedMinor: 1_000,
        authorizedAtMs: TO - 50 * 60_000 + 400,
        fraud: 'approve',
      }),
      payment({
        status: 'declined',
        createdAtMs: TO - 20 * 60_000,
        decline: 'fraud_declined',
        fraud: 'decline',
      }),
      payment({ status: 'pending', pendingStep: 'review', createdAtMs: TO - 5 * 60_000, fraud: 'review' }),
      payment({
        status: 'held',
        createdAtMs: TO - 30 * 60_000,
        capturedMinor: 1_000,
        authorizedAtMs: TO,
        fraud: 'review',
      }),
      payment({ status: 'held', createdAtMs: TO - 2 * HOUR }), // outside the hour
    ];
    const o = summarize(items, 'hour', TO);
    expect(o).toMatchObject({
      payments: 5,
      amountMinor: 5_000,
      captured: 3,
      capturedMinor: 3_000,
      succeeded: 3,
      declined: 1,
      pending: 1,
      reviewBacklog: 1,
      successRateBps: 7_500,
      declinesByReason: { fraud_declined: 1 },
      fraudDecisions: { approve: 2, decline: 1, review: 2 },
    });
    // Decided without a person: 200 ms, 400 ms and the decline (900 ms after its request).
    expect(o.latencyMs).toEqual({ p50: 400, p95: 900, p99: 900, samples: 3 });
    expect(o.series).toHaveLength(12);
    expect(o.series.reduce((a, b) => a + b.payments, 0)).toBe(5);
    expect(o.series[11]).toMatchObject({ payments: 1 }); // the last five minutes: the one in review
    expect(o.series[10]).toMatchObject({ payments: 1, succeeded: 1 });
  });
});

describe('payment filter', () => {
  it('matches on every field and refuses bad input naming the field', () => {
    const p = payment({ status: 'held', createdAtMs: TO, amountMinor: 2_500 });
    expect(
      matchesPayment(
        parsePaymentFilter({ status: 'held,disputed', minAmount: '2500', maxAmount: '2500' }),
        p,
      ),
    ).toBe(true);
    expect(matchesPayment(parsePaymentFilter({ providerId: 'prv_b' }), p)).toBe(false);
    expect(matchesPayment(parsePaymentFilter({ customerId: 'cus_a', pendingStep: 'review' }), p)).toBe(false);
    expect(() => parsePaymentFilter({ status: 'held,lost' })).toThrow(
      expect.objectContaining({ field: 'status' }),
    );
    expect(() => parsePaymentFilter({ minAmount: '1.5' })).toThrow(
      expect.objectContaining({ field: 'minAmount' }),
    );
    expect(() => parsePaymentFilter({ pendingStep: 'x' })).toThrow(
      expect.objectContaining({ field: 'pendingStep' }),
    );
  });
});
