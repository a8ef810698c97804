// Card brand from the issuer identification number (IIN/BIN) ranges the networks publish, and
// the lengths each brand issues. Ranges are checked most specific first (Discover's
// 622126–622925 sits inside UnionPay's 62). A Luhn-valid number of no known brand is accepted
// as `unknown` (the simulator approves it; ARCHITECTURE.md §5), but a known brand must have its length.

export const CARD_BRANDS = [
  'visa',
  'mastercard',
  'amex',
  'discover',
  'diners',
  'jcb',
  'unionpay',
  'unknown',
] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

interface BrandRule {
  readonly brand: Exclude<CardBrand, 'unknown'>;
  /** Inclusive prefix ranges compared on the first `digits` digits. */
  readonly ranges: readonly (readonly [number, number, number])[];
  readonly lengths: readonly number[];
}

// [digits, from, to]: the number's first `digits` digits, as an integer, fall in [from, to].
const RULES: readonly BrandRule[] = [
  {
    brand: 'amex',
    ranges: [
      [2, 34, 34],
      [2, 37, 37],
    ],
    lengths: [15],
  },
  {
    brand: 'discover',
    ranges: [
      [4, 6011, 6011],
      [6, 622126, 622925],
      [3, 644, 649],
      [2, 65, 65],
    ],
    lengths: [16, 17, 18, 19],
  },
  { brand: 'jcb', ranges: [[4, 3528, 3589]], lengths: [16, 17, 18, 19] },
  {
    brand: 'diners',
    ranges: [
      [3, 300, 305],
      [2, 36, 36],
      [2, 38, 39],
    ],
    lengths: [14, 15, 16, 17, 18, 19],
  },
  {
    brand: 'mastercard',
    ranges: [
      [2, 51, 55],
      [4, 2221, 2720],
    ],
    lengths: [16],
  },
  { brand: 'visa', ranges: [[1, 4, 4]], lengths: [13, 16, 19] },
  { brand: 'unionpay', ranges: [[2, 62, 62]], lengths: [16, 17, 18, 19] },
];

export interface BrandInfo {
  readonly brand: CardBrand;
  /** The lengths this brand issues; empty for `unknown` (any 12–19). */
  readonly lengths: readonly number[];
  /** CVC digits: 4 for American Express, 3 for everyone else. */
  readonly cvcLength: 3 | 4;
}

/** The brand of a digits-only card number. */
export function brandOf(digits: string): BrandInfo {
  for (const rule of RULES) {
    for (const [n, from, to] of rule.ranges) {
      if (digits.length < n) continue;
      const prefix = Number(digits.slice(0, n));
      if (prefix >= from && prefix <= to) {
        return { brand: rule.brand, lengths: rule.lengths, cvcLength: rule.brand === 'amex' ? 4 : 3 };
      }
    }
  }
  return { brand: 'unknown', lengths: [], cvcLength: 3 };
}
