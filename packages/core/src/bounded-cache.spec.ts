import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedCache, jsonSizeOf } from './bounded-cache.js';

describe('BoundedCache', () => {
  it('evicts the least recently used entry past maxEntries', () => {
    const c = new BoundedCache<string, number>({ maxEntries: 2, maxBytes: 1000, sizeOf: () => 1 });
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the younger
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c')]).toEqual([1, 3]);
    expect(c.stats()).toEqual({ hits: 3, misses: 1, evictions: 1 });
  });

  it('evicts past maxBytes, and keeps no entry heavier than the whole bound', () => {
    const c = new BoundedCache<string, string>({ maxEntries: 100, maxBytes: 10, sizeOf: (v) => v.length });
    c.set('a', 'xxxx');
    c.set('b', 'yyyy');
    c.set('c', 'zzzz'); // 12 bytes: a goes
    expect(c.get('a')).toBeUndefined();
    expect(c.bytes).toBe(8);
    c.set('huge', 'x'.repeat(11));
    expect(c.get('huge')).toBeUndefined();
    expect(c.size).toBe(2);
    c.set('b', 'y'); // replacing an entry re-weighs it
    expect(c.bytes).toBe(5);
  });

  it('never holds more than its bounds, whatever the sequence of writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 20 })), { maxLength: 200 }),
        (writes) => {
          const c = new BoundedCache<number, string>({
            maxEntries: 8,
            maxBytes: 50,
            sizeOf: (v) => v.length,
          });
          const last = new Map<number, string>();
          for (const [k, v] of writes) {
            c.set(k, v);
            last.set(k, v);
            expect(c.size).toBeLessThanOrEqual(8);
            expect(c.bytes).toBeLessThanOrEqual(50);
          }
          // What it still holds is the latest value written under that key.
          for (const [k, v] of last) {
            const got = c.get(k);
            if (got !== undefined) expect(got).toBe(v);
          }
        },
      ),
    );
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => new BoundedCache({ maxEntries: 0, maxBytes: 1, sizeOf: () => 1 })).toThrow(RangeError);
    expect(() => new BoundedCache({ maxEntries: 1, maxBytes: 1.5, sizeOf: () => 1 })).toThrow(RangeError);
    expect(jsonSizeOf({ a: 'b' })).toBeGreaterThan(JSON.stringify({ a: 'b' }).length);
  });
});
