import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, basisPointsOf, formatMoney, money, negate, subtract } from './money.js';

describe('money', () => {
  it('accepts only safe integer minor units and supported ISO 4217 codes', () => {
    expect(money(12_500, 'USD')).toEqual({ amountMinor: 12_500, currency: 'USD' });
    expect(() => money(125.5, 'USD')).toThrow(/integer number of minor units/);
    expect(() => money(Number.NaN, 'USD')).toThrow(/integer/);
    expect(() => money(2 ** 53, 'USD')).toThrow(/integer/);
    expect(() => money(100, 'usd')).toThrow(/not a supported ISO 4217 code/);
    expect(() => money(100, 'XYZ')).toThrow(/XYZ/);
  });

  it('refuses to combine currencies', () => {
    expect(() => add(money(100, 'USD'), money(100, 'EUR'))).toThrow(/cannot combine USD with EUR/);
  });

  it('adds and subtracts exactly (property)', () => {
    const amount = fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        const x = money(a, 'USD');
        const y = money(b, 'USD');
        expect(subtract(add(x, y), y)).toEqual(x);
        expect(add(x, negate(x)).amountMinor).toBe(0);
      }),
    );
  });

  it('takes basis points exactly, rounding half up, fee never above the gross (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, bps) => {
          const fee = basisPointsOf(amount, bps);
          const exactTimes2 = BigInt(amount) * BigInt(bps) * 2n;
          // fee is the integer nearest amount*bps/10000, ties rounded up
          expect(BigInt(fee) * 20_000n - exactTimes2 <= 10_000n).toBe(true);
          expect(exactTimes2 - BigInt(fee) * 20_000n < 10_000n).toBe(true);
          expect(fee).toBeLessThanOrEqual(amount);
          expect(Number.isSafeInteger(fee)).toBe(true);
        },
      ),
    );
    expect(basisPointsOf(12_500, 800)).toBe(1_000);
    expect(basisPointsOf(106, 800)).toBe(8); // 8.48¢ → 8¢
    expect(basisPointsOf(1, 5_000)).toBe(1); // half a cent rounds up
    expect(() => basisPointsOf(100, 10_001)).toThrow(/basis points/);
    expect(() => basisPointsOf(-1, 800)).toThrow(/non-negative/);
  });

  it('formats for people only', () => {
    expect(formatMoney(money(12_500, 'USD'))).toBe('125.00 USD');
    expect(formatMoney(money(-5, 'USD'))).toBe('-0.05 USD');
    expect(formatMoney(money(1_000, 'JPY'))).toBe('1000 JPY');
  });
});
