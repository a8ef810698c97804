// Build a whole NACHA file from a model. The builder owns everything a human should never type:
// batch splitting, batch numbers, trace numbers, addenda sequence numbers, service class codes,
// entry hashes, control totals, block count and 9-padding. The caller owns the business facts:
// who originates, who receives, how much, on which effective date.

import { PaystreamError } from '@paystream/core';
import { DateTime } from 'luxon';
import type { Addenda05 } from './addenda.js';
import { formatAddenda } from './addenda.js';
import { type BatchControl, formatBatchControl } from './batch-control.js';
import { type BatchHeader, formatBatchHeader, type ServiceClassCode } from './batch-header.js';
import {
  type EntryDetail,
  formatEntryDetail,
  isCreditCode,
  isZeroDollarCode,
  type TransactionCode,
} from './entry-detail.js';
import { BLOCKING_FACTOR, fieldError, refsFor } from './fields.js';
import { type FileControl, formatFileControl, PADDING_RECORD } from './file-control.js';
import { type FileHeader, formatFileHeader } from './file-header.js';
import { assertRoutingNumber } from './routing.js';

export const DEFAULT_MAX_ENTRIES_PER_BATCH = 2500;
/** Trace sequence is seven digits. */
export const MAX_TRACE_SEQUENCE = 9_999_999;
/** Ten-digit entry hash: the sum is reduced to its rightmost ten digits. */
const HASH_MODULUS = 10_000_000_000;

/** Forward (originated) transaction codes; returns and NOCs are written by returns.ts. */
export const FORWARD_CODES = [22, 23, 24, 27, 28, 29, 32, 33, 34, 37, 38, 39] as const;
export type ForwardTransactionCode = (typeof FORWARD_CODES)[number];

/** Who sends the file: ODFI and company identity come from configuration. */
export interface NachaOriginator {
  /** Routing number of the ACH operator or ODFI receiving the file. */
  readonly immediateDestination: string;
  readonly immediateDestinationName: string;
  /** Routing number or ten-character origin id the ODFI assigned. */
  readonly immediateOrigin: string;
  readonly immediateOriginName: string;
  /** Nine-digit ODFI routing number; its first eight digits start every trace number. */
  readonly odfiRoutingNumber: string;
  /** Up to 16 characters, shown on the receiver's statement. */
  readonly companyName: string;
  /** Ten characters, conventionally "1" + EIN. */
  readonly companyIdentification: string;
  readonly referenceCode?: string;
}

export interface NachaEntryInput {
  readonly transactionCode: ForwardTransactionCode;
  readonly rdfiRoutingNumber: string;
  readonly dfiAccountNumber: string;
  readonly amountCents: number;
  /** Ours: the payout id, so a return can be matched without the trace number too. */
  readonly identificationNumber: string;
  readonly receiverName: string;
  readonly discretionaryData?: string;
  /** One addenda 05 record (80 characters) when present. */
  readonly paymentRelatedInformation?: string;
}

export interface NachaBatchInput {
  readonly secCode: 'PPD' | 'CCD';
  /** Ten characters, e.g. "PAYOUT"; shown on the receiver's statement. */
  readonly companyEntryDescription: string;
  /** YYYY-MM-DD, a banking day (the calendar module decides which). */
  readonly effectiveEntryDate: string;
  readonly companyDescriptiveDate?: string;
  readonly companyDiscretionaryData?: string;
  readonly entries: readonly NachaEntryInput[];
}

export interface NachaFileInput {
  readonly originator: NachaOriginator;
  /** YYYY-MM-DD and HHMM; see fileCreationStamp() to derive them from an instant. */
  readonly fileCreationDate: string;
  readonly fileCreationTime: string;
  readonly fileIdModifier: string;
  readonly batches: readonly NachaBatchInput[];
  /** Entries (not counting addenda) per batch before a new batch starts. Default 2,500. */
  readonly maxEntriesPerBatch?: number;
  /** First seven-digit trace sequence in this file. Default 1. */
  readonly firstTraceSequence?: number;
}

export interface BuiltEntry {
  readonly entry: EntryDetail;
  readonly addenda: readonly Addenda05[];
  /** Index of the input entry within its input batch, so callers can map trace numbers back. */
  readonly inputBatchIndex: number;
  readonly inputEntryIndex: number;
}

export interface BuiltBatch {
  readonly header: BatchHeader;
  readonly entries: readonly BuiltEntry[];
  readonly control: BatchControl;
}

export interface BuiltNachaFile {
  readonly text: string;
  readonly fileHeader: FileHeader;
  readonly batches: readonly BuiltBatch[];
  readonly fileControl: FileControl;
  /** Records including padding; always a multiple of ten. */
  readonly recordCount: number;
}

/** File creation date and time as the ODFI's clock reads them (America/New_York by default). */
export function fileCreationStamp(
  atMs: number,
  timeZone = 'America/New_York',
): { date: string; time: string } {
  const t = DateTime.fromMillis(atMs, { zone: timeZone });
  if (!t.isValid) {
    throw new PaystreamError(
      'invalid_time_zone',
      `cannot place ${atMs} in time zone ${timeZone}`,
      'timeZone',
    );
  }
  return { date: t.toFormat('yyyy-MM-dd'), time: t.toFormat('HHmm') };
}

const MODIFIERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const MODIFIER_COUNT = MODIFIERS.length;

/** The n-th file of a day (0-based) gets A, B, … Z, then 0 … 9: 36 files a day at most. */
export function fileIdModifierFor(indexOfDay: number): string {
  const m = MODIFIERS[indexOfDay];
  if (!Number.isInteger(indexOfDay) || indexOfDay < 0 || m === undefined) {
    throw new PaystreamError(
      'nacha_file_id_exhausted',
      `file ${indexOfDay} of the day has no file ID modifier; A-Z then 0-9 allows 36 files a day`,
      'fileIdModifier',
    );
  }
  return m;
}

/** Sum of eight-digit RDFI identifications, rightmost ten digits. */
export function entryHashOf(rdfiRoutingNumbers: Iterable<string>): number {
  let hash = 0;
  for (const r of rdfiRoutingNumbers) hash = (hash + Number(r.slice(0, 8))) % HASH_MODULUS;
  return hash;
}

export function serviceClassCodeFor(codes: Iterable<TransactionCode>): ServiceClassCode {
  let credits = false;
  let debits = false;
  for (const c of codes) {
    if (isCreditCode(c)) credits = true;
    else debits = true;
  }
  if (credits && !debits) return 220;
  if (debits && !credits) return 225;
  return 200;
}

/** Debit and credit totals in cents. */
export function totalsOf(entries: Iterable<EntryDetail>): { debitCents: number; creditCents: number } {
  let debitCents = 0;
  let creditCents = 0;
  for (const e of entries) {
    if (isCreditCode(e.transactionCode)) creditCents += e.amountCents;
    else debitCents += e.amountCents;
  }
  return { debitCents, creditCents };
}

export function traceNumber(odfiIdentification: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_TRACE_SEQUENCE) {
    throw new PaystreamError(
      'nacha_trace_exhausted',
      `trace sequence ${sequence} is outside 1..${MAX_TRACE_SEQUENCE}`,
      'traceNumber',
    );
  }
  return odfiIdentification + String(sequence).padStart(7, '0');
}

const EIN = refsFor('EntryDetail');
const FORWARD: ReadonlySet<number> = new Set(FORWARD_CODES);

function checkEntryInput(e: NachaEntryInput, batchIndex: number, entryIndex: number): void {
  const where = `batches[${batchIndex}].entries[${entryIndex}]`;
  if (!FORWARD.has(e.transactionCode)) {
    throw fieldError(
      EIN('transactionCode'),
      String(e.transactionCode),
      `at ${where} is not a forward checking/savings code`,
    );
  }
  if (!Number.isSafeInteger(e.amountCents) || e.amountCents < 0) {
    throw fieldError(
      EIN('amountCents'),
      String(e.amountCents),
      `at ${where} must be a non-negative integer number of cents`,
    );
  }
  const zero = isZeroDollarCode(e.transactionCode);
  if (zero && e.amountCents !== 0) {
    throw fieldError(
      EIN('amountCents'),
      String(e.amountCents),
      `at ${where} must be 0 for prenote/zero-dollar code ${e.transactionCode}`,
    );
  }
  if (!zero && e.amountCents === 0) {
    throw fieldError(
      EIN('amountCents'),
      '0',
      `at ${where} must be more than 0 for live code ${e.transactionCode}`,
    );
  }
}

export function buildNachaFile(input: NachaFileInput): BuiltNachaFile {
  const maxPerBatch = input.maxEntriesPerBatch ?? DEFAULT_MAX_ENTRIES_PER_BATCH;
  if (!Number.isInteger(maxPerBatch) || maxPerBatch < 1 || maxPerBatch > 999_999) {
    throw new PaystreamError(
      'invalid_batch_size',
      `maxEntriesPerBatch must be 1..999999, got ${maxPerBatch}`,
      'maxEntriesPerBatch',
    );
  }
  const o = input.originator;
  const odfiRouting = assertRoutingNumber(o.odfiRoutingNumber, {
    record: 'BatchHeader',
    field: 'odfiRoutingNumber',
  });
  const odfi = odfiRouting.slice(0, 8);

  const fileHeader: FileHeader = {
    immediateDestination: o.immediateDestination,
    immediateOrigin: o.immediateOrigin,
    fileCreationDate: input.fileCreationDate,
    fileCreationTime: input.fileCreationTime,
    fileIdModifier: input.fileIdModifier,
    immediateDestinationName: o.immediateDestinationName,
    immediateOriginName: o.immediateOriginName,
    referenceCode: o.referenceCode ?? '',
  };
  const lines: string[] = [formatFileHeader(fileHeader)];
  const batches: BuiltBatch[] = [];

  let sequence = input.firstTraceSequence ?? 1;
  let batchNumber = 0;
  let fileEntryAddendaCount = 0;
  let fileHash = 0;
  let fileDebitCents = 0;
  let fileCreditCents = 0;

  input.batches.forEach((b, batchIndex) => {
    if (b.entries.length === 0) {
      throw new PaystreamError(
        'nacha_empty_batch',
        `batches[${batchIndex}] has no entries; NACHA batches need at least one`,
        `batches[${batchIndex}].entries`,
      );
    }
    for (let start = 0; start < b.entries.length; start += maxPerBatch) {
      const chunk = b.entries.slice(start, start + maxPerBatch);
      batchNumber += 1;
      const built: BuiltEntry[] = [];
      const entryLines: string[] = [];
      let count = 0;
      let hash = 0;
      let debitCents = 0;
      let creditCents = 0;
      let credits = false;
      let debits = false;
      chunk.forEach((e, i) => {
        const entryIndex = start + i;
        checkEntryInput(e, batchIndex, entryIndex);
        const trace = traceNumber(odfi, sequence);
        sequence += 1;
        const hasAddenda = e.paymentRelatedInformation !== undefined;
        const entry: EntryDetail = {
          transactionCode: e.transactionCode,
          rdfiRoutingNumber: e.rdfiRoutingNumber,
          dfiAccountNumber: e.dfiAccountNumber,
          amountCents: e.amountCents,
          identificationNumber: e.identificationNumber,
          receiverName: e.receiverName,
          discretionaryData: e.discretionaryData ?? '',
          addendaRecordIndicator: hasAddenda ? 1 : 0,
          traceNumber: trace,
        };
        entryLines.push(formatEntryDetail(entry));
        const addenda: Addenda05[] = [];
        if (hasAddenda) {
          const a: Addenda05 = {
            typeCode: '05',
            paymentRelatedInformation: e.paymentRelatedInformation ?? '',
            sequenceNumber: 1,
            entryDetailSequenceNumber: Number(trace.slice(8)),
          };
          entryLines.push(formatAddenda(a));
          addenda.push(a);
        }
        count += 1 + addenda.length;
        hash = (hash + Number(e.rdfiRoutingNumber.slice(0, 8))) % HASH_MODULUS;
        if (isCreditCode(e.transactionCode)) {
          creditCents += e.amountCents;
          credits = true;
        } else {
          debitCents += e.amountCents;
          debits = true;
        }
        built.push({ entry, addenda, inputBatchIndex: batchIndex, inputEntryIndex: entryIndex });
      });
      const serviceClassCode: ServiceClassCode = credits && !debits ? 220 : debits && !credits ? 225 : 200;
      const header: BatchHeader = {
        serviceClassCode,
        companyName: o.companyName,
        companyDiscretionaryData: b.companyDiscretionaryData ?? '',
        companyIdentification: o.companyIdentification,
        secCode: b.secCode,
        companyEntryDescription: b.companyEntryDescription,
        companyDescriptiveDate: b.companyDescriptiveDate ?? '',
        effectiveEntryDate: b.effectiveEntryDate,
        settlementDate: '',
        originatorStatusCode: 1,
        odfiIdentification: odfi,
        batchNumber,
      };
      const control: BatchControl = {
        serviceClassCode,
        entryAddendaCount: count,
        entryHash: hash,
        totalDebitCents: debitCents,
        totalCreditCents: creditCents,
        companyIdentification: o.companyIdentification,
        messageAuthenticationCode: '',
        odfiIdentification: odfi,
        batchNumber,
      };
      lines.push(formatBatchHeader(header));
      for (const l of entryLines) lines.push(l);
      lines.push(formatBatchControl(control));
      batches.push({ header, entries: built, control });
      fileEntryAddendaCount += count;
      fileHash = (fileHash + hash) % HASH_MODULUS;
      fileDebitCents += debitCents;
      fileCreditCents += creditCents;
    }
  });

  // +1 for the file control record itself, then fill the last block with nines.
  const unpadded = lines.length + 1;
  const recordCount = Math.ceil(unpadded / BLOCKING_FACTOR) * BLOCKING_FACTOR;
  const fileControl: FileControl = {
    batchCount: batches.length,
    blockCount: recordCount / BLOCKING_FACTOR,
    entryAddendaCount: fileEntryAddendaCount,
    entryHash: fileHash,
    totalDebitCents: fileDebitCents,
    totalCreditCents: fileCreditCents,
  };
  lines.push(formatFileControl(fileControl));
  while (lines.length < recordCount) lines.push(PADDING_RECORD);
  if (lines.length % BLOCKING_FACTOR !== 0) {
    throw new Error(`invariant violated: ${lines.length} records is not a whole number of blocks`);
  }
  return { text: `${lines.join('\n')}\n`, fileHeader, batches, fileControl, recordCount };
}
