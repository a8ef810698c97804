// File Control Record ("9") and the 9-filled padding records. Positions (1-based, inclusive;
// moov-io/ach fileControl.go):
//   1 "9" | 2-7 batch count | 8-13 block count | 14-21 entry/addenda count | 22-31 entry hash
//   32-43 total debit amount (cents) | 44-55 total credit amount (cents) | 56-94 reserved (blank)

import {
  assembled,
  assertRecordLength,
  constant,
  fieldError,
  numeric,
  RECORD_LENGTH,
  readNumeric,
  refsFor,
  slice,
} from './fields.js';

export interface FileControl {
  readonly batchCount: number;
  /** Records in the file including padding, divided by the blocking factor (10). */
  readonly blockCount: number;
  readonly entryAddendaCount: number;
  readonly entryHash: number;
  readonly totalDebitCents: number;
  readonly totalCreditCents: number;
}

/** A block is filled out to ten records with lines of nines. */
export const PADDING_RECORD = '9'.repeat(RECORD_LENGTH);

const R = 'FileControl';
const ref = refsFor(R);

export function formatFileControl(c: FileControl): string {
  return assembled(
    '9' +
      numeric(c.batchCount, 6, ref('batchCount')) +
      numeric(c.blockCount, 6, ref('blockCount')) +
      numeric(c.entryAddendaCount, 8, ref('entryAddendaCount')) +
      numeric(c.entryHash, 10, ref('entryHash')) +
      numeric(c.totalDebitCents, 12, ref('totalDebitCents')) +
      numeric(c.totalCreditCents, 12, ref('totalCreditCents')) +
      ' '.repeat(39),
    R,
  );
}

export function parseFileControl(line: string, lineNo?: number): FileControl {
  assertRecordLength(line, ref('record', lineNo));
  constant(slice(line, 1, 1), '9', ref('recordType', lineNo));
  const reserved = slice(line, 56, 94);
  if (reserved.trim() !== '') throw fieldError(ref('reserved', lineNo), reserved, 'must be blank');
  return {
    batchCount: readNumeric(line, 2, 7, ref('batchCount', lineNo)),
    blockCount: readNumeric(line, 8, 13, ref('blockCount', lineNo)),
    entryAddendaCount: readNumeric(line, 14, 21, ref('entryAddendaCount', lineNo)),
    entryHash: readNumeric(line, 22, 31, ref('entryHash', lineNo)),
    totalDebitCents: readNumeric(line, 32, 43, ref('totalDebitCents', lineNo)),
    totalCreditCents: readNumeric(line, 44, 55, ref('totalCreditCents', lineNo)),
  };
}
