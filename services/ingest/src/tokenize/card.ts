// Card checks before tokenization: digits, Luhn, brand and its length, expiry against the clock
// port, and the CVC's shape. Every error names the field and the rule, never the value: a
// message that echoed the input would put a card number in a response or a log line.

import { PaystreamError } from '@paystream/core';
import { brandOf, type CardBrand } from './brands.js';
import { isLuhnValid } from './luhn.js';

/** How far ahead an expiry date may be; networks issue cards for at most a few years. */
export const MAX_EXPIRY_YEARS_AHEAD = 20;

export interface CardInput {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc: string;
}

export interface CheckedCard {
  /** Digits only. In memory only: sealed, fingerprinted, then dropped. */
  readonly digits: string;
  readonly brand: CardBrand;
  readonly bin: string;
  readonly last4: string;
}

function invalid(code: string, message: string, field: string): PaystreamError {
  return new PaystreamError(code, message, field);
}

/** The card number without the spaces or dashes people type; throws unless 12–19 digits. */
export function cardDigits(number: string): string {
  const digits = number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) {
    throw invalid('invalid_card_number', 'number must be 12–19 digits (spaces and dashes allowed)', 'number');
  }
  return digits;
}

/** True when the card is still valid at `nowMs`: cards expire after the last day of expMonth (UTC). */
export function isExpired(expMonth: number, expYear: number, nowMs: number): boolean {
  const firstOfNextMonthMs = Date.UTC(expYear, expMonth, 1); // month index expMonth = the next month
  return nowMs >= firstOfNextMonthMs;
}

export function checkExpiry(expMonth: number, expYear: number, nowMs: number): void {
  if (!Number.isInteger(expMonth) || expMonth < 1 || expMonth > 12) {
    throw invalid('invalid_expiry', 'expMonth must be 1–12', 'expMonth');
  }
  if (!Number.isInteger(expYear) || expYear < 2000 || expYear > 2199) {
    throw invalid('invalid_expiry', 'expYear must be a four-digit year', 'expYear');
  }
  if (isExpired(expMonth, expYear, nowMs)) {
    throw invalid(
      'card_expired',
      `the card expired at the end of ${expYear}-${String(expMonth).padStart(2, '0')}`,
      'expYear',
    );
  }
  const nowYear = new Date(nowMs).getUTCFullYear();
  if (expYear > nowYear + MAX_EXPIRY_YEARS_AHEAD) {
    throw invalid('invalid_expiry', `expYear is more than ${MAX_EXPIRY_YEARS_AHEAD} years ahead`, 'expYear');
  }
}

/** Validates a card for tokenization. The CVC is checked here and goes no further. */
export function checkCard(input: CardInput, nowMs: number): CheckedCard {
  const digits = cardDigits(input.number);
  if (!isLuhnValid(digits)) {
    throw invalid('invalid_card_number', 'number fails the Luhn check; check for a mistyped digit', 'number');
  }
  const info = brandOf(digits);
  if (info.lengths.length > 0 && !info.lengths.includes(digits.length)) {
    throw invalid(
      'invalid_card_number',
      `a ${info.brand} number has ${info.lengths.join(', ')} digits, this one has ${digits.length}`,
      'number',
    );
  }
  checkExpiry(input.expMonth, input.expYear, nowMs);
  if (!new RegExp(`^\\d{${info.cvcLength}}$`).test(input.cvc)) {
    throw invalid(
      'invalid_cvc',
      info.brand === 'amex' ? 'cvc must be 4 digits for American Express' : 'cvc must be 3 digits',
      'cvc',
    );
  }
  return { digits, brand: info.brand, bin: digits.slice(0, 6), last4: digits.slice(-4) };
}
