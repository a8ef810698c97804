import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JITTER_FRACTION, MAX_ATTEMPTS, RETRY_DELAYS_MS, retryDelayMs } from './schedule.js';

describe('retry schedule', () => {
  it('spreads 12 attempts over about three days', () => {
    const totalMs = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(MAX_ATTEMPTS).toBe(12);
    expect(totalMs / 3_600_000).toBeGreaterThan(70);
    expect(totalMs / 3_600_000).toBeLessThan(72);
    // Exponential-ish: never shorter than the delay before it.
    for (let i = 1; i < RETRY_DELAYS_MS.length; i++)
      expect(RETRY_DELAYS_MS[i]).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[i - 1]!);
  });

  it('jitters each delay within ±20 % and stops after the last attempt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_ATTEMPTS + 3 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const d = retryDelayMs(attempt, r);
          const base = RETRY_DELAYS_MS[attempt - 1];
          if (base === undefined) {
            expect(d).toBeNull();
            return;
          }
          expect(d).toBeGreaterThanOrEqual(Math.floor(base * (1 - JITTER_FRACTION)));
          expect(d).toBeLessThanOrEqual(Math.ceil(base * (1 + JITTER_FRACTION)));
        },
      ),
    );
    expect(retryDelayMs(1, 0.5)).toBe(5_000);
  });

  it('refuses attempt numbers and randomness out of range', () => {
    expect(() => retryDelayMs(0, 0.5)).toThrow(RangeError);
    expect(() => retryDelayMs(1, 1)).toThrow(RangeError);
    expect(() => retryDelayMs(1, Number.NaN)).toThrow(RangeError);
  });
});
