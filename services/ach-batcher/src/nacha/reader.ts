// Read a NACHA file back and check everything a receiving bank would: every record's fields,
// the record order, trace numbers, addenda linkage, and every control total against what the
// entries actually add up to. It collects every problem it can find (line, record, field and
// value) rather than stopping at the first, and throws one error that carries them all.

import { PaystreamError } from '@paystream/core';
import { type Addenda, parseAddenda } from './addenda.js';
import { type BatchControl, parseBatchControl } from './batch-control.js';
import { type BatchHeader, parseBatchHeader } from './batch-header.js';
import { type EntryDetail, isCreditCode, isZeroDollarCode, parseEntryDetail } from './entry-detail.js';
import { BLOCKING_FACTOR, maskValue, RECORD_LENGTH } from './fields.js';
import { entryHashOf, totalsOf } from './file.js';
import { type FileControl, PADDING_RECORD, parseFileControl } from './file-control.js';
import { type FileHeader, parseFileHeader } from './file-header.js';

export interface ParsedEntry {
  readonly line: number;
  readonly entry: EntryDetail;
  readonly addenda: readonly Addenda[];
}

export interface ParsedBatch {
  readonly line: number;
  readonly header: BatchHeader;
  readonly entries: readonly ParsedEntry[];
  readonly control: BatchControl;
}

export interface ParsedNachaFile {
  readonly fileHeader: FileHeader;
  readonly batches: readonly ParsedBatch[];
  readonly fileControl: FileControl;
  readonly recordCount: number;
}

export interface NachaIssue {
  readonly code: string;
  readonly line: number;
  readonly record: string;
  readonly field: string;
  readonly value: string;
  readonly message: string;
}

const RECORD_NAMES: Record<string, string> = {
  '1': 'FileHeader',
  '5': 'BatchHeader',
  '6': 'EntryDetail',
  '7': 'Addenda',
  '8': 'BatchControl',
  '9': 'FileControl',
};

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  // One trailing newline is conventional; more blank lines are not records.
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

interface OpenEntry {
  line: number;
  entry: EntryDetail;
  addenda: Addenda[];
}

interface OpenBatch {
  line: number;
  header: BatchHeader;
  entries: OpenEntry[];
}

/** Parse and validate; never throws for bad input, returns what it could read and every issue. */
export function inspectNachaFile(text: string): { file: ParsedNachaFile | undefined; issues: NachaIssue[] } {
  const issues: NachaIssue[] = [];
  const issue = (
    code: string,
    line: number,
    record: string,
    field: string,
    value: string,
    message: string,
  ) => {
    issues.push({
      code,
      line,
      record,
      field,
      value,
      message: `${record}.${field} (line ${line}): ${message}`,
    });
  };
  const parsed = <T>(fn: () => T, line: number, record: string): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof PaystreamError) {
        const d = (err.details ?? {}) as { field?: unknown; value?: unknown; record?: unknown };
        issues.push({
          code: err.code,
          line,
          record: typeof d.record === 'string' ? d.record : record,
          field: typeof d.field === 'string' ? d.field : (err.field ?? 'record'),
          value: typeof d.value === 'string' ? d.value : '',
          message: err.message,
        });
        return undefined;
      }
      throw err;
    }
  };

  const lines = splitLines(text);
  let fileHeader: FileHeader | undefined;
  let fileControl: FileControl | undefined;
  let fileControlLine = 0;
  const batches: ParsedBatch[] = [];
  let open: OpenBatch | undefined;
  let lastEntry: OpenEntry | undefined;
  let lastBatchNumber = 0;
  // Once a batch header fails to parse, its entries cannot be checked against it; skip quietly
  // to its control rather than reporting every entry as "outside a batch".
  let skippingBatch = false;

  if (lines.length === 0) {
    issue('nacha_structure', 1, 'File', 'records', '', 'the file is empty');
  }

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i] as string;
    const type = line[0] ?? '';
    const record = RECORD_NAMES[type] ?? 'Unknown';

    if (fileControl !== undefined) {
      if (line !== PADDING_RECORD) {
        issue(
          'nacha_structure',
          lineNo,
          record,
          'recordType',
          type,
          'only 9-filled padding records may follow the file control record',
        );
      }
      continue;
    }
    if (line.length !== RECORD_LENGTH) {
      issue(
        'nacha_invalid_record',
        lineNo,
        record,
        'record',
        '',
        `record is ${line.length} characters; NACHA records are ${RECORD_LENGTH}`,
      );
      continue;
    }
    if (lineNo === 1 && type !== '1') {
      issue(
        'nacha_structure',
        lineNo,
        record,
        'recordType',
        type,
        'the first record must be the file header (1)',
      );
    }

    switch (type) {
      case '1': {
        if (lineNo !== 1) {
          issue(
            'nacha_structure',
            lineNo,
            record,
            'recordType',
            type,
            'a file header may only be the first record',
          );
          break;
        }
        fileHeader = parsed(() => parseFileHeader(line, lineNo), lineNo, record);
        break;
      }
      case '5': {
        if (open !== undefined || skippingBatch) {
          issue(
            'nacha_structure',
            lineNo,
            record,
            'recordType',
            type,
            'batch header before the previous batch was closed by a batch control (8)',
          );
        }
        lastEntry = undefined;
        const header = parsed(() => parseBatchHeader(line, lineNo), lineNo, record);
        if (header === undefined) {
          open = undefined;
          skippingBatch = true;
          break;
        }
        skippingBatch = false;
        if (header.batchNumber <= lastBatchNumber) {
          issue(
            'nacha_structure',
            lineNo,
            record,
            'batchNumber',
            String(header.batchNumber),
            `batch numbers must ascend; previous was ${lastBatchNumber}`,
          );
        }
        lastBatchNumber = header.batchNumber;
        open = { line: lineNo, header, entries: [] };
        break;
      }
      case '6': {
        if (skippingBatch) break;
        if (open === undefined) {
          issue('nacha_structure', lineNo, record, 'recordType', type, 'entry detail outside a batch');
          break;
        }
        const entry = parsed(() => parseEntryDetail(line, lineNo), lineNo, record);
        if (entry === undefined) {
          lastEntry = undefined;
          break;
        }
        checkEntryAgainstBatch(entry, open, lineNo, issue);
        lastEntry = { line: lineNo, entry, addenda: [] };
        open.entries.push(lastEntry);
        break;
      }
      case '7': {
        if (skippingBatch) break;
        if (open === undefined || lastEntry === undefined) {
          issue(
            'nacha_structure',
            lineNo,
            record,
            'recordType',
            type,
            'addenda without a preceding entry detail',
          );
          break;
        }
        const a = parsed(() => parseAddenda(line, lineNo), lineNo, record);
        if (a === undefined) break;
        checkAddenda(a, lastEntry, open.header, lineNo, issue);
        lastEntry.addenda.push(a);
        break;
      }
      case '8': {
        if (skippingBatch) {
          skippingBatch = false;
          break;
        }
        if (open === undefined) {
          issue(
            'nacha_structure',
            lineNo,
            record,
            'recordType',
            type,
            'batch control without a batch header',
          );
          break;
        }
        const control = parsed(() => parseBatchControl(line, lineNo), lineNo, record);
        if (control !== undefined) {
          checkBatchControl(open, control, lineNo, issue);
          batches.push({
            line: open.line,
            header: open.header,
            entries: open.entries.map((e) => ({ line: e.line, entry: e.entry, addenda: e.addenda })),
            control,
          });
        }
        open = undefined;
        lastEntry = undefined;
        break;
      }
      case '9': {
        if (open !== undefined) {
          issue(
            'nacha_structure',
            lineNo,
            record,
            'recordType',
            type,
            `batch ${open.header.batchNumber} (line ${open.line}) has no batch control`,
          );
          open = undefined;
        }
        fileControl = parsed(() => parseFileControl(line, lineNo), lineNo, record);
        fileControlLine = lineNo;
        if (fileControl === undefined) {
          // Still treat the rest as padding so one bad control does not cascade.
          fileControl = {
            batchCount: -1,
            blockCount: -1,
            entryAddendaCount: -1,
            entryHash: -1,
            totalDebitCents: -1,
            totalCreditCents: -1,
          };
          fileControlLine = -lineNo;
        }
        break;
      }
      default:
        issue(
          'nacha_invalid_record',
          lineNo,
          'Unknown',
          'recordType',
          type,
          `${JSON.stringify(type)} is not a NACHA record type (1, 5, 6, 7, 8, 9)`,
        );
    }
  }

  const last = lines.length;
  if (open !== undefined) {
    issue(
      'nacha_structure',
      last,
      'BatchControl',
      'recordType',
      '',
      `batch ${open.header.batchNumber} (line ${open.line}) has no batch control`,
    );
  }
  if (fileControl === undefined) {
    issue(
      'nacha_structure',
      last,
      'FileControl',
      'recordType',
      '',
      'the file has no file control record (9)',
    );
  } else if (fileControlLine > 0) {
    checkFileControl(batches, fileControl, lines.length, fileControlLine, issue);
  }
  if (lines.length % BLOCKING_FACTOR !== 0) {
    issue(
      'nacha_structure',
      last,
      'File',
      'blockCount',
      String(lines.length),
      `${lines.length} records is not a multiple of the blocking factor ${BLOCKING_FACTOR}`,
    );
  }

  const file =
    fileHeader !== undefined && fileControl !== undefined && fileControlLine > 0
      ? { fileHeader, batches, fileControl, recordCount: lines.length }
      : undefined;
  return { file, issues };
}

/** Parse and validate; throws `nacha_invalid_file` carrying every issue when anything is wrong. */
export function readNachaFile(text: string): ParsedNachaFile {
  const { file, issues } = inspectNachaFile(text);
  const first = issues[0];
  if (first !== undefined || file === undefined) {
    const head = first?.message ?? 'the file could not be read';
    throw new PaystreamError(
      'nacha_invalid_file',
      issues.length > 1 ? `${head} (and ${issues.length - 1} more problem(s))` : head,
      first ? `${first.record}.${first.field}` : 'file',
      { issues },
    );
  }
  return file;
}

type Report = (
  code: string,
  line: number,
  record: string,
  field: string,
  value: string,
  message: string,
) => void;

const isReturnOrNocCode = (code: number): boolean => code % 10 === 1 || code % 10 === 6;

function checkEntryAgainstBatch(e: EntryDetail, batch: OpenBatch, line: number, issue: Report): void {
  const h = batch.header;
  const R = 'EntryDetail';
  if (e.traceNumber.slice(0, 8) !== h.odfiIdentification) {
    issue(
      'nacha_invalid_field',
      line,
      R,
      'traceNumber',
      e.traceNumber,
      `trace number must start with the batch's ODFI identification ${h.odfiIdentification}`,
    );
  }
  const prev = batch.entries[batch.entries.length - 1];
  if (prev !== undefined && e.traceNumber <= prev.entry.traceNumber) {
    issue(
      'nacha_invalid_field',
      line,
      R,
      'traceNumber',
      e.traceNumber,
      `trace numbers must ascend within a batch; previous was ${prev.entry.traceNumber}`,
    );
  }
  if (h.serviceClassCode === 220 && !isCreditCode(e.transactionCode)) {
    issue(
      'nacha_invalid_field',
      line,
      R,
      'transactionCode',
      String(e.transactionCode),
      'is a debit in a credits-only (220) batch',
    );
  }
  if (h.serviceClassCode === 225 && isCreditCode(e.transactionCode)) {
    issue(
      'nacha_invalid_field',
      line,
      R,
      'transactionCode',
      String(e.transactionCode),
      'is a credit in a debits-only (225) batch',
    );
  }
  if (h.secCode === 'COR') {
    if (!isReturnOrNocCode(e.transactionCode)) {
      issue(
        'nacha_invalid_field',
        line,
        R,
        'transactionCode',
        String(e.transactionCode),
        'a COR batch carries only return/NOC codes (21, 26, 31, 36)',
      );
    }
    if (e.amountCents !== 0) {
      issue(
        'nacha_invalid_field',
        line,
        R,
        'amountCents',
        String(e.amountCents),
        'must be 0 in a notification of change',
      );
    }
  } else if (isZeroDollarCode(e.transactionCode) && e.amountCents !== 0) {
    issue(
      'nacha_invalid_field',
      line,
      R,
      'amountCents',
      String(e.amountCents),
      `must be 0 for prenote/zero-dollar code ${e.transactionCode}`,
    );
  }
}

function checkAddenda(a: Addenda, owner: OpenEntry, header: BatchHeader, line: number, issue: Report): void {
  const e = owner.entry;
  const R = `Addenda${a.typeCode}`;
  if (e.addendaRecordIndicator !== 1) {
    issue(
      'nacha_structure',
      line,
      R,
      'typeCode',
      a.typeCode,
      `addenda follows entry on line ${owner.line} whose addenda record indicator is 0`,
    );
  }
  switch (a.typeCode) {
    case '05': {
      const expectedSeq = owner.addenda.length + 1;
      if (a.sequenceNumber !== expectedSeq) {
        issue(
          'nacha_invalid_field',
          line,
          R,
          'sequenceNumber',
          String(a.sequenceNumber),
          `must be ${expectedSeq}`,
        );
      }
      if (a.entryDetailSequenceNumber !== Number(e.traceNumber.slice(8))) {
        issue(
          'nacha_invalid_field',
          line,
          R,
          'entryDetailSequenceNumber',
          String(a.entryDetailSequenceNumber),
          `must equal the last seven digits of trace number ${e.traceNumber}`,
        );
      }
      if (header.secCode === 'COR' || isReturnOrNocCode(e.transactionCode)) {
        issue(
          'nacha_structure',
          line,
          R,
          'typeCode',
          a.typeCode,
          'payment-related addenda on a return or NOC entry',
        );
      }
      break;
    }
    case '98':
    case '99': {
      if (owner.addenda.length > 0) {
        issue(
          'nacha_structure',
          line,
          R,
          'typeCode',
          a.typeCode,
          `entry on line ${owner.line} already has an addenda record`,
        );
      }
      if (a.traceNumber !== e.traceNumber) {
        issue(
          'nacha_invalid_field',
          line,
          R,
          'traceNumber',
          a.traceNumber,
          `must equal the entry's trace number ${e.traceNumber}`,
        );
      }
      if (a.typeCode === '98' && header.secCode !== 'COR') {
        issue(
          'nacha_structure',
          line,
          R,
          'typeCode',
          a.typeCode,
          `notification of change addenda in a ${header.secCode} batch; it belongs in a COR batch`,
        );
      }
      if (a.typeCode === '99' && header.secCode === 'COR') {
        issue('nacha_structure', line, R, 'typeCode', a.typeCode, 'return addenda in a COR batch');
      }
      if (!isReturnOrNocCode(e.transactionCode)) {
        issue(
          'nacha_invalid_field',
          line,
          'EntryDetail',
          'transactionCode',
          String(e.transactionCode),
          `entry on line ${owner.line} carries addenda ${a.typeCode} but is not a return/NOC code (21, 26, 31, 36)`,
        );
      }
      break;
    }
  }
}

function checkBatchControl(batch: OpenBatch, c: BatchControl, line: number, issue: Report): void {
  const h = batch.header;
  const R = 'BatchControl';
  for (const e of batch.entries) {
    if (e.entry.addendaRecordIndicator === 1 && e.addenda.length === 0) {
      issue(
        'nacha_structure',
        e.line,
        'EntryDetail',
        'addendaRecordIndicator',
        '1',
        'says an addenda follows, but none does',
      );
    }
    if (isReturnOrNocCode(e.entry.transactionCode) && e.addenda.length === 0) {
      issue(
        'nacha_structure',
        e.line,
        'EntryDetail',
        'transactionCode',
        String(e.entry.transactionCode),
        'a return/NOC entry needs an addenda 99 or 98',
      );
    }
  }
  if (batch.entries.length === 0) {
    issue('nacha_structure', line, R, 'entryAddendaCount', '0', `batch ${h.batchNumber} has no entries`);
  }
  const totals = controlTotalsOf(batch.entries);
  const expect = expectation(issue, line, R);
  expect('serviceClassCode', c.serviceClassCode, h.serviceClassCode, 'the batch header says');
  expect('companyIdentification', c.companyIdentification, h.companyIdentification, 'the batch header says');
  expect('odfiIdentification', c.odfiIdentification, h.odfiIdentification, 'the batch header says');
  expect('batchNumber', c.batchNumber, h.batchNumber, 'the batch header says');
  expectTotals(expect, c, totals);
}

function checkFileControl(
  batches: readonly ParsedBatch[],
  c: FileControl,
  recordCount: number,
  line: number,
  issue: Report,
): void {
  const R = 'FileControl';
  // File totals are checked against the entries themselves, not the batch controls, so a
  // batch control that lies cannot make the file control agree with it.
  const totals = controlTotalsOf(batches.flatMap((b) => b.entries));
  const expect = expectation(issue, line, R);
  expect('batchCount', c.batchCount, batches.length, 'the number of batches');
  expect('blockCount', c.blockCount, Math.ceil(recordCount / BLOCKING_FACTOR), 'records / 10');
  expectTotals(expect, c, totals);
}

interface ControlTotals {
  readonly entryAddendaCount: number;
  readonly entryHash: number;
  readonly debitCents: number;
  readonly creditCents: number;
}

/** What a batch or file control must say about these entries, computed as the writer does. */
function controlTotalsOf(
  entries: readonly { entry: EntryDetail; addenda: readonly unknown[] }[],
): ControlTotals {
  const { debitCents, creditCents } = totalsOf(entries.map((e) => e.entry));
  return {
    entryAddendaCount: entries.reduce((n, e) => n + 1 + e.addenda.length, 0),
    entryHash: entryHashOf(entries.map((e) => e.entry.rdfiRoutingNumber)),
    debitCents,
    creditCents,
  };
}

type Expect = (field: string, actual: string | number, expected: string | number, what: string) => void;

function expectation(issue: Report, line: number, record: string): Expect {
  return (field, actual, expected, what) => {
    if (actual !== expected) {
      issue(
        'nacha_control_mismatch',
        line,
        record,
        field,
        String(actual),
        `is ${actual} but ${what} is ${expected}`,
      );
    }
  };
}

function expectTotals(
  expect: Expect,
  c: { entryAddendaCount: number; entryHash: number; totalDebitCents: number; totalCreditCents: number },
  t: ControlTotals,
): void {
  expect(
    'entryAddendaCount',
    c.entryAddendaCount,
    t.entryAddendaCount,
    'the count of entry and addenda records',
  );
  expect('entryHash', c.entryHash, t.entryHash, 'the sum of RDFI identifications (rightmost 10 digits)');
  expect('totalDebitCents', c.totalDebitCents, t.debitCents, 'the sum of debit entries');
  expect('totalCreditCents', c.totalCreditCents, t.creditCents, 'the sum of credit entries');
}

/** For messages and logs: an entry's account shown as its last four characters only. */
export function maskedAccount(e: EntryDetail): string {
  return maskValue(e.dfiAccountNumber);
}
