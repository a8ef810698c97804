// Entry Detail Record ("6") for PPD and CCD. Positions (1-based, inclusive; moov-io/ach
// entryDetail.go):
//   1 "6" | 2-3 transaction code | 4-11 RDFI identification (8 digits) | 12 check digit
//   13-29 DFI account number (alphameric, left-justified) | 30-39 amount in cents
//   40-54 identification number | 55-76 receiver name (individual or company)
//   77-78 discretionary data | 79 addenda record indicator | 80-94 trace number
// The account number is sensitive: errors show only its last four characters.

import {
  alpha,
  assembled,
  assertRecordLength,
  constant,
  exactDigits,
  fieldError,
  numeric,
  readAlpha,
  readDigits,
  readNumeric,
  refsFor,
  requiredAlpha,
  slice,
} from './fields.js';
import { assertRoutingNumber } from './routing.js';

/**
 * Transaction codes Paystream writes or reads. Second digit: 1 return/NOC credit, 2 credit,
 * 3 prenote credit, 4 zero-dollar remittance credit, 6 return/NOC debit, 7 debit, 8 prenote
 * debit, 9 zero-dollar remittance debit. First digit: 2 checking, 3 savings.
 */
export const CREDIT_CODES = [21, 22, 23, 24, 31, 32, 33, 34] as const;
export const DEBIT_CODES = [26, 27, 28, 29, 36, 37, 38, 39] as const;
export type TransactionCode = (typeof CREDIT_CODES)[number] | (typeof DEBIT_CODES)[number];

/** The four live-dollar codes a payout file uses. */
export const TX = {
  checkingCredit: 22,
  checkingDebit: 27,
  savingsCredit: 32,
  savingsDebit: 37,
} as const;

export type AccountType = 'checking' | 'savings';

const CREDITS: ReadonlySet<number> = new Set(CREDIT_CODES);
const ALL_CODES: ReadonlySet<number> = new Set([...CREDIT_CODES, ...DEBIT_CODES]);

export function isTransactionCode(value: number): value is TransactionCode {
  return ALL_CODES.has(value);
}

export function isCreditCode(code: TransactionCode): boolean {
  return CREDITS.has(code);
}

export function accountTypeOf(code: TransactionCode): AccountType {
  return code < 30 ? 'checking' : 'savings';
}

/** Return/NOC entries use the forward code minus one: 22 → 21, 27 → 26, 32 → 31, 37 → 36. */
export function returnCodeFor(forward: TransactionCode): TransactionCode {
  const second = forward % 10;
  if (second !== 2 && second !== 7) {
    throw fieldError(
      { record: 'EntryDetail', field: 'transactionCode' },
      String(forward),
      'has no return transaction code (only live credits and debits are returned)',
    );
  }
  return (forward - 1) as TransactionCode;
}

/** Prenotes and zero-dollar remittance entries carry no money; all others must carry some. */
export function isZeroDollarCode(code: TransactionCode): boolean {
  const second = code % 10;
  return second === 3 || second === 4 || second === 8 || second === 9;
}

export interface EntryDetail {
  readonly transactionCode: TransactionCode;
  /** Nine digits: the eight-digit RDFI identification plus its check digit. */
  readonly rdfiRoutingNumber: string;
  readonly dfiAccountNumber: string;
  readonly amountCents: number;
  readonly identificationNumber: string;
  /** Individual name (PPD) or receiving company name (CCD). */
  readonly receiverName: string;
  readonly discretionaryData: string;
  readonly addendaRecordIndicator: 0 | 1;
  /** Fifteen digits: ODFI identification (8) + sequence (7). */
  readonly traceNumber: string;
}

const R = 'EntryDetail';
const ref = refsFor(R);

export function formatEntryDetail(e: EntryDetail): string {
  if (!isTransactionCode(e.transactionCode)) {
    throw fieldError(
      ref('transactionCode'),
      String(e.transactionCode),
      'is not a supported checking/savings transaction code',
    );
  }
  const routing = assertRoutingNumber(e.rdfiRoutingNumber, ref('rdfiRoutingNumber'));
  const account = e.dfiAccountNumber;
  if (account.trim() === '' || account.trim() !== account) {
    throw fieldError(
      ref('dfiAccountNumber', undefined, true),
      account,
      'is required and must not start or end with blanks',
    );
  }
  if (e.addendaRecordIndicator !== 0 && e.addendaRecordIndicator !== 1) {
    throw fieldError(ref('addendaRecordIndicator'), String(e.addendaRecordIndicator), 'must be 0 or 1');
  }
  return assembled(
    '6' +
      String(e.transactionCode) +
      routing +
      alpha(account, 17, ref('dfiAccountNumber', undefined, true)) +
      numeric(e.amountCents, 10, ref('amountCents')) +
      alpha(e.identificationNumber, 15, ref('identificationNumber')) +
      requiredAlpha(e.receiverName, 22, ref('receiverName')) +
      alpha(e.discretionaryData, 2, ref('discretionaryData')) +
      String(e.addendaRecordIndicator) +
      exactDigits(e.traceNumber, 15, ref('traceNumber')),
    R,
  );
}

export function parseEntryDetail(line: string, lineNo?: number): EntryDetail {
  assertRecordLength(line, ref('record', lineNo));
  constant(slice(line, 1, 1), '6', ref('recordType', lineNo));
  const transactionCode = readNumeric(line, 2, 3, ref('transactionCode', lineNo));
  if (!isTransactionCode(transactionCode)) {
    throw fieldError(
      ref('transactionCode', lineNo),
      slice(line, 2, 3),
      'is not a supported checking/savings transaction code',
    );
  }
  const rdfiRoutingNumber = assertRoutingNumber(
    readDigits(line, 4, 12, ref('rdfiRoutingNumber', lineNo)),
    ref('rdfiRoutingNumber', lineNo),
  );
  const dfiAccountNumber = readAlpha(line, 13, 29, ref('dfiAccountNumber', lineNo, true)).trim();
  if (dfiAccountNumber === '') throw fieldError(ref('dfiAccountNumber', lineNo, true), '', 'is required');
  const indicator = readNumeric(line, 79, 79, ref('addendaRecordIndicator', lineNo));
  if (indicator !== 0 && indicator !== 1) {
    throw fieldError(ref('addendaRecordIndicator', lineNo), String(indicator), 'must be 0 or 1');
  }
  const receiverName = readAlpha(line, 55, 76, ref('receiverName', lineNo));
  return {
    transactionCode,
    rdfiRoutingNumber,
    dfiAccountNumber,
    amountCents: readNumeric(line, 30, 39, ref('amountCents', lineNo)),
    identificationNumber: readAlpha(line, 40, 54, ref('identificationNumber', lineNo)),
    receiverName,
    discretionaryData: readAlpha(line, 77, 78, ref('discretionaryData', lineNo)),
    addendaRecordIndicator: indicator,
    traceNumber: readDigits(line, 80, 94, ref('traceNumber', lineNo)),
  };
}
