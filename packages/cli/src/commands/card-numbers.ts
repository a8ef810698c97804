// Card numbers the CLI's load generators tokenize: Luhn-valid and never one of the simulator's
// test cards (ARCHITECTURE.md §5), so the payment network approves them unless a test card is meant.

import { TEST_CARDS } from '@paystream/escrow';
import { luhnCheckDigit } from '@paystream/ingest';

const SPECIAL: ReadonlySet<string> = new Set(Object.values(TEST_CARDS));

/** A distinct Luhn-valid Visa-like number per customer (none of the simulator's special cards). */
export function cardNumber(i: number): string {
  const body = `4716${String(i).padStart(11, '0')}`;
  return `${body}${luhnCheckDigit(body)}`;
}

/** True for the simulator's documented test cards, which approve, decline or flag on purpose. */
export function isTestCard(number: string): boolean {
  return SPECIAL.has(number);
}
