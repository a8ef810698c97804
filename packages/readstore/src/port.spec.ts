import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertBulkLoad,
  canonical,
  defineTable,
  encodeBulkLoad,
  type Item,
  type JsonValue,
  validateItem,
} from './port.js';

const TABLE = defineTable({ name: 'things', key: { pk: 'id' } });

// validateItem writes the canonical text in one pass; stored texts (and so replay comparisons)
// depend on it matching the definition: JSON.stringify of the sorted copy.
const leaf = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
  fc.constantFrom('\ud800', 'a\u0000b', '"\\', 'é', '😀', '\u2028', '\x7f', ''),
  fc.maxSafeInteger(),
  fc.boolean(),
  fc.constant(null),
);
// Names that objects enumerate apart (integer-like, first) and one canonical's copy drops.
const nameArb = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength }),
    fc.nat({ max: 20 }).map(String),
    fc.constantFrom('4294967295', '01', '-1', '__proto__'),
  );
const jsonArb: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nameArb(6), tie('value'), {
      maxKeys: 5,
      noNullPrototype: true,
    }),
  ),
})).value;
const itemArb = fc
  .dictionary(
    nameArb(8).filter((k) => !k.startsWith('__')),
    jsonArb,
    { maxKeys: 8, noNullPrototype: true },
  )
  .map((attrs) => ({ ...attrs, id: 'x' }) as Item);

describe('validateItem', () => {
  it('writes JSON.stringify(canonical(item)), byte for byte', () => {
    fc.assert(
      fc.property(itemArb, (item) => {
        expect(validateItem(TABLE, item)).toBe(JSON.stringify(canonical(item)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves out undefined attributes and writes integer-like names first, as objects enumerate them', () => {
    const item = {
      id: 'x',
      b: 1,
      a: undefined,
      10: 'ten',
      9: 'nine',
      nested: { z: [1, { y: null, c: true }] },
    };
    expect(validateItem(TABLE, item as unknown as Item)).toBe(
      '{"9":"nine","10":"ten","b":1,"id":"x","nested":{"z":[1,{"c":true,"y":null}]}}',
    );
  });

  it('writes integers as String() does', () => {
    const edges = [
      0,
      -0,
      9,
      10,
      -10,
      99_999_999,
      100_000_000,
      100_000_001,
      1_700_000_000_123,
      2 ** 31,
      2 ** 53 - 1,
    ];
    for (const n of [...edges, ...edges.map((x) => -x)]) {
      expect(validateItem(TABLE, { id: 'x', n })).toBe(`{"id":"x","n":${String(n)}}`);
    }
  });

  it('refuses what is not plain JSON with safe integers, naming where', () => {
    const bad = (item: unknown) => () => validateItem(TABLE, item as Item);
    expect(bad({ id: 'x', a: { b: [1, 1.5] } })).toThrow(/item\.a\.b\[1\] must be a safe integer/);
    expect(bad({ id: 'x', a: [undefined] })).toThrow(/item\.a\[0\] is not a JSON value/);
    expect(bad({ id: 'x', a: { '': 1 } })).toThrow(/item\.a has an empty attribute name/);
    expect(bad({ id: 'x', a: new Date(0) })).toThrow(/item\.a is not a JSON value/);
    expect(bad({ id: 'x', __v: 1 })).toThrow(/reserved/);
    let deep: JsonValue = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(bad({ id: 'x', deep })).toThrow(/nested too deeply/);
  });
});

describe('encodeBulkLoad', () => {
  const TWO_KEYS = defineTable({ name: 'pairs', key: { pk: 'id', sk: { name: 'n', type: 'number' } } });

  it('writes the bytes of validateItem, item after item', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 8 }), (items) => {
        const loaded = items.map((item, i) => ({ item: { ...item, id: `x${i}` }, version: i }));
        const { keys, text, ends } = encodeBulkLoad(TABLE, loaded);
        let start = 0;
        loaded.forEach((v, i) => {
          expect(text.toString('utf8', start, ends[i])).toBe(validateItem(TABLE, v.item));
          expect(keys[i]).toEqual([`x${i}`]);
          start = ends[i]!;
        });
        expect(text.length).toBe(start);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what assertBulkLoad refuses, with the same error', () => {
    const cases: unknown[][] = [
      [{ id: 'a', x: 1.5 }],
      [{ id: 'a', x: { y: [undefined] } }],
      [{ id: 'a', __x: 1 }],
      [{ id: '' }],
      [{ id: 'a', n: 'one' }],
      [
        { id: 'a', n: 1 },
        { id: 'a', n: 1 },
      ],
      [null],
      [{ id: 'a', n: 1, big: 'x'.repeat(400 * 1024) }],
      [{ id: 'a', n: 1, nested: JSON.parse('{"__proto__":{"a":1},"b":2}') }],
    ];
    for (const items of cases) {
      const loaded = items.map((item) => ({ item: item as Item, version: 1 }));
      const expected = (() => {
        try {
          return {
            text: assertBulkLoad(TWO_KEYS, loaded)
              .map((v) => v.json)
              .join(''),
          };
        } catch (err) {
          return { error: (err as Error).message };
        }
      })();
      const actual = (() => {
        try {
          return { text: encodeBulkLoad(TWO_KEYS, loaded).text.toString('utf8') };
        } catch (err) {
          return { error: (err as Error).message };
        }
      })();
      expect(actual).toEqual(expected);
    }
    expect(() => encodeBulkLoad(TWO_KEYS, [{ item: { id: 'a', n: 1 }, version: -1 }])).toThrow(/version/);
  });
});
