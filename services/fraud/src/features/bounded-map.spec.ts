import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('evicts the least recently used key when full', () => {
    const m = new BoundedMap<{ lastSeenMs: number }>(2, 1_000_000);
    m.touch('a', { lastSeenMs: 1 }, 1);
    m.touch('b', { lastSeenMs: 2 }, 2);
    m.get('a', 3);
    m.touch('a', { lastSeenMs: 3 }, 3);
    m.touch('c', { lastSeenMs: 4 }, 4);
    expect(m.get('b', 4)).toBeUndefined();
    expect(m.get('a', 4)).toBeDefined();
    expect(m.evictions.lru).toBe(1);
  });

  it('forgets keys idle longer than the TTL', () => {
    const m = new BoundedMap<{ lastSeenMs: number }>(10, 100);
    m.touch('a', { lastSeenMs: 0 }, 0);
    expect(m.get('a', 100)).toBeDefined();
    expect(m.get('a', 101)).toBeUndefined();
    m.touch('b', { lastSeenMs: 0 }, 0);
    m.touch('c', { lastSeenMs: 500 }, 500);
    expect(m.size).toBe(1);
    expect(m.evictions.ttl).toBe(2);
  });

  it('never holds more than its bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 60 })), (max, keys) => {
        const m = new BoundedMap<{ lastSeenMs: number }>(max, 1e12);
        keys.forEach((k, t) => {
          m.touch(`k${k}`, { lastSeenMs: t }, t);
          expect(m.size).toBeLessThanOrEqual(max);
        });
      }),
    );
  });
});
