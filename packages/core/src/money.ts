// Money is an integer count of minor units plus an ISO 4217 currency. There is no float path:
// every constructor checks Number.isSafeInteger, and arithmetic refuses mixed currencies.

import { PaystreamError } from './errors.js';

/** ISO 4217 currencies we accept, with their minor-unit exponent. Extend deliberately. */
export const CURRENCY_EXPONENTS = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CAD: 2,
  AUD: 2,
  JPY: 0,
  CHF: 2,
  MXN: 2,
} as const satisfies Record<string, number>;

export type Currency = keyof typeof CURRENCY_EXPONENTS;

export interface Money {
  readonly amountMinor: number;
  readonly currency: Currency;
}

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, value);
}

export function money(amountMinor: number, currency: string): Money {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new PaystreamError(
      'invalid_amount',
      `amount must be an integer number of minor units, got ${amountMinor}`,
      'amount',
    );
  }
  if (!isCurrency(currency)) {
    throw new PaystreamError(
      'unsupported_currency',
      `currency ${JSON.stringify(currency)} is not a supported ISO 4217 code`,
      'currency',
    );
  }
  return { amountMinor, currency };
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new PaystreamError(
      'currency_mismatch',
      `cannot combine ${a.currency} with ${b.currency}`,
      'currency',
    );
  }
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amountMinor + b.amountMinor, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amountMinor - b.amountMinor, a.currency);
}

export function negate(a: Money): Money {
  return money(-a.amountMinor, a.currency);
}

export function isZero(a: Money): boolean {
  return a.amountMinor === 0;
}

/**
 * `bps` basis points of an amount, rounded half up to a whole minor unit (exact: BigInt, no
 * floats). Callers take the net as gross − fee, so fee + net always equals the gross.
 */
export function basisPointsOf(amountMinor: number, bps: number): number {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new PaystreamError(
      'invalid_amount',
      `amount must be a non-negative integer, got ${amountMinor}`,
      'amount',
    );
  }
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) {
    throw new PaystreamError(
      'invalid_fee',
      `fee must be 0..10000 basis points, got ${bps}`,
      'platformFeeBps',
    );
  }
  // BigInt keeps amount * bps exact beyond 2^53 / 10_000.
  const product = BigInt(amountMinor) * BigInt(bps);
  return Number((product * 2n + 10_000n) / 20_000n);
}

/** Format for humans only (logs, CLI summaries); never parse this back. */
export function formatMoney(m: Money): string {
  const exp = CURRENCY_EXPONENTS[m.currency];
  const sign = m.amountMinor < 0 ? '-' : '';
  const abs = Math.abs(m.amountMinor)
    .toString()
    .padStart(exp + 1, '0');
  const whole = exp === 0 ? abs : abs.slice(0, -exp);
  const frac = exp === 0 ? '' : `.${abs.slice(-exp)}`;
  return `${sign}${whole}${frac} ${m.currency}`;
}
