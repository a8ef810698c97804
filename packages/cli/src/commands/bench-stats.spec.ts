import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentile, perSecond, ratio, round, summarize } from './bench-stats.js';

describe('bench statistics', () => {
  it('percentile uses the nearest rank', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 90)).toBe(9);
    expect(percentile(xs, 99)).toBe(10);
    expect(percentile(xs, 100)).toBe(10);
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(xs, 0)).toThrow(RangeError);
    expect(() => percentile(xs, 101)).toThrow(RangeError);
  });

  it('percentiles are ordered, within the samples, and p100 is the max', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }), (xs) => {
        const s = summarize(xs);
        expect(s.count).toBe(xs.length);
        expect(s.p50).toBeLessThanOrEqual(s.p95);
        expect(s.p95).toBeLessThanOrEqual(s.p99);
        expect(s.p99).toBeLessThanOrEqual(s.max);
        expect(s.max).toBe(Math.max(...xs));
        expect(xs).toContain(s.p50);
        expect(s.mean).toBeGreaterThanOrEqual(Math.min(...xs) - 1e-6);
        expect(s.mean).toBeLessThanOrEqual(s.max + 1e-6);
      }),
      { seed: 6, numRuns: 200 },
    );
  });

  it('summarize sorts numerically, not as strings', () => {
    const s = summarize([10, 9, 100, 2]);
    expect(s.p50).toBe(9);
    expect(s.max).toBe(100);
    expect(s.mean).toBe(30.25);
  });

  it('rates, ratios and rounding', () => {
    expect(perSecond(5_000, 2_000)).toBe(2_500);
    expect(perSecond(10, 0)).toBe(0);
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(1, 0)).toBeNull();
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(Number.NaN)).toBeNull();
    expect(round(Number.POSITIVE_INFINITY)).toBeNull();
  });
});
