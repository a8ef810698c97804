// Company/Batch Control Record ("8"). Positions (1-based, inclusive; moov-io/ach batchControl.go):
//   1 "8" | 2-4 service class code | 5-10 entry/addenda count | 11-20 entry hash
//   21-32 total debit amount (cents) | 33-44 total credit amount (cents)
//   45-54 company identification | 55-73 message authentication code | 74-79 reserved
//   80-87 ODFI identification | 88-94 batch number

import { isServiceClassCode, type ServiceClassCode } from './batch-header.js';
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
  slice,
} from './fields.js';

export interface BatchControl {
  readonly serviceClassCode: ServiceClassCode;
  readonly entryAddendaCount: number;
  /** Sum of the entries' eight-digit RDFI identifications, rightmost ten digits. */
  readonly entryHash: number;
  readonly totalDebitCents: number;
  readonly totalCreditCents: number;
  readonly companyIdentification: string;
  readonly messageAuthenticationCode: string;
  readonly odfiIdentification: string;
  readonly batchNumber: number;
}

const R = 'BatchControl';
const ref = refsFor(R);

export function formatBatchControl(c: BatchControl): string {
  if (!isServiceClassCode(c.serviceClassCode)) {
    throw fieldError(ref('serviceClassCode'), String(c.serviceClassCode), 'must be 200, 220 or 225');
  }
  return assembled(
    '8' +
      String(c.serviceClassCode) +
      numeric(c.entryAddendaCount, 6, ref('entryAddendaCount')) +
      numeric(c.entryHash, 10, ref('entryHash')) +
      numeric(c.totalDebitCents, 12, ref('totalDebitCents')) +
      numeric(c.totalCreditCents, 12, ref('totalCreditCents')) +
      alpha(c.companyIdentification, 10, ref('companyIdentification')) +
      alpha(c.messageAuthenticationCode, 19, ref('messageAuthenticationCode')) +
      '      ' +
      exactDigits(c.odfiIdentification, 8, ref('odfiIdentification')) +
      numeric(c.batchNumber, 7, ref('batchNumber')),
    R,
  );
}

export function parseBatchControl(line: string, lineNo?: number): BatchControl {
  assertRecordLength(line, ref('record', lineNo));
  constant(slice(line, 1, 1), '8', ref('recordType', lineNo));
  const serviceClassCode = readNumeric(line, 2, 4, ref('serviceClassCode', lineNo));
  if (!isServiceClassCode(serviceClassCode)) {
    throw fieldError(ref('serviceClassCode', lineNo), slice(line, 2, 4), 'must be 200, 220 or 225');
  }
  return {
    serviceClassCode,
    entryAddendaCount: readNumeric(line, 5, 10, ref('entryAddendaCount', lineNo)),
    entryHash: readNumeric(line, 11, 20, ref('entryHash', lineNo)),
    totalDebitCents: readNumeric(line, 21, 32, ref('totalDebitCents', lineNo)),
    totalCreditCents: readNumeric(line, 33, 44, ref('totalCreditCents', lineNo)),
    companyIdentification: readAlpha(line, 45, 54, ref('companyIdentification', lineNo)),
    messageAuthenticationCode: readAlpha(line, 55, 73, ref('messageAuthenticationCode', lineNo)),
    odfiIdentification: readDigits(line, 80, 87, ref('odfiIdentification', lineNo)),
    batchNumber: readNumeric(line, 88, 94, ref('batchNumber', lineNo)),
  };
}
