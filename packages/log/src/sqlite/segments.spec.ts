import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSegment, encodeSegment } from './segments.js';

const recordArb = fc.record({
  key: fc.string({ unit: 'binary', maxLength: 40 }),
  value: fc.uint8Array({ maxLength: 300 }),
  headers: fc.option(
    fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 })),
    { nil: undefined },
  ),
});

describe('record-batch segments', () => {
  it('round-trip any keys (any unicode), headers and value bytes, with consecutive offsets', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { minLength: 1, maxLength: 50 }),
        fc.nat(1_000_000),
        (records, base) => {
          const row = {
            topic: 't',
            partition: 2,
            base_offset: base,
            last_offset: base + records.length - 1,
            ts: 1,
            records: encodeSegment(records),
          };
          const back = decodeSegment(row);
          expect(back.map((r) => r.offset)).toEqual(records.map((_, i) => base + i));
          back.forEach((r, i) => {
            expect(r.key).toBe(records[i]!.key);
            expect(Buffer.compare(r.value, Buffer.from(records[i]!.value))).toBe(0);
            expect(r.headers).toEqual(records[i]!.headers ?? {});
          });
        },
      ),
    );
  });

  it('skips records before the requested offset', () => {
    const records = ['a', 'b', 'c'].map((key) => ({ key, value: Buffer.from(key) }));
    const row = {
      topic: 't',
      partition: 0,
      base_offset: 10,
      last_offset: 12,
      ts: 1,
      records: encodeSegment(records),
    };
    expect(decodeSegment(row, 11).map((r) => r.key)).toEqual(['b', 'c']);
  });

  it('refuses a truncated segment instead of returning partial data', () => {
    const buf = encodeSegment([{ key: 'k', value: Buffer.alloc(20, 1) }]);
    const row = {
      topic: 't',
      partition: 0,
      base_offset: 0,
      last_offset: 0,
      ts: 1,
      records: buf.subarray(0, buf.length - 5),
    };
    expect(() => decodeSegment(row)).toThrow();
  });

  it('rejects keys longer than the format allows', () => {
    expect(() => encodeSegment([{ key: 'k'.repeat(70_000), value: Buffer.alloc(1) }])).toThrow(
      /key is 70000 bytes/,
    );
  });
});
