import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildNachaFile,
  entryHashOf,
  fileCreationStamp,
  fileIdModifierFor,
  type NachaEntryInput,
} from './file.js';
import { generateEntries, ORIGINATOR, ROUTING, sampleFile } from './fixtures.js';
import { readNachaFile } from './reader.js';
import { checkDigit } from './routing.js';

const lines = (text: string) => text.trimEnd().split('\n');

describe('buildNachaFile', () => {
  it('writes a one-entry file: header, batch, entry, controls, 9-padding to a block of ten', () => {
    const f = buildNachaFile(sampleFile(generateEntries(1)));
    const ls = lines(f.text);
    expect(ls).toHaveLength(10);
    expect(ls.map((l) => l[0]).join('')).toBe('1568999999');
    expect(ls.every((l) => l.length === 94)).toBe(true);
    expect(f.fileControl).toMatchObject({ batchCount: 1, blockCount: 1, entryAddendaCount: 1 });
  });

  it('splits at 2,500 entries per batch by default, with ascending batch numbers and file-unique traces', () => {
    const f = buildNachaFile(sampleFile(generateEntries(6_001)));
    expect(f.batches.map((b) => b.entries.length)).toEqual([2500, 2500, 1001]);
    expect(f.batches.map((b) => b.header.batchNumber)).toEqual([1, 2, 3]);
    const traces = f.batches.flatMap((b) => b.entries.map((e) => e.entry.traceNumber));
    expect(new Set(traces).size).toBe(6_001);
    expect(traces[0]).toBe('021000020000001');
    expect(traces[6_000]).toBe('021000020006001');
    expect(f.recordCount % 10).toBe(0);
  });

  it('honours a configured batch size and trace start', () => {
    const f = buildNachaFile({
      ...sampleFile(generateEntries(7)),
      maxEntriesPerBatch: 3,
      firstTraceSequence: 500,
    });
    expect(f.batches.map((b) => b.entries.length)).toEqual([3, 3, 1]);
    expect(f.batches[0]?.entries[0]?.entry.traceNumber).toBe('021000020000500');
  });

  it('sets the service class code from the entries: 220 credits, 225 debits, 200 mixed', () => {
    const credits = generateEntries(2);
    const debits = generateEntries(2, { debits: true });
    const f = buildNachaFile(
      sampleFile([], {
        batches: [
          {
            secCode: 'PPD',
            companyEntryDescription: 'PAYOUT',
            effectiveEntryDate: '2026-03-02',
            entries: credits,
          },
          {
            secCode: 'CCD',
            companyEntryDescription: 'COLLECT',
            effectiveEntryDate: '2026-03-02',
            entries: debits,
          },
          {
            secCode: 'CCD',
            companyEntryDescription: 'ADJUST',
            effectiveEntryDate: '2026-03-02',
            entries: [...credits, ...debits],
          },
        ],
      }),
    );
    expect(f.batches.map((b) => b.header.serviceClassCode)).toEqual([220, 225, 200]);
  });

  it('writes an addenda 05 linked to its entry by sequence number', () => {
    const [e] = generateEntries(1);
    const f = buildNachaFile(
      sampleFile([{ ...(e as NachaEntryInput), paymentRelatedInformation: 'PAYOUT FOR 14 JOBS, FEB 2026' }]),
    );
    const ls = lines(f.text);
    expect(ls[2]?.[78]).toBe('1');
    expect(ls[3]?.slice(0, 3)).toBe('705');
    expect(ls[3]?.slice(87)).toBe('0000001');
    expect(f.batches[0]?.control.entryAddendaCount).toBe(2);
  });

  it('rejects a zero-dollar live entry, a non-zero prenote and a return code', () => {
    const [e] = generateEntries(1) as [NachaEntryInput];
    expect(() => buildNachaFile(sampleFile([{ ...e, amountCents: 0 }]))).toThrow(/must be more than 0/);
    expect(() => buildNachaFile(sampleFile([{ ...e, transactionCode: 23 }]))).toThrow(
      /must be 0 for prenote/,
    );
    expect(() => buildNachaFile(sampleFile([{ ...e, transactionCode: 21 as 22 }]))).toThrow(/not a forward/);
    expect(() => buildNachaFile(sampleFile([{ ...e, amountCents: 10.5 }]))).toThrow(
      /integer number of cents/,
    );
  });

  it('rejects an empty batch and a bad ODFI routing number', () => {
    expect(() => buildNachaFile(sampleFile([]))).toThrow(/no entries/);
    expect(() =>
      buildNachaFile({
        ...sampleFile(generateEntries(1)),
        originator: { ...ORIGINATOR, odfiRoutingNumber: '021000022' },
      }),
    ).toThrow(/checksum/);
  });

  it('names the file creation stamp in New York time and hands out file ID modifiers A..Z, 0..9', () => {
    // 2026-03-02T15:15:00Z is 10:15 EST.
    expect(fileCreationStamp(Date.UTC(2026, 2, 2, 15, 15))).toEqual({ date: '2026-03-02', time: '1015' });
    // 03:30Z on Mar 3 is still Mar 2 in New York.
    expect(fileCreationStamp(Date.UTC(2026, 2, 3, 3, 30))).toEqual({ date: '2026-03-02', time: '2230' });
    expect([0, 25, 26, 35].map(fileIdModifierFor)).toEqual(['A', 'Z', '0', '9']);
    expect(() => fileIdModifierFor(36)).toThrow(/36 files a day/);
  });
});

// ---------- properties ----------

const routingArb = fc
  .stringMatching(/^\d{8}$/)
  .map((d) => d + String(checkDigit(d)))
  .filter((r) => r !== '000000000');
const nameArb = fc.stringMatching(/^[A-Z][A-Z .,'-]{0,20}[A-Z]$/);
const entryArb: fc.Arbitrary<NachaEntryInput> = fc.record({
  transactionCode: fc.constantFrom(22, 27, 32, 37) as fc.Arbitrary<22 | 27 | 32 | 37>,
  rdfiRoutingNumber: routingArb,
  dfiAccountNumber: fc.stringMatching(/^[0-9A-Z][0-9A-Z-]{2,15}[0-9A-Z]$/),
  amountCents: fc.integer({ min: 1, max: 2_000_000_000 }),
  identificationNumber: fc.stringMatching(/^[A-Z0-9]{0,15}$/),
  receiverName: nameArb,
});
const batchArb = fc.record({
  secCode: fc.constantFrom('PPD', 'CCD') as fc.Arbitrary<'PPD' | 'CCD'>,
  companyEntryDescription: fc.constantFrom('PAYOUT', 'REFUND', 'ADJUSTMENT'),
  effectiveEntryDate: fc.constantFrom('2026-03-02', '2026-12-31', '2027-01-04'),
  entries: fc.array(entryArb, { minLength: 1, maxLength: 40 }),
});

describe('NACHA file invariants (property)', () => {
  it('entry hash, control totals and counts equal what the entries add up to; write → read round-trips', () => {
    fc.assert(
      fc.property(
        fc.array(batchArb, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 30 }),
        (batches, max) => {
          const built = buildNachaFile({ ...sampleFile([]), batches, maxEntriesPerBatch: max });
          const all = batches.flatMap((b) => b.entries);
          const credit = all
            .filter((e) => e.transactionCode % 10 === 2)
            .reduce((s, e) => s + e.amountCents, 0);
          const debit = all
            .filter((e) => e.transactionCode % 10 === 7)
            .reduce((s, e) => s + e.amountCents, 0);
          const hash =
            all.reduce((s, e) => s + BigInt(e.rdfiRoutingNumber.slice(0, 8)), 0n) % 10_000_000_000n;

          expect(built.fileControl.totalCreditCents).toBe(credit);
          expect(built.fileControl.totalDebitCents).toBe(debit);
          expect(BigInt(built.fileControl.entryHash)).toBe(hash);
          expect(built.fileControl.entryHash).toBe(entryHashOf(all.map((e) => e.rdfiRoutingNumber)));
          expect(built.fileControl.entryAddendaCount).toBe(all.length);
          expect(built.recordCount % 10).toBe(0);
          expect(built.fileControl.blockCount * 10).toBe(built.recordCount);
          for (const b of built.batches) expect(b.entries.length).toBeLessThanOrEqual(max);

          const read = readNachaFile(built.text);
          expect(read.fileHeader).toEqual(built.fileHeader);
          expect(read.fileControl).toEqual(built.fileControl);
          expect(read.batches.map((b) => b.header)).toEqual(built.batches.map((b) => b.header));
          expect(read.batches.map((b) => b.control)).toEqual(built.batches.map((b) => b.control));
          expect(read.batches.flatMap((b) => b.entries.map((e) => e.entry))).toEqual(
            built.batches.flatMap((b) => b.entries.map((e) => e.entry)),
          );
          // The model survives: every input entry comes back in order with its amount and account.
          expect(
            read.batches.flatMap((b) =>
              b.entries.map((e) => [e.entry.amountCents, e.entry.dfiAccountNumber]),
            ),
          ).toEqual(all.map((e) => [e.amountCents, e.dfiAccountNumber]));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the entry hash keeps only the rightmost ten digits', () => {
    // 200 × 99,999,999-ish RDFI ids sum past ten digits.
    const many = Array.from({ length: 200 }, () => '999999995');
    expect(entryHashOf(many)).toBe((99_999_999 * 200) % 10_000_000_000);
    expect(entryHashOf([ROUTING.chaseNy, ROUTING.usBankMn])).toBe(2_100_002 + 9_100_001);
  });
});
