// File Header Record ("1"). Positions are 1-based and inclusive, as in the NACHA Operating
// Rules' record layouts and moov-io/ach's fileHeader.go:
//   1 record type "1" | 2-3 priority "01" | 4-13 immediate destination " bTTTTAAAAC"
//   14-23 immediate origin | 24-29 creation date YYMMDD | 30-33 creation time HHMM
//   34 file ID modifier A-Z/0-9 | 35-37 record size "094" | 38-39 blocking factor "10"
//   40 format code "1" | 41-63 destination name | 64-86 origin name | 87-94 reference code

import {
  alpha,
  assembled,
  assertRecordLength,
  constant,
  fieldError,
  readAlpha,
  readDigits,
  readYymmdd,
  refsFor,
  requiredAlpha,
  slice,
  yymmdd,
} from './fields.js';
import { assertRoutingNumber } from './routing.js';

export interface FileHeader {
  /** Nine-digit routing number of the ACH operator or receiving point (usually the ODFI). */
  readonly immediateDestination: string;
  /** Nine-digit routing number, or a ten-character origin identifier the ODFI assigned. */
  readonly immediateOrigin: string;
  /** YYYY-MM-DD. */
  readonly fileCreationDate: string;
  /** HHMM, 24-hour. */
  readonly fileCreationTime: string;
  /** A-Z or 0-9: tells apart several files sent on one day between the same two points. */
  readonly fileIdModifier: string;
  readonly immediateDestinationName: string;
  readonly immediateOriginName: string;
  readonly referenceCode: string;
}

const R = 'FileHeader';
const ref = refsFor(R);

const MODIFIER = /^[A-Z0-9]$/;
const HHMM = /^([01]\d|2[0-3])[0-5]\d$/;

export function isFileIdModifier(value: string): boolean {
  return MODIFIER.test(value);
}

function originField(value: string, line?: number): string {
  if (/^\d{9}$/.test(value)) return ` ${assertRoutingNumber(value, ref('immediateOrigin', line))}`;
  if (value.length === 10 && /^[ -~]{10}$/.test(value) && value.trim() === value) return value;
  throw fieldError(
    ref('immediateOrigin', line),
    value,
    'must be a nine-digit routing number or a ten-character origin identifier',
  );
}

export function formatFileHeader(h: FileHeader): string {
  if (!isFileIdModifier(h.fileIdModifier)) {
    throw fieldError(ref('fileIdModifier'), h.fileIdModifier, 'must be one character A-Z or 0-9');
  }
  if (!HHMM.test(h.fileCreationTime))
    throw fieldError(ref('fileCreationTime'), h.fileCreationTime, 'must be HHMM');
  return assembled(
    '101' +
      ` ${assertRoutingNumber(h.immediateDestination, ref('immediateDestination'))}` +
      originField(h.immediateOrigin) +
      yymmdd(h.fileCreationDate, ref('fileCreationDate')) +
      h.fileCreationTime +
      h.fileIdModifier +
      '094' +
      '10' +
      '1' +
      requiredAlpha(h.immediateDestinationName, 23, ref('immediateDestinationName')) +
      requiredAlpha(h.immediateOriginName, 23, ref('immediateOriginName')) +
      alpha(h.referenceCode, 8, ref('referenceCode')),
    R,
  );
}

export function parseFileHeader(line: string, lineNo?: number): FileHeader {
  assertRecordLength(line, ref('record', lineNo));
  constant(slice(line, 1, 1), '1', ref('recordType', lineNo));
  constant(slice(line, 2, 3), '01', ref('priorityCode', lineNo));
  const dest = slice(line, 4, 13);
  if (dest[0] !== ' ')
    throw fieldError(ref('immediateDestination', lineNo), dest, 'must be a blank followed by nine digits');
  const immediateDestination = assertRoutingNumber(dest.slice(1), ref('immediateDestination', lineNo));
  const originRaw = slice(line, 14, 23);
  const immediateOrigin = originRaw[0] === ' ' ? originRaw.slice(1) : originRaw;
  if (originRaw[0] === ' ') assertRoutingNumber(immediateOrigin, ref('immediateOrigin', lineNo));
  else if (immediateOrigin.trim().length === 0)
    throw fieldError(ref('immediateOrigin', lineNo), originRaw, 'is blank');
  const fileCreationDate = readYymmdd(line, 24, 29, ref('fileCreationDate', lineNo));
  const fileCreationTime = readDigits(line, 30, 33, ref('fileCreationTime', lineNo));
  if (!HHMM.test(fileCreationTime))
    throw fieldError(ref('fileCreationTime', lineNo), fileCreationTime, 'must be HHMM');
  const fileIdModifier = slice(line, 34, 34);
  if (!isFileIdModifier(fileIdModifier)) {
    throw fieldError(ref('fileIdModifier', lineNo), fileIdModifier, 'must be one character A-Z or 0-9');
  }
  constant(slice(line, 35, 37), '094', ref('recordSize', lineNo));
  constant(slice(line, 38, 39), '10', ref('blockingFactor', lineNo));
  constant(slice(line, 40, 40), '1', ref('formatCode', lineNo));
  return {
    immediateDestination,
    immediateOrigin,
    fileCreationDate,
    fileCreationTime,
    fileIdModifier,
    immediateDestinationName: readAlpha(line, 41, 63, ref('immediateDestinationName', lineNo)),
    immediateOriginName: readAlpha(line, 64, 86, ref('immediateOriginName', lineNo)),
    referenceCode: readAlpha(line, 87, 94, ref('referenceCode', lineNo)),
  };
}
