// Each record type: field positions (checked against the NACHA layout as moov-io/ach reads it),
// and format → parse round trips.
import { describe, expect, it } from 'vitest';
import { formatAddenda, parseAddenda } from './addenda.js';
import { formatBatchControl, parseBatchControl } from './batch-control.js';
import { type BatchHeader, formatBatchHeader, parseBatchHeader } from './batch-header.js';
import { type EntryDetail, formatEntryDetail, parseEntryDetail, returnCodeFor } from './entry-detail.js';
import { slice } from './fields.js';
import { formatFileControl, parseFileControl } from './file-control.js';
import { type FileHeader, formatFileHeader, parseFileHeader } from './file-header.js';

const header: FileHeader = {
  immediateDestination: '021000021',
  immediateOrigin: '021000021',
  fileCreationDate: '2026-03-02',
  fileCreationTime: '1015',
  fileIdModifier: 'B',
  immediateDestinationName: 'JPMORGAN CHASE BANK',
  immediateOriginName: 'PAYSTREAM MARKETPLACE',
  referenceCode: 'PAYOUTS',
};

const batch: BatchHeader = {
  serviceClassCode: 220,
  companyName: 'PAYSTREAM',
  companyDiscretionaryData: 'WINDOW 2026-03-02/1',
  companyIdentification: '1465123987',
  secCode: 'PPD',
  companyEntryDescription: 'PAYOUT',
  companyDescriptiveDate: 'MAR 02',
  effectiveEntryDate: '2026-03-02',
  settlementDate: '',
  originatorStatusCode: 1,
  odfiIdentification: '02100002',
  batchNumber: 7,
};

const entry: EntryDetail = {
  transactionCode: 22,
  rdfiRoutingNumber: '091000019',
  dfiAccountNumber: '4021559870',
  amountCents: 1_234_56,
  identificationNumber: 'PO000000042',
  receiverName: 'MARIA GARCIA',
  discretionaryData: '',
  addendaRecordIndicator: 0,
  traceNumber: '021000020000042',
};

describe('file header (1)', () => {
  it('puts each field at its NACHA position', () => {
    const line = formatFileHeader(header);
    expect(line).toHaveLength(94);
    expect(slice(line, 1, 3)).toBe('101');
    expect(slice(line, 4, 13)).toBe(' 021000021');
    expect(slice(line, 24, 29)).toBe('260302');
    expect(slice(line, 30, 33)).toBe('1015');
    expect(slice(line, 34, 40)).toBe('B094101');
    expect(slice(line, 41, 63).trimEnd()).toBe('JPMORGAN CHASE BANK');
    expect(slice(line, 87, 94)).toBe('PAYOUTS ');
  });
  it('round-trips, including a ten-character origin id', () => {
    expect(parseFileHeader(formatFileHeader(header))).toEqual(header);
    const h2 = { ...header, immediateOrigin: '1465123987' };
    expect(parseFileHeader(formatFileHeader(h2))).toEqual(h2);
  });
  it('rejects a lower-case or punctuation file ID modifier', () => {
    expect(() => formatFileHeader({ ...header, fileIdModifier: 'a' })).toThrow(/fileIdModifier/);
  });
});

describe('batch header (5)', () => {
  it('puts each field at its NACHA position', () => {
    const line = formatBatchHeader(batch);
    expect(slice(line, 1, 4)).toBe('5220');
    expect(slice(line, 5, 20)).toBe('PAYSTREAM       ');
    expect(slice(line, 41, 50)).toBe('1465123987');
    expect(slice(line, 51, 53)).toBe('PPD');
    expect(slice(line, 54, 63)).toBe('PAYOUT    ');
    expect(slice(line, 70, 75)).toBe('260302');
    expect(slice(line, 76, 79)).toBe('   1');
    expect(slice(line, 80, 87)).toBe('02100002');
    expect(slice(line, 88, 94)).toBe('0000007');
  });
  it('round-trips', () => {
    expect(parseBatchHeader(formatBatchHeader(batch))).toEqual(batch);
  });
  it('rejects a company entry description longer than ten characters', () => {
    expect(() => formatBatchHeader({ ...batch, companyEntryDescription: 'MARKETPLACE PAYOUT' })).toThrow(
      /BatchHeader\.companyEntryDescription/,
    );
  });
});

describe('entry detail (6)', () => {
  it('puts each field at its NACHA position', () => {
    const line = formatEntryDetail(entry);
    expect(slice(line, 1, 3)).toBe('622');
    expect(slice(line, 4, 11)).toBe('09100001');
    expect(slice(line, 12, 12)).toBe('9');
    expect(slice(line, 13, 29)).toBe('4021559870       ');
    expect(slice(line, 30, 39)).toBe('0000123456');
    expect(slice(line, 55, 76).trimEnd()).toBe('MARIA GARCIA');
    expect(slice(line, 79, 94)).toBe('0021000020000042');
  });
  it('round-trips', () => {
    expect(parseEntryDetail(formatEntryDetail(entry))).toEqual(entry);
  });
  it('rejects an RDFI routing number that fails the checksum, naming the line when reading', () => {
    const bad = `${formatEntryDetail(entry).slice(0, 11)}8${formatEntryDetail(entry).slice(12)}`;
    expect(() => parseEntryDetail(bad, 3)).toThrow(/EntryDetail\.rdfiRoutingNumber \(line 3\)/);
  });
  it('rejects an amount over ten digits ($99,999,999.99)', () => {
    expect(() => formatEntryDetail({ ...entry, amountCents: 10_000_000_000 })).toThrow(
      /EntryDetail\.amountCents/,
    );
  });
  it('maps forward codes to their return codes', () => {
    expect([22, 27, 32, 37].map((c) => returnCodeFor(c as 22))).toEqual([21, 26, 31, 36]);
  });
});

describe('addenda (7)', () => {
  it('05 round-trips and sits at its positions', () => {
    const a = {
      typeCode: '05' as const,
      paymentRelatedInformation: 'INVOICE 2026-0042',
      sequenceNumber: 1,
      entryDetailSequenceNumber: 42,
    };
    const line = formatAddenda(a);
    expect(slice(line, 1, 3)).toBe('705');
    expect(slice(line, 84, 94)).toBe('00010000042');
    expect(parseAddenda(line)).toEqual(a);
  });
  it('98 round-trips', () => {
    const a = {
      typeCode: '98' as const,
      changeCode: 'C02',
      originalTraceNumber: '021000020000042',
      originalRdfiIdentification: '09100001',
      correctedData: '011000015',
      traceNumber: '091000010000001',
    };
    const line = formatAddenda(a);
    expect(slice(line, 4, 6)).toBe('C02');
    expect(slice(line, 28, 35)).toBe('09100001');
    expect(slice(line, 36, 44)).toBe('011000015');
    expect(parseAddenda(line)).toEqual(a);
  });
  it('99 round-trips with and without a date of death', () => {
    const a = {
      typeCode: '99' as const,
      returnCode: 'R15',
      originalTraceNumber: '021000020000042',
      dateOfDeath: '2026-02-27',
      originalRdfiIdentification: '09100001',
      addendaInformation: 'ACCOUNT HOLDER DECEASED',
      traceNumber: '091000010000001',
    };
    const line = formatAddenda(a);
    expect(slice(line, 4, 27)).toBe('R15021000020000042260227');
    expect(parseAddenda(line)).toEqual(a);
    expect(parseAddenda(formatAddenda({ ...a, returnCode: 'R01', dateOfDeath: '' }))).toEqual({
      ...a,
      returnCode: 'R01',
      dateOfDeath: '',
    });
  });
  it('rejects an unknown addenda type', () => {
    expect(() => parseAddenda(`702${' '.repeat(91)}`, 9)).toThrow(/Addenda\.typeCode \(line 9\)/);
  });
});

describe('controls (8, 9)', () => {
  it('batch control round-trips and sits at its positions', () => {
    const c = {
      serviceClassCode: 225 as const,
      entryAddendaCount: 2500,
      entryHash: 1_234_567_890,
      totalDebitCents: 987_654_321_012,
      totalCreditCents: 0,
      companyIdentification: '1465123987',
      messageAuthenticationCode: '',
      odfiIdentification: '02100002',
      batchNumber: 3,
    };
    const line = formatBatchControl(c);
    expect(slice(line, 1, 20)).toBe('82250025001234567890');
    expect(slice(line, 21, 32)).toBe('987654321012');
    expect(parseBatchControl(line)).toEqual(c);
  });
  it('file control round-trips', () => {
    const c = {
      batchCount: 40,
      blockCount: 10_001,
      entryAddendaCount: 100_000,
      entryHash: 42,
      totalDebitCents: 0,
      totalCreditCents: 5,
    };
    const line = formatFileControl(c);
    expect(slice(line, 1, 13)).toBe('9000040010001');
    expect(parseFileControl(line)).toEqual(c);
  });
});
