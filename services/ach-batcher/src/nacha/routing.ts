// ABA routing transit numbers: nine digits, the last a check digit over the first eight with
// weights 3-7-1 repeating. sum(d[i] * w[i]) for all nine digits must be a multiple of 10.

import { type FieldRef, fieldError } from './fields.js';

const WEIGHTS = [3, 7, 1, 3, 7, 1, 3, 7] as const;

/** The check digit for an eight-digit RDFI/ODFI identification, or -1 if it is not 8 digits. */
export function checkDigit(first8: string): number {
  if (!/^\d{8}$/.test(first8)) return -1;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (first8.charCodeAt(i) - 48) * (WEIGHTS[i] as number);
  return (10 - (sum % 10)) % 10;
}

export function isValidRoutingNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  // A routing number of all zeros passes the arithmetic but names no bank.
  if (value === '000000000') return false;
  return checkDigit(value.slice(0, 8)) === value.charCodeAt(8) - 48;
}

/** Throws `nacha_invalid_field` naming the record and field when the number fails the checksum. */
export function assertRoutingNumber(value: string, ref: FieldRef): string {
  if (!/^\d{9}$/.test(value)) throw fieldError(ref, value, 'must be a nine-digit ABA routing number');
  if (!isValidRoutingNumber(value)) {
    const expected = checkDigit(value.slice(0, 8));
    throw fieldError(ref, value, `fails the ABA 3-7-1 checksum (check digit should be ${expected})`);
  }
  return value;
}
