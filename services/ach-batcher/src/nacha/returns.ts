// Return and notification-of-change (NOC) files: what the RDFI sends back about our payouts.
//
// Reading: every entry with an addenda 99 becomes a ReturnItem (what bounced, why, and what it
// means for the bank account); every entry in a COR batch with an addenda 98 becomes a
// CorrectionItem (the corrected routing number / account number / account type). An entry that
// is neither is reported in `unexpected`, never dropped.
//
// Writing: buildReturnFile() produces the file an RDFI would send, from our original entries.
// The payment-network simulator and the tests use it; it follows the layout moov-io/ach reads:
// the return entry's RDFI field holds the original ODFI, its trace number is the returning
// bank's, and the addenda carries the original trace number and original RDFI.

import { PaystreamError } from '@paystream/core';
import { type Addenda98, type Addenda99, formatAddenda } from './addenda.js';
import { type BatchControl, formatBatchControl } from './batch-control.js';
import { type BatchHeader, formatBatchHeader } from './batch-header.js';
import {
  type AccountType,
  accountTypeOf,
  type EntryDetail,
  formatEntryDetail,
  isCreditCode,
  isTransactionCode,
  returnCodeFor,
  type TransactionCode,
} from './entry-detail.js';
import { BLOCKING_FACTOR, fieldError, maskValue } from './fields.js';
import { entryHashOf, serviceClassCodeFor, totalsOf, traceNumber } from './file.js';
import { formatFileControl, PADDING_RECORD } from './file-control.js';
import { type FileHeader, formatFileHeader } from './file-header.js';
import { type ParsedNachaFile, readNachaFile } from './reader.js';
import {
  type ChangeCodeInfo,
  lookupChangeCode,
  lookupReturnCode,
  type ReturnCodeInfo,
} from './return-codes.js';
import { isValidRoutingNumber } from './routing.js';

export interface ReturnItem {
  readonly kind: 'return';
  readonly line: number;
  readonly returnCode: string;
  readonly reason: ReturnCodeInfo;
  readonly originalTraceNumber: string;
  readonly returnTraceNumber: string;
  readonly amountCents: number;
  /** The return entry's code (21/26/31/36). */
  readonly transactionCode: TransactionCode;
  /** True when the original entry was a credit (a payout) — the usual case for Paystream. */
  readonly originalWasCredit: boolean;
  readonly accountType: AccountType;
  readonly secCode: string;
  readonly identificationNumber: string;
  readonly receiverName: string;
  readonly accountLast4: string;
  readonly originalRdfiIdentification: string;
  readonly dateOfDeath: string;
  readonly addendaInformation: string;
}

export interface Correction {
  readonly routingNumber?: string;
  /** Plaintext: the consumer must tokenize it at once and never log it. */
  readonly accountNumber?: string;
  readonly accountType?: AccountType;
  readonly transactionCode?: TransactionCode;
  readonly name?: string;
  readonly identificationNumber?: string;
}

export interface CorrectionItem {
  readonly kind: 'noc';
  readonly line: number;
  readonly changeCode: string;
  readonly change: ChangeCodeInfo;
  readonly originalTraceNumber: string;
  readonly identificationNumber: string;
  readonly accountLast4: string;
  readonly correction: Correction;
}

export interface UnexpectedItem {
  readonly line: number;
  readonly traceNumber: string;
  readonly reason: string;
}

export interface ParsedReturnFile {
  readonly file: ParsedNachaFile;
  readonly returns: readonly ReturnItem[];
  readonly corrections: readonly CorrectionItem[];
  readonly unexpected: readonly UnexpectedItem[];
}

export function parseReturnFile(text: string): ParsedReturnFile {
  const file = readNachaFile(text);
  const returns: ReturnItem[] = [];
  const corrections: CorrectionItem[] = [];
  const unexpected: UnexpectedItem[] = [];
  for (const batch of file.batches) {
    for (const { line, entry, addenda } of batch.entries) {
      const a = addenda[0];
      if (a?.typeCode === '99') {
        const reason = lookupReturnCode(a.returnCode);
        if (reason === undefined) {
          unexpected.push({
            line,
            traceNumber: entry.traceNumber,
            reason: `return code ${a.returnCode} is not a NACHA return reason code`,
          });
          continue;
        }
        returns.push({
          kind: 'return',
          line,
          returnCode: a.returnCode,
          reason,
          originalTraceNumber: a.originalTraceNumber,
          returnTraceNumber: entry.traceNumber,
          amountCents: entry.amountCents,
          transactionCode: entry.transactionCode,
          // A returned credit comes back as a credit to the ODFI (22 → 21): same direction code.
          originalWasCredit: isCreditCode(entry.transactionCode),
          accountType: accountTypeOf(entry.transactionCode),
          secCode: batch.header.secCode,
          identificationNumber: entry.identificationNumber,
          receiverName: entry.receiverName,
          accountLast4: entry.dfiAccountNumber.slice(-4),
          originalRdfiIdentification: a.originalRdfiIdentification,
          dateOfDeath: a.dateOfDeath,
          addendaInformation: a.addendaInformation,
        });
      } else if (a?.typeCode === '98') {
        const change = lookupChangeCode(a.changeCode);
        if (change === undefined) {
          unexpected.push({
            line,
            traceNumber: entry.traceNumber,
            reason: `change code ${a.changeCode} is not a NACHA change code`,
          });
          continue;
        }
        corrections.push({
          kind: 'noc',
          line,
          changeCode: a.changeCode,
          change,
          originalTraceNumber: a.originalTraceNumber,
          identificationNumber: entry.identificationNumber,
          accountLast4: entry.dfiAccountNumber.slice(-4),
          correction: parseCorrectedData(a.changeCode, a.correctedData, line + 1),
        });
      } else {
        unexpected.push({
          line,
          traceNumber: entry.traceNumber,
          reason: 'entry is neither a return (addenda 99) nor a notification of change (addenda 98)',
        });
      }
    }
  }
  return { file, returns, corrections, unexpected };
}

const COR = { record: 'Addenda98', field: 'correctedData', sensitive: true } as const;

function routingOf(value: string, code: string, line: number): string {
  if (!isValidRoutingNumber(value)) {
    throw fieldError(
      { ...COR, line, sensitive: false },
      value,
      `${code}: corrected routing number fails the ABA checksum`,
    );
  }
  return value;
}

function txOf(
  value: string,
  code: string,
  line: number,
): { transactionCode: TransactionCode; accountType: AccountType } {
  const n = Number(value);
  if (!/^\d\d$/.test(value) || !isTransactionCode(n)) {
    throw fieldError(
      { ...COR, line, sensitive: false },
      value,
      `${code}: corrected transaction code is not a checking/savings code`,
    );
  }
  return { transactionCode: n, accountType: accountTypeOf(n) };
}

/**
 * Corrected data layouts (NACHA Appendix Five, as moov-io/ach's ParseCorrectedData reads them):
 * C01 account | C02 routing | C03 routing, blanks, account | C04 name | C05 transaction code
 * C06 account, blanks, transaction code | C07 routing + account, blanks, transaction code
 * C09 individual identification number.
 */
export function parseCorrectedData(code: string, data: string, line: number): Correction {
  const d = data.trimEnd();
  const fail = (why: string): never => {
    throw fieldError({ ...COR, line }, d, `${code}: ${why}`);
  };
  switch (code) {
    case 'C01':
      return d.trim() ? { accountNumber: d.trim() } : fail('no corrected account number');
    case 'C02':
      return { routingNumber: routingOf(d.slice(0, 9), code, line) };
    case 'C03': {
      const account = d.slice(9).trim();
      if (!account) fail('no corrected account number after the routing number');
      return { routingNumber: routingOf(d.slice(0, 9), code, line), accountNumber: account };
    }
    case 'C04':
      return { name: d.trim() };
    case 'C05':
      return txOf(d.trim().slice(0, 2), code, line);
    case 'C06': {
      // Account in 36-52, transaction code in 56-57; read the code as the last two characters
      // so a right-aligned code (as moov-io/ach writes it) reads the same.
      const account = d.slice(0, d.length - 2).trim();
      if (!account) fail('expected an account number and a transaction code');
      return { accountNumber: account, ...txOf(d.slice(-2), code, line) };
    }
    case 'C07': {
      // Routing in 36-44, account in 45-61, transaction code in 62-63.
      const account = d.slice(9, d.length - 2).trim();
      if (!account) fail('expected routing number, account number and transaction code');
      return {
        routingNumber: routingOf(d.slice(0, 9), code, line),
        accountNumber: account,
        ...txOf(d.slice(-2), code, line),
      };
    }
    case 'C09':
      return { identificationNumber: d.trim() };
    default:
      // C08 and C10–C13 concern IAT or our own company identity; C61+ refuse a NOC we sent.
      return {};
  }
}

/** Format corrected data for an addenda 98 (the inverse of parseCorrectedData). */
export function formatCorrectedData(code: string, c: Correction): string {
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined || v === '') {
      throw new PaystreamError(
        'nacha_invalid_field',
        `Addenda98.correctedData: ${code} needs ${what}`,
        'Addenda98.correctedData',
      );
    }
    return v;
  };
  const tx = (): string => String(need(c.transactionCode, 'a transaction code'));
  switch (code) {
    case 'C01':
      return need(c.accountNumber, 'an account number');
    case 'C02':
      return need(c.routingNumber, 'a routing number');
    case 'C03':
      return `${need(c.routingNumber, 'a routing number')}   ${need(c.accountNumber, 'an account number')}`;
    case 'C04':
      return need(c.name, 'a name');
    case 'C05':
      return tx();
    case 'C06':
      return `${need(c.accountNumber, 'an account number').padEnd(17, ' ')}   ${tx()}`;
    case 'C07':
      return `${need(c.routingNumber, 'a routing number')}${need(c.accountNumber, 'an account number').padEnd(17, ' ')}${tx()}`;
    case 'C09':
      return need(c.identificationNumber, 'an identification number');
    default:
      throw new PaystreamError(
        'nacha_invalid_field',
        `Addenda98.changeCode: writing ${code} is not supported`,
        'Addenda98.changeCode',
      );
  }
}

// ---------- writing a return / NOC file (what an RDFI sends back) ----------

export interface OriginalBatchFacts {
  readonly secCode: 'PPD' | 'CCD';
  readonly companyName: string;
  readonly companyIdentification: string;
  readonly companyEntryDescription: string;
  readonly effectiveEntryDate: string;
}

export interface ReturnRequest {
  readonly original: EntryDetail;
  readonly originalBatch: OriginalBatchFacts;
  readonly returnCode: string;
  readonly dateOfDeath?: string;
  readonly addendaInformation?: string;
}

export interface CorrectionRequest {
  readonly original: EntryDetail;
  readonly originalBatch: OriginalBatchFacts;
  readonly changeCode: string;
  readonly correction: Correction;
}

export interface ReturnFileInput {
  /** The RDFI sending the returns: the original entries' receiving bank. */
  readonly returningBankRoutingNumber: string;
  readonly returningBankName: string;
  /** The original ODFI, which receives the returns. */
  readonly odfiRoutingNumber: string;
  readonly odfiName: string;
  readonly fileCreationDate: string;
  readonly fileCreationTime: string;
  readonly fileIdModifier: string;
  readonly returns: readonly ReturnRequest[];
  readonly corrections?: readonly CorrectionRequest[];
}

function batchKey(b: OriginalBatchFacts, sec: string): string {
  return [sec, b.companyName, b.companyIdentification, b.companyEntryDescription, b.effectiveEntryDate].join(
    '\u001f',
  );
}

export function buildReturnFile(input: ReturnFileInput): string {
  const rdfi = input.returningBankRoutingNumber.slice(0, 8);
  const fileHeader: FileHeader = {
    immediateDestination: input.odfiRoutingNumber,
    immediateOrigin: input.returningBankRoutingNumber,
    fileCreationDate: input.fileCreationDate,
    fileCreationTime: input.fileCreationTime,
    fileIdModifier: input.fileIdModifier,
    immediateDestinationName: input.odfiName,
    immediateOriginName: input.returningBankName,
    referenceCode: '',
  };
  type Item = { entry: EntryDetail; addenda: Addenda98 | Addenda99 };
  const groups = new Map<string, { facts: OriginalBatchFacts; sec: 'PPD' | 'CCD' | 'COR'; items: Item[] }>();
  const group = (facts: OriginalBatchFacts, sec: 'PPD' | 'CCD' | 'COR') => {
    const key = batchKey(facts, sec);
    let g = groups.get(key);
    if (g === undefined) {
      g = { facts, sec, items: [] };
      groups.set(key, g);
    }
    return g;
  };
  let seq = 1;
  for (const r of input.returns) {
    if (lookupReturnCode(r.returnCode) === undefined) {
      throw fieldError(
        { record: 'Addenda99', field: 'returnCode' },
        r.returnCode,
        'is not a NACHA return reason code',
      );
    }
    const trace = traceNumber(rdfi, seq++);
    const entry: EntryDetail = {
      ...r.original,
      transactionCode: returnCodeFor(r.original.transactionCode),
      rdfiRoutingNumber: input.odfiRoutingNumber,
      addendaRecordIndicator: 1,
      traceNumber: trace,
    };
    const addenda: Addenda99 = {
      typeCode: '99',
      returnCode: r.returnCode,
      originalTraceNumber: r.original.traceNumber,
      dateOfDeath: r.dateOfDeath ?? '',
      originalRdfiIdentification: r.original.rdfiRoutingNumber.slice(0, 8),
      addendaInformation: r.addendaInformation ?? '',
      traceNumber: trace,
    };
    group(r.originalBatch, r.originalBatch.secCode).items.push({ entry, addenda });
  }
  for (const c of input.corrections ?? []) {
    if (lookupChangeCode(c.changeCode) === undefined) {
      throw fieldError(
        { record: 'Addenda98', field: 'changeCode' },
        c.changeCode,
        'is not a NACHA change code',
      );
    }
    const trace = traceNumber(rdfi, seq++);
    const entry: EntryDetail = {
      ...c.original,
      transactionCode: returnCodeFor(c.original.transactionCode),
      rdfiRoutingNumber: input.odfiRoutingNumber,
      amountCents: 0,
      addendaRecordIndicator: 1,
      traceNumber: trace,
    };
    const addenda: Addenda98 = {
      typeCode: '98',
      changeCode: c.changeCode,
      originalTraceNumber: c.original.traceNumber,
      originalRdfiIdentification: c.original.rdfiRoutingNumber.slice(0, 8),
      correctedData: formatCorrectedData(c.changeCode, c.correction),
      traceNumber: trace,
    };
    group(c.originalBatch, 'COR').items.push({ entry, addenda });
  }

  const lines: string[] = [formatFileHeader(fileHeader)];
  let batchNumber = 0;
  let count = 0;
  const all: EntryDetail[] = [];
  for (const g of groups.values()) {
    batchNumber += 1;
    const entries = g.items.map((i) => i.entry);
    const serviceClassCode = serviceClassCodeFor(entries.map((e) => e.transactionCode));
    const header: BatchHeader = {
      serviceClassCode,
      companyName: g.facts.companyName,
      companyDiscretionaryData: '',
      companyIdentification: g.facts.companyIdentification,
      secCode: g.sec,
      companyEntryDescription: g.facts.companyEntryDescription,
      companyDescriptiveDate: '',
      effectiveEntryDate: g.facts.effectiveEntryDate,
      settlementDate: '',
      originatorStatusCode: 1,
      odfiIdentification: rdfi,
      batchNumber,
    };
    const totals = totalsOf(entries);
    const control: BatchControl = {
      serviceClassCode,
      entryAddendaCount: entries.length * 2,
      entryHash: entryHashOf(entries.map((e) => e.rdfiRoutingNumber)),
      totalDebitCents: totals.debitCents,
      totalCreditCents: totals.creditCents,
      companyIdentification: g.facts.companyIdentification,
      messageAuthenticationCode: '',
      odfiIdentification: rdfi,
      batchNumber,
    };
    lines.push(formatBatchHeader(header));
    for (const i of g.items) {
      lines.push(formatEntryDetail(i.entry), formatAddenda(i.addenda));
    }
    lines.push(formatBatchControl(control));
    count += entries.length * 2;
    all.push(...entries);
  }
  const recordCount = Math.ceil((lines.length + 1) / BLOCKING_FACTOR) * BLOCKING_FACTOR;
  const totals = totalsOf(all);
  lines.push(
    formatFileControl({
      batchCount: batchNumber,
      blockCount: recordCount / BLOCKING_FACTOR,
      entryAddendaCount: count,
      entryHash: entryHashOf(all.map((e) => e.rdfiRoutingNumber)),
      totalDebitCents: totals.debitCents,
      totalCreditCents: totals.creditCents,
    }),
  );
  while (lines.length < recordCount) lines.push(PADDING_RECORD);
  return `${lines.join('\n')}\n`;
}

/** For logs: never the full account number. */
export function describeCorrection(c: Correction): Record<string, string> {
  const out: Record<string, string> = {};
  if (c.routingNumber) out.routingNumber = c.routingNumber;
  if (c.accountNumber) out.accountNumber = maskValue(c.accountNumber);
  if (c.accountType) out.accountType = c.accountType;
  if (c.name) out.name = c.name;
  return out;
}
