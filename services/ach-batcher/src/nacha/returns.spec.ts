import { describe, expect, it } from 'vitest';
import { type BuiltNachaFile, buildNachaFile } from './file.js';
import { generateEntries, ORIGINATOR, ROUTING, sampleFile } from './fixtures.js';
import { lookupReturnCode, makesAccountUnusable, RETURN_CODES } from './return-codes.js';
import { buildReturnFile, type OriginalBatchFacts, parseCorrectedData, parseReturnFile } from './returns.js';

const payouts: BuiltNachaFile = buildNachaFile(sampleFile(generateEntries(4, { mixAccountTypes: false })));
const batch = payouts.batches[0];
if (!batch) throw new Error('fixture has a batch');
const facts: OriginalBatchFacts = {
  secCode: 'PPD',
  companyName: batch.header.companyName,
  companyIdentification: batch.header.companyIdentification,
  companyEntryDescription: batch.header.companyEntryDescription,
  effectiveEntryDate: batch.header.effectiveEntryDate,
};
const original = (i: number) => {
  const e = batch.entries[i];
  if (!e) throw new Error(`no entry ${i}`);
  return e.entry;
};
const base = {
  returningBankRoutingNumber: ROUTING.usBankMn,
  returningBankName: 'US BANK NA',
  odfiRoutingNumber: ORIGINATOR.odfiRoutingNumber,
  odfiName: 'JPMORGAN CHASE BANK',
  fileCreationDate: '2026-03-04',
  fileCreationTime: '0612',
  fileIdModifier: 'A',
};

describe('return codes', () => {
  it('covers the common codes with a description and an account effect', () => {
    for (const c of [
      'R01',
      'R02',
      'R03',
      'R04',
      'R05',
      'R06',
      'R07',
      'R08',
      'R09',
      'R10',
      'R11',
      'R12',
      'R13',
      'R14',
      'R15',
      'R16',
      'R17',
      'R20',
      'R23',
      'R24',
      'R29',
      'R31',
      'R33',
      'R85',
    ]) {
      const info = lookupReturnCode(c);
      expect(info?.title.length, c).toBeGreaterThan(5);
    }
    expect(RETURN_CODES.size).toBeGreaterThanOrEqual(60);
  });
  it('R02/R03/R04/R16/R20 make the account unusable; R01/R09 are retryable and change nothing', () => {
    expect(['R02', 'R03', 'R04', 'R16', 'R20'].map((c) => lookupReturnCode(c)?.account)).toEqual([
      'closed',
      'invalid',
      'invalid',
      'frozen',
      'invalid',
    ]);
    for (const c of ['R02', 'R03', 'R04', 'R16', 'R20'])
      expect(makesAccountUnusable(lookupReturnCode(c) as never)).toBe(true);
    for (const c of ['R01', 'R09'])
      expect(lookupReturnCode(c)).toMatchObject({ account: 'unchanged', retryable: true });
    const retryable = [...RETURN_CODES.values()].filter((r) => r.retryable).map((r) => r.code);
    expect(retryable).toEqual(['R01', 'R09']);
    expect(lookupReturnCode('R99')).toBeUndefined();
  });
});

describe('return files', () => {
  it('writes a return file that reads back as returns with original trace, code and amount', () => {
    const text = buildReturnFile({
      ...base,
      returns: [
        { original: original(0), originalBatch: facts, returnCode: 'R03' },
        { original: original(2), originalBatch: facts, returnCode: 'R01' },
        { original: original(3), originalBatch: facts, returnCode: 'R15', dateOfDeath: '2026-02-20' },
      ],
    });
    const parsed = parseReturnFile(text);
    expect(parsed.unexpected).toEqual([]);
    expect(
      parsed.returns.map((r) => [
        r.originalTraceNumber,
        r.returnCode,
        r.amountCents,
        r.reason.account,
        r.originalWasCredit,
      ]),
    ).toEqual([
      [original(0).traceNumber, 'R03', original(0).amountCents, 'invalid', true],
      [original(2).traceNumber, 'R01', original(2).amountCents, 'unchanged', true],
      [original(3).traceNumber, 'R15', original(3).amountCents, 'closed', true],
    ]);
    expect(parsed.returns[2]?.dateOfDeath).toBe('2026-02-20');
    expect(parsed.returns[0]?.transactionCode).toBe(21);
    expect(parsed.returns[0]?.accountLast4).toBe(original(0).dfiAccountNumber.slice(-4));
    expect(parsed.returns[0]?.originalRdfiIdentification).toBe(original(0).rdfiRoutingNumber.slice(0, 8));
    expect(parsed.file.fileControl.totalCreditCents).toBe(
      original(0).amountCents + original(2).amountCents + original(3).amountCents,
    );
  });

  it('reads notifications of change C01–C07 into corrected routing, account and type', () => {
    const corrections = [
      { changeCode: 'C01', correction: { accountNumber: '55500012' } },
      { changeCode: 'C02', correction: { routingNumber: ROUTING.fedBoston } },
      { changeCode: 'C03', correction: { routingNumber: ROUTING.wellsFargoTx, accountNumber: '7700001234' } },
      { changeCode: 'C04', correction: { name: 'MARIA GARCIA-LOPEZ' } },
      { changeCode: 'C05', correction: { transactionCode: 32 as const } },
      { changeCode: 'C06', correction: { accountNumber: '31415926', transactionCode: 32 as const } },
      {
        changeCode: 'C07',
        correction: {
          routingNumber: ROUTING.bankOfAmericaNy,
          accountNumber: '271828182845',
          transactionCode: 32 as const,
        },
      },
    ];
    const text = buildReturnFile({
      ...base,
      returns: [],
      corrections: corrections.map((c, i) => ({ original: original(i % 4), originalBatch: facts, ...c })),
    });
    const parsed = parseReturnFile(text);
    expect(parsed.file.batches[0]?.header.secCode).toBe('COR');
    expect(parsed.corrections.map((c) => c.changeCode)).toEqual(corrections.map((c) => c.changeCode));
    expect(parsed.corrections.map((c) => c.correction)).toEqual([
      { accountNumber: '55500012' },
      { routingNumber: ROUTING.fedBoston },
      { routingNumber: ROUTING.wellsFargoTx, accountNumber: '7700001234' },
      { name: 'MARIA GARCIA-LOPEZ' },
      { transactionCode: 32, accountType: 'savings' },
      { accountNumber: '31415926', transactionCode: 32, accountType: 'savings' },
      {
        routingNumber: ROUTING.bankOfAmericaNy,
        accountNumber: '271828182845',
        transactionCode: 32,
        accountType: 'savings',
      },
    ]);
    expect(parsed.file.fileControl.totalCreditCents + parsed.file.fileControl.totalDebitCents).toBe(0);
  });

  it('reads moov-style right-aligned corrected data the same way', () => {
    expect(parseCorrectedData('C06', `${'31415926'.padEnd(27, ' ')}32`, 4)).toEqual({
      accountNumber: '31415926',
      transactionCode: 32,
      accountType: 'savings',
    });
    expect(() => parseCorrectedData('C02', '021000022', 4)).toThrow(/checksum/);
  });

  it('reports an entry that is neither a return nor a NOC instead of dropping it', () => {
    const parsed = parseReturnFile(payouts.text);
    expect(parsed.returns).toEqual([]);
    expect(parsed.unexpected).toHaveLength(4);
    expect(parsed.unexpected[0]?.traceNumber).toBe(original(0).traceNumber);
  });

  it('reports an undefined return code instead of guessing', () => {
    const text = buildReturnFile({
      ...base,
      returns: [{ original: original(0), originalBatch: facts, returnCode: 'R02' }],
    }).replace('799R02', '799R48');
    const parsed = parseReturnFile(text);
    expect(parsed.returns).toEqual([]);
    expect(parsed.unexpected[0]?.reason).toMatch(/R48/);
  });

  it('refuses to write an unknown return code', () => {
    expect(() =>
      buildReturnFile({
        ...base,
        returns: [{ original: original(0), originalBatch: facts, returnCode: 'R48' }],
      }),
    ).toThrow(/R48/);
  });
});
