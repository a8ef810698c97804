import { PaystreamError } from '@paystream/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLATFORM_FEE_BPS, resolvePlatformFeeBps, splitRelease } from './fees.js';

describe('platform fee', () => {
  it('defaults to the tenant’s 8%, and a per-payment override wins', () => {
    expect(DEFAULT_PLATFORM_FEE_BPS).toBe(800);
    expect(resolvePlatformFeeBps(null)).toBe(800);
    expect(resolvePlatformFeeBps(undefined, 1_200)).toBe(1_200);
    expect(resolvePlatformFeeBps(500, 1_200)).toBe(500);
    expect(resolvePlatformFeeBps(0, 1_200)).toBe(0);
  });

  it('rejects fees that are not whole basis points in 0..10000', () => {
    for (const bad of [-1, 10_001, 7.5, Number.NaN]) {
      expect(() => resolvePlatformFeeBps(bad)).toThrow(PaystreamError);
    }
  });

  it('splits $125.00 at 8% into $10.00 fee and $115.00 net', () => {
    expect(
      splitRelease({ amountMinor: 125_00, releasedBeforeMinor: 0, feesBeforeMinor: 0, feeBps: 800 }),
    ).toEqual({
      feeMinor: 10_00,
      netMinor: 115_00,
    });
  });

  it('takes 8¢, 9¢, 8¢ on three $1.06 releases at 8%: 25¢ in all, the fee on $3.18', () => {
    const first = splitRelease({
      amountMinor: 1_06,
      releasedBeforeMinor: 0,
      feesBeforeMinor: 0,
      feeBps: 800,
    });
    const second = splitRelease({
      amountMinor: 1_06,
      releasedBeforeMinor: 1_06,
      feesBeforeMinor: 8,
      feeBps: 800,
    });
    const third = splitRelease({
      amountMinor: 1_06,
      releasedBeforeMinor: 2_12,
      feesBeforeMinor: 17,
      feeBps: 800,
    });
    expect([first.feeMinor, second.feeMinor, third.feeMinor]).toEqual([8, 9, 8]);
  });

  it('the fees of any split of a release total the fee on the whole, and net + fee = gross each time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5_000_00 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 10_000 }),
        (parts, feeBps) => {
          let released = 0;
          let fees = 0;
          for (const amountMinor of parts) {
            const { feeMinor, netMinor } = splitRelease({
              amountMinor,
              releasedBeforeMinor: released,
              feesBeforeMinor: fees,
              feeBps,
            });
            expect(feeMinor + netMinor).toBe(amountMinor);
            expect(feeMinor).toBeGreaterThanOrEqual(0);
            expect(netMinor).toBeGreaterThanOrEqual(0);
            released += amountMinor;
            fees += feeMinor;
          }
          // Independent oracle: exact rational fee, rounded half up, in BigInt.
          const exact = (BigInt(released) * BigInt(feeBps) * 2n + 10_000n) / 20_000n;
          expect(BigInt(fees)).toBe(exact);
        },
      ),
    );
  });
});
