// Fixed-width NACHA field helpers. Every record is exactly 94 ASCII characters; each field has a
// fixed position and width. These helpers refuse rather than repair: a value that does not fit
// its field, or holds a character NACHA does not allow, is an error naming the record, the field
// and the value. Nothing is truncated, upper-cased or zero-filled behind the caller's back.

import { PaystreamError } from '@paystream/core';

export const RECORD_LENGTH = 94;
export const BLOCKING_FACTOR = 10;

/** Where a value lives: which record type, which field, and (when reading) which line. */
export interface FieldRef {
  readonly record: string;
  readonly field: string;
  readonly line?: number;
  /** Account numbers: shown as their last four characters only (ARCHITECTURE.md §3.3). */
  readonly sensitive?: boolean;
}

/** Mask a sensitive value so that error messages never carry a full account number. */
export function maskValue(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length <= 4) return '*'.repeat(trimmed.length);
  return `${'*'.repeat(trimmed.length - 4)}${trimmed.slice(-4)}`;
}

function shown(ref: FieldRef, value: string): string {
  return JSON.stringify(ref.sensitive ? maskValue(value) : value);
}

/** The one way this module reports a bad field: stable code, record + field + value, line when known. */
export function fieldError(ref: FieldRef, value: string, problem: string): PaystreamError {
  const where = ref.line === undefined ? '' : ` (line ${ref.line})`;
  const shownValue = ref.sensitive ? maskValue(value) : value;
  return new PaystreamError(
    'nacha_invalid_field',
    `${ref.record}.${ref.field}${where}: ${shown(ref, value)} ${problem}`,
    `${ref.record}.${ref.field}`,
    {
      record: ref.record,
      field: ref.field,
      value: shownValue,
      ...(ref.line === undefined ? {} : { line: ref.line }),
    },
  );
}

// NACHA's alphameric set: upper and lower case letters, digits, space and the printable ASCII
// punctuation (0x20..0x7E). moov-io/ach accepts the same set.
function isAlphameric(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function isDigits(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Left-justified, space-filled alphameric field. */
export function alpha(value: string, width: number, ref: FieldRef): string {
  if (value.length > width) {
    throw fieldError(ref, value, `is ${value.length} characters; the field holds ${width}`);
  }
  if (!isAlphameric(value)) {
    throw fieldError(ref, value, 'contains a character outside the NACHA alphameric set (printable ASCII)');
  }
  return value.length === width ? value : value + ' '.repeat(width - value.length);
}

/** Left-justified alphameric field that must not be blank. */
export function requiredAlpha(value: string, width: number, ref: FieldRef): string {
  if (value.trim().length === 0) throw fieldError(ref, value, 'is required and must not be blank');
  return alpha(value, width, ref);
}

/** Right-justified, zero-filled non-negative integer (amounts in cents, counts, hashes). */
export function numeric(value: number, width: number, ref: FieldRef): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw fieldError(ref, String(value), 'must be a non-negative integer');
  }
  const digits = String(value);
  if (digits.length > width) {
    throw fieldError(ref, digits, `has ${digits.length} digits; the field holds ${width}`);
  }
  return digits.length === width ? digits : '0'.repeat(width - digits.length) + digits;
}

/** A string of digits of exactly `width` characters (routing prefixes, trace numbers, codes). */
export function exactDigits(value: string, width: number, ref: FieldRef): string {
  if (value.length !== width || !isDigits(value)) {
    throw fieldError(ref, value, `must be exactly ${width} digits`);
  }
  return value;
}

/** A field with one fixed legal value (record type codes, "094", "10"). */
export function constant(value: string, expected: string, ref: FieldRef): string {
  if (value !== expected) throw fieldError(ref, value, `must be ${JSON.stringify(expected)}`);
  return value;
}

// ---------- reading ----------

/** 1-based inclusive positions, as the NACHA tables and moov-io/ach comments write them. */
export function slice(line: string, from: number, to: number): string {
  return line.slice(from - 1, to);
}

/** Read an alphameric field, trimming the space fill on the right. */
export function readAlpha(line: string, from: number, to: number, ref: FieldRef): string {
  const raw = slice(line, from, to);
  if (!isAlphameric(raw)) throw fieldError(ref, raw, 'contains a character outside the NACHA alphameric set');
  return raw.trimEnd();
}

/** Read a numeric field; every position must be a digit (blank is not zero). */
export function readNumeric(line: string, from: number, to: number, ref: FieldRef): number {
  const raw = slice(line, from, to);
  if (!isDigits(raw)) throw fieldError(ref, raw, `must be ${to - from + 1} digits`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw fieldError(ref, raw, 'is too large');
  return n;
}

/** Read a field that must be all digits and keep it as a string (leading zeros matter). */
export function readDigits(line: string, from: number, to: number, ref: FieldRef): string {
  const raw = slice(line, from, to);
  if (!isDigits(raw)) throw fieldError(ref, raw, `must be ${to - from + 1} digits`);
  return raw;
}

export function assertRecordLength(line: string, ref: FieldRef): void {
  if (line.length !== RECORD_LENGTH) {
    throw new PaystreamError(
      'nacha_invalid_record',
      `${ref.record}${ref.line === undefined ? '' : ` (line ${ref.line})`}: record is ${line.length} characters; NACHA records are ${RECORD_LENGTH}`,
      ref.record,
      { record: ref.record, ...(ref.line === undefined ? {} : { line: ref.line }), length: line.length },
    );
  }
}

/** Assert that a formatted record came out at exactly 94 characters: a bug otherwise, never input. */
export function assembled(record: string, name: string): string {
  if (record.length !== RECORD_LENGTH) {
    throw new Error(
      `invariant violated: formatted ${name} is ${record.length} characters, not ${RECORD_LENGTH}`,
    );
  }
  return record;
}

// ---------- dates ----------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Calendar date "YYYY-MM-DD" → NACHA "YYMMDD", rejecting impossible dates. */
export function yymmdd(isoDate: string, ref: FieldRef): string {
  const m = ISO_DATE.exec(isoDate);
  if (!m) throw fieldError(ref, isoDate, 'must be a calendar date YYYY-MM-DD');
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  if (!isRealDate(Number(y), Number(mo), Number(d)))
    throw fieldError(ref, isoDate, 'is not a real calendar date');
  const year = Number(y);
  if (year < 2000 || year > 2099)
    throw fieldError(ref, isoDate, 'must fall in 2000..2099 (NACHA dates carry two year digits)');
  return `${y.slice(2)}${mo}${d}`;
}

/** NACHA "YYMMDD" → "20YY-MM-DD". Two-digit years are read as 20YY, as every live ACH file is. */
export function readYymmdd(line: string, from: number, to: number, ref: FieldRef): string {
  const raw = readDigits(line, from, to, ref);
  const y = 2000 + Number(raw.slice(0, 2));
  const mo = Number(raw.slice(2, 4));
  const d = Number(raw.slice(4, 6));
  if (!isRealDate(y, mo, d)) throw fieldError(ref, raw, 'is not a real YYMMDD date');
  return `${y}-${raw.slice(2, 4)}-${raw.slice(4, 6)}`;
}

export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= dim;
}

/** A FieldRef factory for one record type, so every error names its record the same way. */
export function refsFor(record: string): (field: string, line?: number, sensitive?: boolean) => FieldRef {
  return (field, line, sensitive = false) =>
    line === undefined ? { record, field, sensitive } : { record, field, line, sensitive };
}
