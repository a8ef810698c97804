import { PaystreamError } from '@paystream/core';
import { describe, expect, it } from 'vitest';
import { buildNachaFile } from './file.js';
import { generateEntries, sampleFile } from './fixtures.js';
import { inspectNachaFile, type NachaIssue, readNachaFile } from './reader.js';

const good = buildNachaFile({ ...sampleFile(generateEntries(5)), maxEntriesPerBatch: 3 }).text;
const lines = () => good.trimEnd().split('\n');
const join = (ls: string[]) => `${ls.join('\n')}\n`;
const replaceAt = (line: string, from: number, value: string) =>
  line.slice(0, from - 1) + value + line.slice(from - 1 + value.length);

function issuesOf(text: string): NachaIssue[] {
  return inspectNachaFile(text).issues;
}

describe('readNachaFile', () => {
  it('reads back a good file with no issues, CRLF line endings too', () => {
    expect(issuesOf(good)).toEqual([]);
    expect(readNachaFile(good.replaceAll('\n', '\r\n')).batches).toHaveLength(2);
  });

  it('catches a changed amount: both controls disagree, naming line, record and field', () => {
    const ls = lines();
    ls[2] = replaceAt(ls[2] as string, 30, '0000000001');
    const issues = issuesOf(join(ls));
    expect(issues.map((i) => `${i.record}.${i.field}@${i.line}`)).toEqual([
      'BatchControl.totalCreditCents@6',
      'FileControl.totalCreditCents@11',
    ]);
    expect(issues[0]?.code).toBe('nacha_control_mismatch');
  });

  it('catches a changed RDFI routing number through the check digit', () => {
    const ls = lines();
    ls[3] = replaceAt(ls[3] as string, 4, '12345678');
    const [first] = issuesOf(join(ls));
    expect(first).toMatchObject({
      record: 'EntryDetail',
      field: 'rdfiRoutingNumber',
      line: 4,
      code: 'nacha_invalid_field',
    });
  });

  it('catches a consistent edit of routing number that breaks only the entry hash', () => {
    // Swap in another valid routing number: the record is fine, the hashes are not.
    const ls = lines();
    const other = (ls[2] as string).slice(3, 12) === '011000015' ? '091000019' : '011000015';
    ls[2] = replaceAt(ls[2] as string, 4, other);
    const fields = issuesOf(join(ls)).map((i) => `${i.record}.${i.field}`);
    expect(fields).toEqual(['BatchControl.entryHash', 'FileControl.entryHash']);
  });

  it('reports records of the wrong length and unknown record types', () => {
    const ls = lines();
    ls[2] = (ls[2] as string).slice(0, 93);
    ls[3] = `4${(ls[3] as string).slice(1)}`;
    const issues = issuesOf(join(ls));
    expect(issues[0]).toMatchObject({ line: 3, code: 'nacha_invalid_record' });
    expect(issues.some((i) => i.line === 4 && i.field === 'recordType')).toBe(true);
  });

  it('requires trace numbers to ascend and to start with the ODFI', () => {
    const ls = lines();
    const t2 = (ls[2] as string).slice(79);
    ls[2] = replaceAt(ls[2] as string, 80, (ls[3] as string).slice(79));
    ls[3] = replaceAt(ls[3] as string, 80, t2);
    expect(issuesOf(join(ls)).some((i) => i.field === 'traceNumber' && /ascend/.test(i.message))).toBe(true);
    const ls2 = lines();
    ls2[2] = replaceAt(ls2[2] as string, 80, '091000010000001');
    expect(issuesOf(join(ls2)).some((i) => i.field === 'traceNumber' && /ODFI/.test(i.message))).toBe(true);
  });

  it('requires the file to be whole blocks of ten and padding to be nines', () => {
    const ls = lines();
    const short = issuesOf(join(ls.slice(0, -1)));
    expect(short.map((i) => i.field)).toEqual(['blockCount']);
    expect(short[0]?.message).toMatch(/19 records is not a multiple of the blocking factor 10/);
    const ls2 = lines();
    ls2[ls2.length - 1] = `9${' '.repeat(93)}`;
    expect(issuesOf(join(ls2))[0]?.message).toMatch(/padding/);
  });

  it('reports a missing file control and a batch without control', () => {
    const ls = lines().filter((l) => l[0] !== '9' && l[0] !== '8');
    const msgs = issuesOf(join(ls)).map((i) => i.message);
    expect(msgs.some((m) => /no batch control/.test(m))).toBe(true);
    expect(msgs.some((m) => /no file control/.test(m))).toBe(true);
  });

  it('a debit in a credits-only batch is an error', () => {
    const ls = lines();
    ls[2] = replaceAt(ls[2] as string, 2, '27');
    expect(issuesOf(join(ls)).some((i) => i.field === 'transactionCode' && /220/.test(i.message))).toBe(true);
  });

  it('throws nacha_invalid_file carrying every issue, and never a full account number', () => {
    const ls = lines();
    const account = (ls[2] as string).slice(12, 29).trim();
    ls[2] = replaceAt(ls[2] as string, 13, `${account.slice(0, -1)}é`);
    try {
      readNachaFile(join(ls));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PaystreamError);
      const err = e as PaystreamError;
      expect(err.code).toBe('nacha_invalid_file');
      expect(err.field).toBe('EntryDetail.dfiAccountNumber');
      expect(err.message).toContain('line 3');
      expect(err.message).not.toContain(account.slice(0, -1));
      expect(JSON.stringify(err.details)).not.toContain(account.slice(0, -1));
    }
  });

  it('an empty input is an error, not an empty file', () => {
    expect(() => readNachaFile('')).toThrow(/empty/);
  });
});
