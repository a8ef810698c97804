// Banking days: Monday to Friday, except Federal Reserve holidays. ACH settles only on them.
// All dates are civil dates "YYYY-MM-DD" in the ACH operator's calendar (America/New_York).

import { PaystreamError } from '@paystream/core';
import { addDays, isFedHoliday, parseIso, weekdayOf } from './fed-holidays.js';

export function isBankingDay(isoDate: string): boolean {
  const dow = weekdayOf(isoDate);
  return dow !== 0 && dow !== 6 && !isFedHoliday(isoDate);
}

/** Bound on the search: no real calendar has more than a handful of closed days in a row. */
const MAX_SCAN_DAYS = 14;

/** The first banking day strictly after `isoDate`. */
export function nextBankingDay(isoDate: string): string {
  let d = isoDate;
  for (let i = 0; i < MAX_SCAN_DAYS; i++) {
    d = addDays(d, 1);
    if (isBankingDay(d)) return d;
  }
  throw new Error(`invariant violated: no banking day within ${MAX_SCAN_DAYS} days after ${isoDate}`);
}

/** `isoDate` itself when it is a banking day, otherwise the next one. */
export function onOrNextBankingDay(isoDate: string): string {
  return isBankingDay(isoDate) ? isoDate : nextBankingDay(isoDate);
}

/** The last banking day strictly before `isoDate`. */
export function previousBankingDay(isoDate: string): string {
  let d = isoDate;
  for (let i = 0; i < MAX_SCAN_DAYS; i++) {
    d = addDays(d, -1);
    if (isBankingDay(d)) return d;
  }
  throw new Error(`invariant violated: no banking day within ${MAX_SCAN_DAYS} days before ${isoDate}`);
}

/**
 * Move `n` banking days from `isoDate` (negative moves back). addBankingDays(d, 0) is d when d is
 * a banking day; from a non-banking day, 0 rolls forward to the next banking day.
 */
export function addBankingDays(isoDate: string, n: number): string {
  parseIso(isoDate);
  if (!Number.isInteger(n) || Math.abs(n) > 10_000) {
    throw new PaystreamError(
      'invalid_banking_days',
      `banking-day offset must be an integer within ±10000, got ${n}`,
      'days',
    );
  }
  if (n === 0) return onOrNextBankingDay(isoDate);
  let d = isoDate;
  for (let i = 0; i < Math.abs(n); i++) d = n > 0 ? nextBankingDay(d) : previousBankingDay(d);
  return d;
}
