// Addenda Records ("7"). Three kinds matter to a payout ledger (positions 1-based, inclusive;
// moov-io/ach addenda05.go, addenda98.go, addenda99.go):
//
// 05 payment related information
//   1 "7" | 2-3 "05" | 4-83 payment related information | 84-87 addenda sequence number
//   88-94 entry detail sequence number (last seven digits of the entry's trace number)
// 98 notification of change (COR)
//   1 "7" | 2-3 "98" | 4-6 change code | 7-21 original entry trace number | 22-27 reserved
//   28-35 original RDFI identification | 36-64 corrected data | 65-79 reserved | 80-94 trace number
// 99 return
//   1 "7" | 2-3 "99" | 4-6 return reason code | 7-21 original entry trace number
//   22-27 date of death YYMMDD or blank | 28-35 original RDFI identification
//   36-79 addenda information | 80-94 trace number

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

export interface Addenda05 {
  readonly typeCode: '05';
  readonly paymentRelatedInformation: string;
  readonly sequenceNumber: number;
  /** The last seven digits of the owning entry's trace number, as a number. */
  readonly entryDetailSequenceNumber: number;
}

export interface Addenda98 {
  readonly typeCode: '98';
  /** C01..C13 (C61..C69 for refused NOCs). */
  readonly changeCode: string;
  readonly originalTraceNumber: string;
  /** Eight digits: the RDFI identification from the original entry. */
  readonly originalRdfiIdentification: string;
  readonly correctedData: string;
  readonly traceNumber: string;
}

export interface Addenda99 {
  readonly typeCode: '99';
  /** R01..R85. */
  readonly returnCode: string;
  readonly originalTraceNumber: string;
  /** YYYY-MM-DD for R14/R15, otherwise ''. */
  readonly dateOfDeath: string;
  readonly originalRdfiIdentification: string;
  readonly addendaInformation: string;
  readonly traceNumber: string;
}

export type Addenda = Addenda05 | Addenda98 | Addenda99;

const R05 = refsFor('Addenda05');
const R98 = refsFor('Addenda98');
const R99 = refsFor('Addenda99');
const RA = refsFor('Addenda');

const CHANGE_CODE = /^C(0[1-9]|1[0-3]|6[1-9])$/;
const RETURN_CODE = /^R\d\d$/;

export function formatAddenda(a: Addenda): string {
  switch (a.typeCode) {
    case '05':
      return assembled(
        '705' +
          alpha(a.paymentRelatedInformation, 80, R05('paymentRelatedInformation')) +
          numeric(a.sequenceNumber, 4, R05('sequenceNumber')) +
          numeric(a.entryDetailSequenceNumber, 7, R05('entryDetailSequenceNumber')),
        'Addenda05',
      );
    case '98':
      if (!CHANGE_CODE.test(a.changeCode))
        throw fieldError(R98('changeCode'), a.changeCode, 'must be a NACHA change code C01..C13 or C61..C69');
      return assembled(
        '798' +
          a.changeCode +
          exactDigits(a.originalTraceNumber, 15, R98('originalTraceNumber')) +
          '      ' +
          exactDigits(a.originalRdfiIdentification, 8, R98('originalRdfiIdentification')) +
          // Corrected data may hold a corrected account number.
          requiredAlpha(a.correctedData, 29, R98('correctedData', undefined, true)) +
          ' '.repeat(15) +
          exactDigits(a.traceNumber, 15, R98('traceNumber')),
        'Addenda98',
      );
    case '99':
      if (!RETURN_CODE.test(a.returnCode))
        throw fieldError(R99('returnCode'), a.returnCode, 'must be a return reason code R01..R99');
      return assembled(
        '799' +
          a.returnCode +
          exactDigits(a.originalTraceNumber, 15, R99('originalTraceNumber')) +
          (a.dateOfDeath === '' ? '      ' : yymmdd(a.dateOfDeath, R99('dateOfDeath'))) +
          exactDigits(a.originalRdfiIdentification, 8, R99('originalRdfiIdentification')) +
          alpha(a.addendaInformation, 44, R99('addendaInformation')) +
          exactDigits(a.traceNumber, 15, R99('traceNumber')),
        'Addenda99',
      );
    default: {
      const never: never = a;
      throw fieldError(
        RA('typeCode'),
        String((never as { typeCode: unknown }).typeCode),
        'must be 05, 98 or 99',
      );
    }
  }
}

export function parseAddenda(line: string, lineNo?: number): Addenda {
  assertRecordLength(line, RA('record', lineNo));
  constant(slice(line, 1, 1), '7', RA('recordType', lineNo));
  const typeCode = slice(line, 2, 3);
  switch (typeCode) {
    case '05':
      return {
        typeCode,
        paymentRelatedInformation: readAlpha(line, 4, 83, R05('paymentRelatedInformation', lineNo)),
        sequenceNumber: readNumeric(line, 84, 87, R05('sequenceNumber', lineNo)),
        entryDetailSequenceNumber: readNumeric(line, 88, 94, R05('entryDetailSequenceNumber', lineNo)),
      };
    case '98': {
      const changeCode = slice(line, 4, 6);
      if (!CHANGE_CODE.test(changeCode)) {
        throw fieldError(
          R98('changeCode', lineNo),
          changeCode,
          'must be a NACHA change code C01..C13 or C61..C69',
        );
      }
      const correctedData = readAlpha(line, 36, 64, R98('correctedData', lineNo, true));
      if (correctedData.trim() === '')
        throw fieldError(R98('correctedData', lineNo), '', 'is required on a notification of change');
      return {
        typeCode,
        changeCode,
        originalTraceNumber: readDigits(line, 7, 21, R98('originalTraceNumber', lineNo)),
        originalRdfiIdentification: readDigits(line, 28, 35, R98('originalRdfiIdentification', lineNo)),
        correctedData,
        traceNumber: readDigits(line, 80, 94, R98('traceNumber', lineNo)),
      };
    }
    case '99': {
      const returnCode = slice(line, 4, 6);
      if (!RETURN_CODE.test(returnCode)) {
        throw fieldError(R99('returnCode', lineNo), returnCode, 'must be a return reason code R01..R99');
      }
      const deathRaw = slice(line, 22, 27);
      return {
        typeCode,
        returnCode,
        originalTraceNumber: readDigits(line, 7, 21, R99('originalTraceNumber', lineNo)),
        dateOfDeath: deathRaw.trim() === '' ? '' : readYymmdd(line, 22, 27, R99('dateOfDeath', lineNo)),
        originalRdfiIdentification: readDigits(line, 28, 35, R99('originalRdfiIdentification', lineNo)),
        addendaInformation: readAlpha(line, 36, 79, R99('addendaInformation', lineNo)),
        traceNumber: readDigits(line, 80, 94, R99('traceNumber', lineNo)),
      };
    }
    default:
      throw fieldError(
        RA('typeCode', lineNo),
        typeCode,
        'must be 05, 98 or 99 (other addenda types are not supported)',
      );
  }
}
