// The cost figures people read must add up to the cent: over random payment mixes, the saving
// is exactly baseline − ours on every payment line, every day and the totals; the parts add up
// to what they break down; basis points and projections round half to even.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addInto, costInMinor, type PaymentCostInput, paymentCost, zeroTotals } from './model.js';
import { loadPriceTable } from './prices.js';
import { projectCosts } from './report.js';
import { apportion, basisPoints, divHalfEven } from './rounding.js';

const prices = loadPriceTable();

const payment: fc.Arbitrary<PaymentCostInput> = fc
  .record({
    capturedMinor: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000_000 })),
    authorizationAttempted: fc.boolean(),
    eventCount: fc.integer({ min: 1, max: 40 }),
    brand: fc.constantFrom('visa', 'mastercard', 'amex', 'discover', null),
    releases: fc.array(
      fc.record({
        netMinor: fc.integer({ min: 0, max: 5_000_000 }),
        payout: fc.option(
          fc.record({
            extraMinor: fc.integer({ min: 0, max: 1_000_000 }),
            entriesInFile: fc.option(fc.integer({ min: 1, max: 500 })),
          }),
        ),
      }),
      { maxLength: 3 },
    ),
  })
  .map((r) => ({
    currency: 'USD',
    capturedMinor: r.capturedMinor,
    authorizationAttempted: r.authorizationAttempted || r.capturedMinor > 0,
    eventCount: r.eventCount,
    brand: r.brand,
    releases: r.releases.map((x) => ({
      netMinor: x.netMinor,
      payout: x.payout
        ? { amountMinor: x.netMinor + x.payout.extraMinor, entriesInFile: x.payout.entriesInFile }
        : null,
    })),
  }));

function addsUp(m: Record<string, number>): void {
  expect(m.savingMinor).toBe(m.processorBaselineMinor! - m.ourCostMinor!);
  expect(m.passThroughMinor! + m.acquirerMinor! + m.infrastructureMinor! + m.achMinor!).toBe(m.ourCostMinor);
  expect(m.processorCardFeeMinor! + m.processorPayoutFeeMinor!).toBe(m.processorBaselineMinor);
  for (const v of Object.values(m)) expect(Number.isSafeInteger(v)).toBe(true);
}

describe('cost figures add up', () => {
  it('saving = baseline − ours, and parts sum to their totals, per payment and for any mix', () => {
    fc.assert(
      fc.property(fc.array(payment, { minLength: 1, maxLength: 30 }), (mix) => {
        const totals = zeroTotals();
        let volumeMinor = 0;
        for (const p of mix) {
          const c = paymentCost(prices, p);
          addsUp(costInMinor(c));
          addInto(totals, c);
          volumeMinor += p.capturedMinor;
        }
        const reported = costInMinor(totals);
        addsUp(reported);
        const bps = basisPoints(reported.savingMinor!, volumeMinor);
        if (volumeMinor > 0) {
          // |saving × 10⁴ − bps × volume| ≤ volume / 2, and an exact tie lands on an even bps.
          const err = 2 * Math.abs(reported.savingMinor! * 10_000 - bps * volumeMinor);
          expect(err).toBeLessThanOrEqual(volumeMinor);
          if (err === volumeMinor) expect(Math.abs(bps) % 2).toBe(0);
        } else {
          expect(bps).toBe(0);
        }
        const projection = projectCosts(reported, 24 * 3600 * 1000);
        for (const period of [projection.monthly, projection.yearly]) {
          expect(period.savingMinor).toBe(period.processorBaselineMinor - period.ourCostMinor);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rounds basis points half to even, not down (the issue: 103.6 bps was shown as 103)', () => {
    expect(basisPoints(1_036, 100_000)).toBe(104);
    expect(basisPoints(1_035, 100_000)).toBe(104); // 103.5 → even 104
    expect(basisPoints(1_025, 100_000)).toBe(102); // 102.5 → even 102
    expect(basisPoints(-1_036, 100_000)).toBe(-104);
    expect(basisPoints(5, 0)).toBe(0);
  });

  it('divides half to even and refuses a non-positive divisor', () => {
    expect([5n, 15n, 25n, -15n, 14n, 16n].map((n) => divHalfEven(n, 10n))).toEqual([0n, 2n, 2n, -2n, 1n, 2n]);
    expect(() => divHalfEven(1n, 0n)).toThrow(RangeError);
  });

  it('apportions a rounded total over parts by largest remainder', () => {
    // 1.4 + 1.4 + 1.2 = 4.0 → 4: floors 1+1+1, the unit left goes to the first 0.4.
    expect(apportion([14n, 14n, 12n], 10n, 4n)).toEqual([2n, 1n, 1n]);
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 1, maxLength: 6 }),
        (parts) => {
          const unit = 1_000_000_000n;
          const sum = parts.reduce((a, b) => a + b, 0n);
          const total = (sum + unit / 2n) / unit;
          const out = apportion(parts, unit, total);
          expect(out.reduce((a, b) => a + b, 0n)).toBe(total);
          for (const [i, o] of out.entries()) {
            expect(o - parts[i]! / unit).toBeGreaterThanOrEqual(0n);
            expect(o - parts[i]! / unit).toBeLessThanOrEqual(1n);
          }
        },
      ),
    );
  });

  it('projects a day to a month and a year, saving again the difference', () => {
    const p = projectCosts({ processorBaselineMinor: 1_000, ourCostMinor: 700 }, 24 * 3600 * 1000);
    // A month is a twelfth of 365 days: 1000 × 365 / 12 = 30,416.67 → 30,417; 700 × … = 21,291.67 → 21,292.
    expect(p.monthly).toEqual({ processorBaselineMinor: 30_417, ourCostMinor: 21_292, savingMinor: 9_125 });
    expect(p.yearly).toEqual({
      processorBaselineMinor: 365_000,
      ourCostMinor: 255_500,
      savingMinor: 109_500,
    });
  });
});
