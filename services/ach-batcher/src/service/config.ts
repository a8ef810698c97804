// ACH configuration: who originates the files (ODFI and company identity), the submission
// windows, the batch size and the settlement rule. Read once from the environment and validated
// with messages that name the variable. The defaults make a working demo, not a bank relationship:
// a real deployment sets every ACH_* identity variable to what its ODFI assigned.
//
//   ACH_ODFI_ROUTING              ODFI routing number (9 digits, ABA check digit)   021000021
//   ACH_ODFI_NAME                 immediate destination name (23)                    PAYSTREAM ODFI
//   ACH_IMMEDIATE_DESTINATION     routing number the file is sent to                 = ACH_ODFI_ROUTING
//   ACH_IMMEDIATE_ORIGIN          10 digits or routing number the ODFI assigned      = ACH_ODFI_ROUTING
//   ACH_ORIGIN_NAME               immediate origin name (23)                         PAYSTREAM
//   ACH_COMPANY_NAME              company name on statements (16)                    PAYSTREAM
//   ACH_COMPANY_ID                company identification, "1" + EIN (10)             1000000001
//   ACH_ENTRY_DESCRIPTION         company entry description (10)                     PAYOUT
//   ACH_MAX_ENTRIES_PER_BATCH     entries per NACHA batch                            2500
//   ACH_TIME_ZONE                 ACH operator's zone                                America/New_York
//   ACH_SAME_DAY_DEADLINES        comma-separated HH:mm                              10:30,14:45,16:45
//   ACH_NEXT_DAY_DEADLINE         HH:mm                                              20:00
//   ACH_SAME_DAY_LIMIT_CENTS      largest same-day entry                             100000000
//   ACH_SETTLE_AT                 HH:mm on the effective date when in-transit        17:00
//                                 payouts are settled (ledger: in_transit → bank)
//   ACH_TIMER_INTERVAL_MS         how often the window timer looks (1..300000)    15000

import { PaystreamError } from '@paystream/core';
import { DEFAULT_WINDOW_CONFIG, validateWindowConfig, type WindowConfig } from '../calendar/windows.js';
import { DEFAULT_MAX_ENTRIES_PER_BATCH, type NachaOriginator } from '../nacha/file.js';
import { isValidRoutingNumber } from '../nacha/routing.js';

export interface AchConfig {
  readonly originator: NachaOriginator;
  readonly companyEntryDescription: string;
  readonly maxEntriesPerBatch: number;
  readonly windows: WindowConfig;
  /** Local HH:mm on the effective entry date after which a payout counts as settled. */
  readonly settleAt: string;
  readonly timerIntervalMs: number;
}

function bad(variable: string, message: string): PaystreamError {
  return new PaystreamError('invalid_config', `${variable}: ${message}`, variable);
}

function text(env: NodeJS.ProcessEnv, name: string, fallback: string, max: number): string {
  const v = env[name] ?? fallback;
  if (v.trim() === '' || v.length > max || !/^[\x20-\x7e]+$/.test(v)) {
    throw bad(name, `must be 1–${max} printable ASCII characters`);
  }
  return v;
}

function routing(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const v = env[name] ?? fallback;
  if (!isValidRoutingNumber(v))
    throw bad(name, 'must be a 9-digit ABA routing number with a valid check digit');
  return v;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw bad(name, `must be an integer ${min}..${max}`);
  return n;
}

export function loadAchConfig(env: NodeJS.ProcessEnv = process.env): AchConfig {
  const odfi = routing(env, 'ACH_ODFI_ROUTING', '021000021');
  const origin = env.ACH_IMMEDIATE_ORIGIN ?? odfi;
  if (!/^\d{9,10}$/.test(origin)) throw bad('ACH_IMMEDIATE_ORIGIN', 'must be 9 or 10 digits');
  const companyId = env.ACH_COMPANY_ID ?? '1000000001';
  if (!/^[\x20-\x7e]{10}$/.test(companyId)) throw bad('ACH_COMPANY_ID', 'must be exactly 10 characters');
  const settleAt = env.ACH_SETTLE_AT ?? '17:00';
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(settleAt)) throw bad('ACH_SETTLE_AT', 'must be HH:mm');
  let windows: WindowConfig;
  try {
    windows = validateWindowConfig({
      timeZone: env.ACH_TIME_ZONE ?? DEFAULT_WINDOW_CONFIG.timeZone,
      sameDayDeadlines: env.ACH_SAME_DAY_DEADLINES
        ? env.ACH_SAME_DAY_DEADLINES.split(',').map((s) => s.trim())
        : DEFAULT_WINDOW_CONFIG.sameDayDeadlines,
      nextDayDeadline: env.ACH_NEXT_DAY_DEADLINE ?? DEFAULT_WINDOW_CONFIG.nextDayDeadline,
      sameDayEntryLimitCents: int(
        env,
        'ACH_SAME_DAY_LIMIT_CENTS',
        DEFAULT_WINDOW_CONFIG.sameDayEntryLimitCents,
        1,
        Number.MAX_SAFE_INTEGER,
      ),
    });
  } catch (err) {
    if (err instanceof PaystreamError) throw bad('ACH_WINDOWS', err.message);
    throw err;
  }
  return {
    originator: {
      immediateDestination: routing(env, 'ACH_IMMEDIATE_DESTINATION', odfi),
      immediateDestinationName: text(env, 'ACH_ODFI_NAME', 'PAYSTREAM ODFI', 23),
      immediateOrigin: origin,
      immediateOriginName: text(env, 'ACH_ORIGIN_NAME', 'PAYSTREAM', 23),
      odfiRoutingNumber: odfi,
      companyName: text(env, 'ACH_COMPANY_NAME', 'PAYSTREAM', 16),
      companyIdentification: companyId,
    },
    companyEntryDescription: text(env, 'ACH_ENTRY_DESCRIPTION', 'PAYOUT', 10),
    maxEntriesPerBatch: int(env, 'ACH_MAX_ENTRIES_PER_BATCH', DEFAULT_MAX_ENTRIES_PER_BATCH, 1, 999_999),
    windows,
    settleAt,
    timerIntervalMs: int(env, 'ACH_TIMER_INTERVAL_MS', 15_000, 1, 300_000),
  };
}
