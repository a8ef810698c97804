import { PaystreamError } from '@paystream/core';
import { describe, expect, it } from 'vitest';
import { alpha, exactDigits, maskValue, numeric, readNumeric, yymmdd } from './fields.js';

const ref = { record: 'EntryDetail', field: 'receiverName' };

function caught(fn: () => unknown): PaystreamError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PaystreamError) return e;
    throw e;
  }
  throw new Error('expected a PaystreamError');
}

describe('fixed-width fields', () => {
  it('pads alpha fields on the right and numeric fields on the left', () => {
    expect(alpha('ACME', 8, ref)).toBe('ACME    ');
    expect(numeric(1234, 10, ref)).toBe('0000001234');
  });

  it('rejects an alpha value that does not fit instead of truncating it', () => {
    const err = caught(() => alpha('NORTHSIDE TUTORS INCORPORATED', 22, ref));
    expect(err.code).toBe('nacha_invalid_field');
    expect(err.field).toBe('EntryDetail.receiverName');
    expect(err.message).toContain('NORTHSIDE TUTORS INCORPORATED');
    expect(err.message).toContain('holds 22');
  });

  it('rejects characters outside printable ASCII (no silent transliteration)', () => {
    expect(caught(() => alpha('JOSÉ GARCÍA', 22, ref)).code).toBe('nacha_invalid_field');
    expect(caught(() => alpha('TAB\tNAME', 22, ref)).code).toBe('nacha_invalid_field');
  });

  it('rejects numbers that overflow, are negative or are not integers', () => {
    expect(caught(() => numeric(10_000_000_000, 10, ref)).message).toContain('11 digits');
    expect(caught(() => numeric(-1, 10, ref)).code).toBe('nacha_invalid_field');
    expect(caught(() => numeric(12.5, 10, ref)).code).toBe('nacha_invalid_field');
  });

  it('requires digit fields to be exactly their width', () => {
    expect(exactDigits('02100002', 8, ref)).toBe('02100002');
    expect(caught(() => exactDigits('2100002', 8, ref)).code).toBe('nacha_invalid_field');
    expect(caught(() => exactDigits('0210000A', 8, ref)).code).toBe('nacha_invalid_field');
  });

  it('reads blanks in a numeric field as an error, not as zero', () => {
    expect(caught(() => readNumeric(`${' '.repeat(10)}`, 1, 10, { ...ref, line: 7 })).message).toContain(
      'line 7',
    );
  });

  it('never shows a full account number in an error', () => {
    const err = caught(() =>
      alpha('123456789012345678', 17, { record: 'EntryDetail', field: 'dfiAccountNumber', sensitive: true }),
    );
    expect(err.message).not.toContain('123456789012345678');
    expect(err.message).toContain('5678');
    expect(maskValue('123456789')).toBe('*****6789');
  });

  it('formats dates as YYMMDD and refuses impossible ones', () => {
    expect(yymmdd('2026-03-02', ref)).toBe('260302');
    expect(caught(() => yymmdd('2026-02-30', ref)).code).toBe('nacha_invalid_field');
  });
});
