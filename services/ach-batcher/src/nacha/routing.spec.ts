import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertRoutingNumber, checkDigit, isValidRoutingNumber } from './routing.js';

describe('ABA routing numbers (3-7-1 checksum)', () => {
  it('accepts real-format routing numbers', () => {
    for (const r of ['021000021', '011000015', '091000019', '121000358', '026009593', '111000025']) {
      expect(isValidRoutingNumber(r)).toBe(true);
    }
  });

  it('rejects a wrong check digit, wrong length and all zeros', () => {
    expect(isValidRoutingNumber('021000022')).toBe(false);
    expect(isValidRoutingNumber('02100002')).toBe(false);
    expect(isValidRoutingNumber('000000000')).toBe(false);
    expect(() =>
      assertRoutingNumber('021000022', { record: 'EntryDetail', field: 'rdfiRoutingNumber' }),
    ).toThrow(/check digit should be 1/);
  });

  it('the computed check digit always validates, and changing any one digit breaks it', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{8}$/),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 9 }),
        (first8, pos, delta) => {
          const full = first8 + String(checkDigit(first8));
          fc.pre(full !== '000000000');
          expect(isValidRoutingNumber(full)).toBe(true);
          const digits = full.split('');
          digits[pos] = String((Number(digits[pos]) + delta) % 10);
          const altered = digits.join('');
          // Weights 3, 7 and 1 are all coprime with 10, so a single-digit error is always caught.
          if (altered !== '000000000') expect(isValidRoutingNumber(altered)).toBe(false);
        },
      ),
    );
  });
});
