// Cross-check against an independent NACHA implementation: moov-io/ach's `achcli`, built from
// the Go module proxy at a pinned version into ~/.cache/paystream/go-bin. Every file Paystream
// writes must be read by achcli with no error, and achcli's own reading of the totals must
// agree with ours. If Go is missing this suite FAILS (never skips), naming what is missing.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltNachaFile, buildNachaFile, type NachaFileInput } from '../src/nacha/file.js';
import { generateEntries, ORIGINATOR, ROUTING, sampleFile } from '../src/nacha/fixtures.js';
import { buildReturnFile, parseReturnFile } from '../src/nacha/returns.js';
import { ACH_VERSION, type AchcliJson, ensureAchcli, validateWithAchcli as validate } from './achcli.js';

let achcli = '';
let workDir = '';

beforeAll(() => {
  achcli = ensureAchcli();
  workDir = mkdtempSync(join(tmpdir(), 'paystream-achcli-'));
}, 300_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function validateWithAchcli(name: string, text: string): AchcliJson {
  return validate(achcli, workDir, name, text);
}

function agrees(theirs: AchcliJson, ours: BuiltNachaFile): void {
  expect(theirs.fileControl).toMatchObject({
    batchCount: ours.fileControl.batchCount,
    blockCount: ours.fileControl.blockCount,
    entryAddendaCount: ours.fileControl.entryAddendaCount,
    entryHash: ours.fileControl.entryHash,
    totalDebit: ours.fileControl.totalDebitCents,
    totalCredit: ours.fileControl.totalCreditCents,
  });
  expect(
    theirs.batches.flatMap((b) => b.entryDetails.map((e) => [e.traceNumber, e.amount, e.transactionCode])),
  ).toEqual(
    ours.batches.flatMap((b) =>
      b.entries.map((e) => [e.entry.traceNumber, e.entry.amountCents, e.entry.transactionCode]),
    ),
  );
}

function check(name: string, input: NachaFileInput): { ours: BuiltNachaFile; theirs: AchcliJson } {
  const ours = buildNachaFile(input);
  const theirs = validateWithAchcli(name, ours.text);
  agrees(theirs, ours);
  return { ours, theirs };
}

describe(`moov-io/ach achcli ${ACH_VERSION} accepts every file Paystream writes`, () => {
  it('reports the pinned version', () => {
    expect(execFileSync(achcli, ['-version'], { encoding: 'utf8' })).toContain(ACH_VERSION);
  });

  it('one entry', () => {
    check('one-entry', sampleFile(generateEntries(1)));
  });

  it('many providers, checking and savings credits (22/32), PPD', () => {
    const { ours } = check('many-providers', sampleFile(generateEntries(400, { seed: 3 })));
    const codes = new Set(ours.batches.flatMap((b) => b.entries.map((e) => e.entry.transactionCode)));
    expect([...codes].sort()).toEqual([22, 32]);
  });

  it('more than 2,500 entries forces several batches', () => {
    const { theirs } = check('several-batches', sampleFile(generateEntries(7_600, { seed: 11 })));
    expect(theirs.batches.map((b) => b.entryDetails.length)).toEqual([2500, 2500, 2500, 100]);
  });

  it('PPD and CCD, credits (22/32) and debits (27/37), with an addenda 05, in one file', () => {
    const [withAddenda, ...rest] = generateEntries(20, { business: true, seed: 5 });
    if (!withAddenda) throw new Error('fixture');
    const { theirs } = check(
      'ppd-ccd-credits-debits',
      sampleFile([], {
        batches: [
          {
            secCode: 'PPD',
            companyEntryDescription: 'PAYOUT',
            effectiveEntryDate: '2026-03-03',
            entries: generateEntries(30, { seed: 9 }),
          },
          {
            secCode: 'CCD',
            companyEntryDescription: 'PAYOUT',
            effectiveEntryDate: '2026-03-03',
            entries: [{ ...withAddenda, paymentRelatedInformation: 'PAYOUT FOR 14 JOBS FEB 2026' }, ...rest],
          },
          {
            secCode: 'PPD',
            companyEntryDescription: 'FEE COLLCT',
            effectiveEntryDate: '2026-03-03',
            entries: generateEntries(25, { debits: true, seed: 13 }),
          },
          {
            secCode: 'CCD',
            companyEntryDescription: 'ADJUSTMENT',
            effectiveEntryDate: '2026-03-03',
            entries: [
              ...generateEntries(5, { business: true, seed: 17 }),
              ...generateEntries(5, { business: true, debits: true, seed: 19 }),
            ],
          },
        ],
      }),
    );
    expect(
      theirs.batches.map((b) => [b.batchHeader.standardEntryClassCode, b.batchHeader.serviceClassCode]),
    ).toEqual([
      ['PPD', 220],
      ['CCD', 220],
      ['PPD', 225],
      ['CCD', 200],
    ]);
    const codes = new Set(theirs.batches.flatMap((b) => b.entryDetails.map((e) => e.transactionCode)));
    expect([...codes].sort()).toEqual([22, 27, 32, 37]);
  });

  it('a ten-character company origin id and a late file ID modifier', () => {
    check(
      'origin-id',
      sampleFile(generateEntries(3), {
        originator: { ...ORIGINATOR, immediateOrigin: '1465123987' },
        fileIdModifier: '7',
      }),
    );
  });

  it('a return and NOC file we write parses in achcli and back in our reader', () => {
    const payouts = buildNachaFile(sampleFile(generateEntries(6, { seed: 21 })));
    const b = payouts.batches[0];
    if (!b) throw new Error('fixture');
    const facts = {
      secCode: 'PPD' as const,
      companyName: b.header.companyName,
      companyIdentification: b.header.companyIdentification,
      companyEntryDescription: b.header.companyEntryDescription,
      effectiveEntryDate: b.header.effectiveEntryDate,
    };
    const e = (i: number) => (b.entries[i] as { entry: (typeof b.entries)[number]['entry'] }).entry;
    const text = buildReturnFile({
      returningBankRoutingNumber: ROUTING.usBankMn,
      returningBankName: 'US BANK NA',
      odfiRoutingNumber: ORIGINATOR.odfiRoutingNumber,
      odfiName: 'JPMORGAN CHASE BANK',
      fileCreationDate: '2026-03-05',
      fileCreationTime: '0610',
      fileIdModifier: 'A',
      returns: [
        { original: e(0), originalBatch: facts, returnCode: 'R01' },
        { original: e(1), originalBatch: facts, returnCode: 'R02' },
        { original: e(2), originalBatch: facts, returnCode: 'R03' },
        { original: e(3), originalBatch: facts, returnCode: 'R16' },
      ],
      corrections: [
        {
          original: e(4),
          originalBatch: facts,
          changeCode: 'C02',
          correction: { routingNumber: ROUTING.fedBoston },
        },
        {
          original: e(5),
          originalBatch: facts,
          changeCode: 'C07',
          correction: {
            routingNumber: ROUTING.wellsFargoTx,
            accountNumber: '7700001234',
            transactionCode: 32,
          },
        },
      ],
    });
    const theirs = validateWithAchcli('returns', text);
    expect(theirs.batches.flatMap((x) => x.entryDetails.map((d) => d.category))).toEqual([
      'Return',
      'Return',
      'Return',
      'Return',
      'NOC',
      'NOC',
    ]);
    const ours = parseReturnFile(text);
    expect(ours.returns.map((r) => [r.returnCode, r.originalTraceNumber])).toEqual([
      ['R01', e(0).traceNumber],
      ['R02', e(1).traceNumber],
      ['R03', e(2).traceNumber],
      ['R16', e(3).traceNumber],
    ]);
    expect(ours.corrections.map((c) => c.correction.routingNumber)).toEqual([
      ROUTING.fedBoston,
      ROUTING.wellsFargoTx,
    ]);
    expect(theirs.fileControl.totalCredit).toBe(ours.file.fileControl.totalCreditCents);
  });
});
