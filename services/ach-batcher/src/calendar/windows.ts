// ACH submission windows. Each banking day has the Federal Reserve's same-day deadlines
// (defaults 10:30, 14:45 and 16:45 America/New_York — the FedACH same-day input deadlines since
// March 2021) plus one next-day window whose entries settle on the following banking day.
// The next-day deadline is the ODFI's contractual cut-off, not a Fed constant, so it is pure
// configuration (default 20:00 ET). Same-day entries are capped per entry (default
// $1,000,000.00). Everything here is a pure function of (instant, configuration): no clock.

import { PaystreamError } from '@paystream/core';
import { DateTime } from 'luxon';
import { isBankingDay, nextBankingDay, previousBankingDay } from './banking-days.js';
import { parseIso } from './fed-holidays.js';

export type WindowKind = 'same-day' | 'next-day';

export interface WindowConfig {
  readonly timeZone: string;
  /** "HH:mm" deadlines, local to timeZone. */
  readonly sameDayDeadlines: readonly string[];
  readonly nextDayDeadline: string;
  /** Largest single entry allowed in a same-day window, in cents. */
  readonly sameDayEntryLimitCents: number;
}

export const DEFAULT_WINDOW_CONFIG: WindowConfig = Object.freeze({
  timeZone: 'America/New_York',
  sameDayDeadlines: Object.freeze(['10:30', '14:45', '16:45']),
  nextDayDeadline: '20:00',
  sameDayEntryLimitCents: 100_000_000,
});

export interface SubmissionWindow {
  /** Stable id, e.g. "2026-01-05/same-day-2" or "2026-01-05/next-day". */
  readonly id: string;
  readonly kind: WindowKind;
  /** The banking day (local date) the window closes on. */
  readonly bankingDate: string;
  /** "HH:mm" local deadline. */
  readonly deadline: string;
  /** Instants: releases in [opensAtMs, closesAtMs) belong to this window. */
  readonly opensAtMs: number;
  readonly closesAtMs: number;
  /** Same-day: the banking date itself; next-day: the following banking day. */
  readonly effectiveEntryDate: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function validateWindowConfig(c: WindowConfig): WindowConfig {
  if (!DateTime.fromMillis(0, { zone: c.timeZone }).isValid) {
    throw new PaystreamError(
      'invalid_window_config',
      `unknown time zone ${JSON.stringify(c.timeZone)}`,
      'timeZone',
    );
  }
  for (const d of [...c.sameDayDeadlines, c.nextDayDeadline]) {
    if (!HHMM.test(d))
      throw new PaystreamError(
        'invalid_window_config',
        `deadline ${JSON.stringify(d)} must be HH:mm`,
        'deadlines',
      );
  }
  const sorted = [...c.sameDayDeadlines].sort();
  if (sorted.some((d, i) => d !== c.sameDayDeadlines[i] || d === sorted[i - 1])) {
    throw new PaystreamError(
      'invalid_window_config',
      'same-day deadlines must be strictly ascending',
      'sameDayDeadlines',
    );
  }
  if (c.sameDayDeadlines.includes(c.nextDayDeadline)) {
    throw new PaystreamError(
      'invalid_window_config',
      'the next-day deadline must differ from every same-day deadline',
      'nextDayDeadline',
    );
  }
  if (!Number.isSafeInteger(c.sameDayEntryLimitCents) || c.sameDayEntryLimitCents < 1) {
    throw new PaystreamError(
      'invalid_window_config',
      'sameDayEntryLimitCents must be a positive integer',
      'sameDayEntryLimitCents',
    );
  }
  return c;
}

/** The instant a local wall-clock time on a local date happens in the configured zone. */
export function localInstant(isoDate: string, hhmm: string, timeZone: string): number {
  const [year, month, day] = parseIso(isoDate);
  const m = HHMM.exec(hhmm);
  if (!m)
    throw new PaystreamError(
      'invalid_window_config',
      `deadline ${JSON.stringify(hhmm)} must be HH:mm`,
      'deadline',
    );
  const t = DateTime.fromObject(
    { year, month, day, hour: Number(m[1]), minute: Number(m[2]) },
    { zone: timeZone },
  );
  if (!t.isValid)
    throw new PaystreamError(
      'invalid_window_config',
      `cannot place ${isoDate} ${hhmm} in ${timeZone}`,
      'timeZone',
    );
  return t.toMillis();
}

/** The local calendar date of an instant in the configured zone. */
export function localDate(atMs: number, timeZone: string): string {
  if (!Number.isFinite(atMs))
    throw new PaystreamError('invalid_instant', `instant ${atMs} is not a number of epoch ms`, 'atMs');
  const d = DateTime.fromMillis(atMs, { zone: timeZone }).toISODate();
  if (d === null) throw new PaystreamError('invalid_instant', `cannot place ${atMs} in ${timeZone}`, 'atMs');
  return d;
}

export function effectiveEntryDateFor(kind: WindowKind, bankingDate: string): string {
  return kind === 'same-day' ? bankingDate : nextBankingDay(bankingDate);
}

interface Closing {
  kind: WindowKind;
  deadline: string;
  closesAtMs: number;
  ordinal: number;
}

function closingsOn(bankingDate: string, c: WindowConfig): Closing[] {
  const list: Closing[] = c.sameDayDeadlines.map((deadline, i) => ({
    kind: 'same-day' as const,
    deadline,
    closesAtMs: localInstant(bankingDate, deadline, c.timeZone),
    ordinal: i + 1,
  }));
  list.push({
    kind: 'next-day',
    deadline: c.nextDayDeadline,
    closesAtMs: localInstant(bankingDate, c.nextDayDeadline, c.timeZone),
    ordinal: 0,
  });
  return list.sort((a, b) => a.closesAtMs - b.closesAtMs);
}

/** Every window on one banking day, in closing order, each opening where the previous one closed. */
const validated = new WeakSet<WindowConfig>();

function checked(config: WindowConfig): WindowConfig {
  if (!validated.has(config)) {
    validateWindowConfig(config);
    validated.add(config);
  }
  return config;
}

export function windowsOn(
  bankingDate: string,
  config: WindowConfig = DEFAULT_WINDOW_CONFIG,
): SubmissionWindow[] {
  checked(config);
  if (!isBankingDay(bankingDate)) {
    throw new PaystreamError(
      'not_a_banking_day',
      `${bankingDate} is not a banking day (weekend or Federal Reserve holiday)`,
      'bankingDate',
    );
  }
  const closings = closingsOn(bankingDate, config);
  const prevDay = closingsOn(previousBankingDay(bankingDate), config);
  let opensAtMs = (prevDay[prevDay.length - 1] as Closing).closesAtMs;
  return closings.map((w) => {
    const window: SubmissionWindow = {
      id: w.kind === 'same-day' ? `${bankingDate}/same-day-${w.ordinal}` : `${bankingDate}/next-day`,
      kind: w.kind,
      bankingDate,
      deadline: w.deadline,
      opensAtMs,
      closesAtMs: w.closesAtMs,
      effectiveEntryDate: effectiveEntryDateFor(w.kind, bankingDate),
    };
    opensAtMs = w.closesAtMs;
    return window;
  });
}

const MAX_SCAN_DAYS = 15;

/**
 * The next window still open at `atMs` (its close is strictly after `atMs`; at the deadline
 * itself the window is closed). With `kind`, the next window of that kind.
 */
export function nextWindow(
  atMs: number,
  config: WindowConfig = DEFAULT_WINDOW_CONFIG,
  kind?: WindowKind,
): SubmissionWindow {
  let date = localDate(atMs, config.timeZone);
  // Windows of the previous local date can still be open only if a deadline is after midnight,
  // which HH:mm deadlines cannot express; so scanning from the local date is complete.
  for (let i = 0; i < MAX_SCAN_DAYS; i++) {
    if (isBankingDay(date)) {
      const found = windowsOn(date, config).find(
        (w) => w.closesAtMs > atMs && (kind === undefined || w.kind === kind),
      );
      if (found) return found;
    }
    date = nextBankingDay(date);
  }
  throw new Error(`invariant violated: no submission window within ${MAX_SCAN_DAYS} days of ${atMs}`);
}

/** Windows whose deadline fell in (fromMs, toMs], oldest first — what "close windows now" closes. */
export function windowsClosingBetween(
  fromMs: number,
  toMs: number,
  config: WindowConfig = DEFAULT_WINDOW_CONFIG,
): SubmissionWindow[] {
  if (toMs < fromMs) return [];
  if (toMs - fromMs > 366 * 86_400_000) {
    throw new PaystreamError('window_range_too_large', 'close at most one year of windows at once', 'toMs');
  }
  const out: SubmissionWindow[] = [];
  let w = nextWindow(fromMs, config);
  while (w.closesAtMs <= toMs) {
    out.push(w);
    w = nextWindow(w.closesAtMs, config);
  }
  return out;
}

/** Whether an entry of this size may go in a same-day window. */
export function isSameDayEligible(
  amountCents: number,
  config: WindowConfig = DEFAULT_WINDOW_CONFIG,
): boolean {
  if (!Number.isSafeInteger(amountCents) || amountCents < 0) {
    throw new PaystreamError(
      'invalid_amount',
      `amount must be a non-negative integer number of cents, got ${amountCents}`,
      'amountCents',
    );
  }
  return amountCents <= config.sameDayEntryLimitCents;
}
