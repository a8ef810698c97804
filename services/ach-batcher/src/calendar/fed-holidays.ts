// Federal Reserve holidays, computed by rule for any year rather than kept as a list that
// expires. Dates are civil calendar dates "YYYY-MM-DD" (no time zone: a holiday is a date).
//
// Observance follows the Federal Reserve, which differs from the federal government's rule:
// a holiday falling on a Sunday is observed the following Monday; a holiday falling on a
// Saturday is NOT moved — the Reserve Banks are open the preceding Friday.
// Juneteenth (June 19) became a federal holiday in 2021; the Reserve Banks first closed for it
// in 2022, so it is applied from 2022 on.

import { PaystreamError } from '@paystream/core';

export interface FedHoliday {
  readonly name: string;
  /** The date the holiday falls on by statute. */
  readonly date: string;
  /** The date the Fed is closed, or undefined when it falls on a Saturday (Fed open). */
  readonly observed: string | undefined;
}

const MIN_YEAR = 1971; // Monday-holiday rules (Uniform Monday Holiday Act) take effect.
const MAX_YEAR = 2200;

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(isoDate: string): number {
  const [y, m, d] = parseIso(isoDate);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function parseIso(isoDate: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m)
    throw new PaystreamError('invalid_date', `${JSON.stringify(isoDate)} is not a YYYY-MM-DD date`, 'date');
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new PaystreamError('invalid_date', `${isoDate} is not a real calendar date`, 'date');
  }
  return [y, mo, d];
}

/** Shift a civil date by whole days. */
export function addDays(isoDate: string, days: number): string {
  const [y, m, d] = parseIso(isoDate);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** The n-th (1-based) given weekday of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): string {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const day = 1 + ((weekday - first + 7) % 7) + (n - 1) * 7;
  return iso(year, month, day);
}

function lastWeekday(year: number, month: number, weekday: number): string {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const lastDow = new Date(Date.UTC(year, month - 1, lastDay)).getUTCDay();
  return iso(year, month, lastDay - ((lastDow - weekday + 7) % 7));
}

function fixed(name: string, year: number, month: number, day: number): FedHoliday {
  const date = iso(year, month, day);
  const dow = weekdayOf(date);
  const observed = dow === 0 ? addDays(date, 1) : dow === 6 ? undefined : date;
  return { name, date, observed };
}

function floating(name: string, date: string): FedHoliday {
  return { name, date, observed: date };
}

const MON = 1;
const THU = 4;

export function fedHolidays(year: number): readonly FedHoliday[] {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new PaystreamError(
      'invalid_year',
      `Federal Reserve holidays are computed for ${MIN_YEAR}..${MAX_YEAR}, got ${year}`,
      'year',
    );
  }
  const list: FedHoliday[] = [
    fixed("New Year's Day", year, 1, 1),
    // MLK Day became a federal holiday in 1986.
    ...(year >= 1986 ? [floating('Birthday of Martin Luther King, Jr.', nthWeekday(year, 1, MON, 3))] : []),
    floating("Washington's Birthday", nthWeekday(year, 2, MON, 3)),
    floating('Memorial Day', lastWeekday(year, 5, MON)),
    ...(year >= 2022 ? [fixed('Juneteenth National Independence Day', year, 6, 19)] : []),
    fixed('Independence Day', year, 7, 4),
    floating('Labor Day', nthWeekday(year, 9, MON, 1)),
    floating('Columbus Day', nthWeekday(year, 10, MON, 2)),
    fixed('Veterans Day', year, 11, 11),
    floating('Thanksgiving Day', nthWeekday(year, 11, THU, 4)),
    fixed('Christmas Day', year, 12, 25),
  ];
  return list;
}

const cache = new Map<number, ReadonlySet<string>>();

/** The set of dates the Fed is closed for a holiday in a given year (bounded cache: one entry per year). */
function observedSet(year: number): ReadonlySet<string> {
  let s = cache.get(year);
  if (s === undefined) {
    s = new Set(fedHolidays(year).flatMap((h) => (h.observed === undefined ? [] : [h.observed])));
    cache.set(year, s);
  }
  return s;
}

/** True when the Federal Reserve is closed on this date for a holiday. */
export function isFedHoliday(isoDate: string): boolean {
  const [y] = parseIso(isoDate);
  // Observance never crosses a year boundary: a Sunday Jan 1 is observed Mon Jan 2, and a
  // Saturday Jan 1 is not observed at all (the Fed stays open Fri Dec 31).
  return observedSet(y).has(isoDate);
}
