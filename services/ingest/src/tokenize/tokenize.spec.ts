import { PaystreamError } from '@paystream/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBankAccount } from './bank-account.js';
import { brandOf } from './brands.js';
import { checkCard, isExpired } from './card.js';
import { isLuhnValid, luhnCheckDigit } from './luhn.js';

const NOW_MS = Date.UTC(2026, 0, 5, 15, 0, 0);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof PaystreamError) return err.code;
    throw err;
  }
  return 'no error';
}

/** A Luhn-valid number of `length` digits starting with `prefix`. */
const cardNumber = (prefix: string, length: number) =>
  fc
    .array(fc.integer({ min: 0, max: 9 }), {
      minLength: length - prefix.length - 1,
      maxLength: length - prefix.length - 1,
    })
    .map((body) => {
      const payload = `${prefix}${body.join('')}`;
      return `${payload}${luhnCheckDigit(payload)}`;
    });

describe('Luhn', () => {
  it('accepts the documented test cards and refuses a changed check digit', () => {
    for (const n of [
      '4242424242424242',
      '4000000000000002',
      '4000000000009995',
      '4100000000000019',
      '378282246310005',
    ]) {
      expect(isLuhnValid(n)).toBe(true);
      const last = Number(n.at(-1));
      expect(isLuhnValid(`${n.slice(0, -1)}${(last + 1) % 10}`)).toBe(false);
    }
  });

  it('property: every single-digit change of a valid number is caught', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 12, max: 19 }).chain((len) => cardNumber('', len)),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (n, at, delta) => {
          expect(isLuhnValid(n)).toBe(true);
          const i = at % n.length;
          const changed = `${n.slice(0, i)}${(Number(n[i]) + delta) % 10}${n.slice(i + 1)}`;
          expect(isLuhnValid(changed)).toBe(false);
        },
      ),
    );
  });

  it('property: swapping two adjacent different digits is caught (except 0↔9)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 12, max: 19 }).chain((len) => cardNumber('', len)),
        fc.nat(),
        (n, at) => {
          const i = at % (n.length - 1);
          const a = n[i]!;
          const b = n[i + 1]!;
          fc.pre(a !== b && `${a}${b}` !== '09' && `${a}${b}` !== '90');
          expect(isLuhnValid(`${n.slice(0, i)}${b}${a}${n.slice(i + 2)}`)).toBe(false);
        },
      ),
    );
  });
});

describe('brand from BIN ranges', () => {
  const cases: [string, number, string][] = [
    ['4', 16, 'visa'],
    ['51', 16, 'mastercard'],
    ['55', 16, 'mastercard'],
    ['2221', 16, 'mastercard'],
    ['2720', 16, 'mastercard'],
    ['34', 15, 'amex'],
    ['37', 15, 'amex'],
    ['6011', 16, 'discover'],
    ['644', 16, 'discover'],
    ['65', 16, 'discover'],
    ['622126', 16, 'discover'],
    ['3528', 16, 'jcb'],
    ['3589', 16, 'jcb'],
    ['36', 14, 'diners'],
    ['300', 14, 'diners'],
    ['620', 16, 'unionpay'],
    ['6240', 16, 'unionpay'],
  ];
  it.each(cases)('property: prefix %s, %i digits → %s, and checkCard accepts it', (prefix, length, brand) => {
    fc.assert(
      fc.property(cardNumber(prefix, length), (n) => {
        expect(brandOf(n).brand).toBe(brand);
        const cvc = brand === 'amex' ? '1234' : '123';
        expect(checkCard({ number: n, expMonth: 12, expYear: 2030, cvc }, NOW_MS)).toMatchObject({
          brand,
          last4: n.slice(-4),
          bin: n.slice(0, 6),
        });
      }),
      { numRuns: 50 },
    );
  });

  it('neighbours of the ranges are not that brand', () => {
    expect(brandOf('2220990000000000').brand).not.toBe('mastercard');
    expect(brandOf('2721000000000000').brand).not.toBe('mastercard');
    expect(brandOf('5600000000000000').brand).not.toBe('mastercard');
    expect(brandOf('3500000000000000').brand).not.toBe('jcb');
    expect(brandOf('6221250000000000').brand).toBe('unionpay');
    expect(brandOf('9999999999999995').brand).toBe('unknown');
  });

  it('a known brand must have one of its lengths; an unknown brand any 12–19', () => {
    const payload = '424242424242424'; // 15 digits of visa prefix + check digit = 16; drop one
    const fifteen = `${payload.slice(0, 14)}${luhnCheckDigit(payload.slice(0, 14))}`;
    expect(codeOf(() => checkCard({ number: fifteen, expMonth: 1, expYear: 2030, cvc: '123' }, NOW_MS))).toBe(
      'invalid_card_number',
    );
    const unknown = `99${'0'.repeat(10)}`;
    const n = `${unknown}${luhnCheckDigit(unknown)}`;
    expect(checkCard({ number: n, expMonth: 1, expYear: 2030, cvc: '123' }, NOW_MS).brand).toBe('unknown');
  });
});

describe('checkCard', () => {
  const card = { number: '4242 4242 4242 4242', expMonth: 12, expYear: 2030, cvc: '123' };

  it('takes spaces and dashes, returns no CVC', () => {
    const checked = checkCard({ ...card, number: '4242-4242-4242-4242' }, NOW_MS);
    expect(checked).toEqual({ digits: '4242424242424242', brand: 'visa', bin: '424242', last4: '4242' });
  });

  it('refuses bad Luhn, letters and wrong lengths without echoing the number', () => {
    for (const number of ['4242424242424241', '4242abcd42424242', '42424242424', '42424242424242424242']) {
      try {
        checkCard({ ...card, number }, NOW_MS);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(PaystreamError);
        expect((err as PaystreamError).code).toBe('invalid_card_number');
        expect((err as PaystreamError).field).toBe('number');
        expect((err as PaystreamError).message).not.toContain('4242424');
      }
    }
  });

  it('expiry: valid through the last day of the month (UTC), by the given clock', () => {
    const endOfJan2026 = Date.UTC(2026, 1, 1) - 1;
    expect(isExpired(1, 2026, endOfJan2026)).toBe(false);
    expect(isExpired(1, 2026, endOfJan2026 + 1)).toBe(true);
    expect(isExpired(12, 2025, NOW_MS)).toBe(true);
    expect(codeOf(() => checkCard({ ...card, expMonth: 12, expYear: 2025 }, NOW_MS))).toBe('card_expired');
    expect(codeOf(() => checkCard({ ...card, expMonth: 1, expYear: 2026 }, NOW_MS))).toBe('no error');
    expect(codeOf(() => checkCard({ ...card, expYear: 2099 }, NOW_MS))).toBe('invalid_expiry');
    expect(codeOf(() => checkCard({ ...card, expMonth: 13 }, NOW_MS))).toBe('invalid_expiry');
  });

  it('CVC: 3 digits, 4 for amex', () => {
    expect(codeOf(() => checkCard({ ...card, cvc: '12' }, NOW_MS))).toBe('invalid_cvc');
    expect(codeOf(() => checkCard({ ...card, cvc: '1234' }, NOW_MS))).toBe('invalid_cvc');
    expect(codeOf(() => checkCard({ ...card, cvc: '12a' }, NOW_MS))).toBe('invalid_cvc');
    const amex = { ...card, number: '378282246310005' };
    expect(codeOf(() => checkCard({ ...amex, cvc: '123' }, NOW_MS))).toBe('invalid_cvc');
    expect(checkCard({ ...amex, cvc: '1234' }, NOW_MS).brand).toBe('amex');
  });
});

describe('checkBankAccount', () => {
  it('accepts a routing number passing 3-7-1 and 4–17 digit accounts; shows last 4', () => {
    expect(checkBankAccount('011000015', '000123456789')).toEqual({
      routingNumber: '011000015',
      accountDigits: '000123456789',
      last4: '6789',
    });
    expect(checkBankAccount('021000021', '1234').last4).toBe('1234');
  });

  it('refuses a bad checksum, a short routing number and bad account numbers', () => {
    expect(codeOf(() => checkBankAccount('011000016', '000123456789'))).toBe('invalid_routing_number');
    expect(codeOf(() => checkBankAccount('01100001', '000123456789'))).toBe('invalid_routing_number');
    expect(codeOf(() => checkBankAccount('000000000', '000123456789'))).toBe('invalid_routing_number');
    expect(codeOf(() => checkBankAccount('011000015', '123'))).toBe('invalid_account_number');
    expect(codeOf(() => checkBankAccount('011000015', '123456789012345678'))).toBe('invalid_account_number');
    expect(codeOf(() => checkBankAccount('011000015', '12x4'))).toBe('invalid_account_number');
  });
});
