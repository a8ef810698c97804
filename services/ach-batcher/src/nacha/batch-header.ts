// Company/Batch Header Record ("5"). Positions (1-based, inclusive; moov-io/ach batchHeader.go):
//   1 "5" | 2-4 service class code 200/220/225 | 5-20 company name | 21-40 company discretionary
//   41-50 company identification | 51-53 SEC code | 54-63 company entry description
//   64-69 company descriptive date | 70-75 effective entry date YYMMDD
//   76-78 settlement date (Julian; blank when originating, the ACH operator fills it)
//   79 originator status code | 80-87 ODFI identification (8 digits) | 88-94 batch number

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
  readYymmdd,
  refsFor,
  requiredAlpha,
  slice,
  yymmdd,
} from './fields.js';

/** SEC codes Paystream writes (PPD people, CCD businesses) and reads back (COR for NOCs). */
export const SEC_CODES = ['PPD', 'CCD', 'COR'] as const;
export type SecCode = (typeof SEC_CODES)[number];

/** 200 mixed debits and credits, 220 credits only, 225 debits only. */
export const SERVICE_CLASS_CODES = [200, 220, 225] as const;
export type ServiceClassCode = (typeof SERVICE_CLASS_CODES)[number];

export interface BatchHeader {
  readonly serviceClassCode: ServiceClassCode;
  readonly companyName: string;
  readonly companyDiscretionaryData: string;
  readonly companyIdentification: string;
  readonly secCode: SecCode;
  readonly companyEntryDescription: string;
  readonly companyDescriptiveDate: string;
  /** YYYY-MM-DD; '' only when read from a file whose operator left it blank. */
  readonly effectiveEntryDate: string;
  /** Up to three characters, '' when we originate; the ACH operator writes the Julian day. */
  readonly settlementDate: string;
  /** 1 = originator is a depository financial institution (the normal case for an ODFI's file). */
  readonly originatorStatusCode: 0 | 1 | 2;
  /** First eight digits of the ODFI routing number. */
  readonly odfiIdentification: string;
  readonly batchNumber: number;
}

const R = 'BatchHeader';
const ref = refsFor(R);

export function isSecCode(value: string): value is SecCode {
  return (SEC_CODES as readonly string[]).includes(value);
}

export function isServiceClassCode(value: number): value is ServiceClassCode {
  return (SERVICE_CLASS_CODES as readonly number[]).includes(value);
}

export function formatBatchHeader(h: BatchHeader): string {
  if (!isServiceClassCode(h.serviceClassCode)) {
    throw fieldError(ref('serviceClassCode'), String(h.serviceClassCode), 'must be 200, 220 or 225');
  }
  if (!isSecCode(h.secCode))
    throw fieldError(ref('secCode'), h.secCode, `must be one of ${SEC_CODES.join(', ')}`);
  if (h.originatorStatusCode !== 0 && h.originatorStatusCode !== 1 && h.originatorStatusCode !== 2) {
    throw fieldError(ref('originatorStatusCode'), String(h.originatorStatusCode), 'must be 0, 1 or 2');
  }
  if (h.batchNumber < 1) throw fieldError(ref('batchNumber'), String(h.batchNumber), 'must be 1 or more');
  return assembled(
    '5' +
      String(h.serviceClassCode) +
      requiredAlpha(h.companyName, 16, ref('companyName')) +
      alpha(h.companyDiscretionaryData, 20, ref('companyDiscretionaryData')) +
      requiredAlpha(h.companyIdentification, 10, ref('companyIdentification')) +
      h.secCode +
      requiredAlpha(h.companyEntryDescription, 10, ref('companyEntryDescription')) +
      alpha(h.companyDescriptiveDate, 6, ref('companyDescriptiveDate')) +
      yymmdd(h.effectiveEntryDate, ref('effectiveEntryDate')) +
      alpha(h.settlementDate, 3, ref('settlementDate')) +
      String(h.originatorStatusCode) +
      exactDigits(h.odfiIdentification, 8, ref('odfiIdentification')) +
      numeric(h.batchNumber, 7, ref('batchNumber')),
    R,
  );
}

export function parseBatchHeader(line: string, lineNo?: number): BatchHeader {
  assertRecordLength(line, ref('record', lineNo));
  constant(slice(line, 1, 1), '5', ref('recordType', lineNo));
  const serviceClassCode = readNumeric(line, 2, 4, ref('serviceClassCode', lineNo));
  if (!isServiceClassCode(serviceClassCode)) {
    throw fieldError(ref('serviceClassCode', lineNo), slice(line, 2, 4), 'must be 200, 220 or 225');
  }
  const secCode = slice(line, 51, 53);
  if (!isSecCode(secCode))
    throw fieldError(ref('secCode', lineNo), secCode, `must be one of ${SEC_CODES.join(', ')}`);
  const companyName = readAlpha(line, 5, 20, ref('companyName', lineNo));
  if (companyName.trim() === '')
    throw fieldError(ref('companyName', lineNo), slice(line, 5, 20), 'is required');
  const companyIdentification = readAlpha(line, 41, 50, ref('companyIdentification', lineNo));
  if (companyIdentification.trim() === '') {
    throw fieldError(ref('companyIdentification', lineNo), slice(line, 41, 50), 'is required');
  }
  const effectiveRaw = slice(line, 70, 75);
  const effectiveEntryDate =
    effectiveRaw === '      ' ? '' : readYymmdd(line, 70, 75, ref('effectiveEntryDate', lineNo));
  const osc = readNumeric(line, 79, 79, ref('originatorStatusCode', lineNo));
  if (osc !== 0 && osc !== 1 && osc !== 2) {
    throw fieldError(ref('originatorStatusCode', lineNo), String(osc), 'must be 0, 1 or 2');
  }
  const batchNumber = readNumeric(line, 88, 94, ref('batchNumber', lineNo));
  return {
    serviceClassCode,
    companyName,
    companyDiscretionaryData: readAlpha(line, 21, 40, ref('companyDiscretionaryData', lineNo)),
    companyIdentification,
    secCode,
    companyEntryDescription: readAlpha(line, 54, 63, ref('companyEntryDescription', lineNo)),
    companyDescriptiveDate: readAlpha(line, 64, 69, ref('companyDescriptiveDate', lineNo)),
    effectiveEntryDate,
    settlementDate: readAlpha(line, 76, 78, ref('settlementDate', lineNo)),
    originatorStatusCode: osc,
    odfiIdentification: readDigits(line, 80, 87, ref('odfiIdentification', lineNo)),
    batchNumber,
  };
}
