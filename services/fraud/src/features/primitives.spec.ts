import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hash32,
  newWelford,
  newWindow,
  recentDistinct,
  recentHas,
  recentTouch,
  welfordAdd,
  welfordStd,
  windowAdd,
  windowCount,
  windowSum,
} from './primitives.js';

const MIN = 60_000;

describe('sliding window counter', () => {
  it('counts events in the current bucket exactly and forgets them after two widths', () => {
    const w = newWindow();
    windowAdd(w, 0, MIN, 100);
    windowAdd(w, 10_000, MIN, 250);
    expect(windowCount(w, 20_000, MIN)).toBe(2);
    expect(windowSum(w, 20_000, MIN)).toBe(350);
    // Half-way through the next bucket, half of the previous bucket still overlaps.
    expect(windowCount(w, 90_000, MIN)).toBe(1);
    expect(windowCount(w, 2 * MIN + 1, MIN)).toBe(0);
  });

  it('never goes negative and never exceeds the events of the last two widths', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * MIN }), { maxLength: 60 }), (gaps) => {
        const w = newWindow();
        const times: number[] = [];
        let t = 0;
        for (const g of gaps) {
          t += g;
          const estimate = windowCount(w, t, MIN);
          const lastTwo = times.filter((x) => t - x < 2 * MIN).length;
          const lastOneBucket = times.filter((x) => Math.floor(x / MIN) === Math.floor(t / MIN)).length;
          expect(estimate).toBeGreaterThanOrEqual(0);
          expect(estimate).toBeGreaterThanOrEqual(lastOneBucket - 1e-9);
          expect(estimate).toBeLessThanOrEqual(lastTwo + 1e-9);
          windowAdd(w, t, MIN, 100);
          times.push(t);
        }
      }),
    );
  });
});

describe('Welford', () => {
  it('matches the two-pass mean and sample standard deviation', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 100, max: 500_000 }), { minLength: 2, maxLength: 50 }),
        (amounts) => {
          const s = newWelford();
          const xs = amounts.map(Math.log);
          for (const x of xs) welfordAdd(s, x);
          const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
          const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
          expect(s[1]).toBeCloseTo(mean, 9);
          expect(welfordStd(s)).toBeCloseTo(Math.sqrt(variance), 9);
        },
      ),
    );
  });
});

describe('recent set', () => {
  it('keeps at most its capacity, replacing the member seen longest ago', () => {
    const set: number[] = [];
    for (let i = 0; i < 10; i += 1) recentTouch(set, hash32(`card${i}`), i * 1000, 4);
    expect(set.length).toBe(8);
    expect(recentHas(set, hash32('card9'))).toBe(true);
    expect(recentHas(set, hash32('card0'))).toBe(false);
    expect(recentDistinct(set, 9_000, 60_000, hash32('card9'))).toBe(3);
    expect(recentDistinct(set, 9_000, 2_500, 0)).toBe(3);
  });

  it('hash32 is deterministic', () => {
    expect(hash32('device-1')).toBe(hash32('device-1'));
    expect(hash32('device-1')).not.toBe(hash32('device-2'));
  });
});
