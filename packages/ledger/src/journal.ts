// Journal entries: the only way money moves. The types mirror JournalEntryPosted.avsc exactly,
// so an entry built here is the event payload. journalEntry() is the one constructor and it
// refuses anything that is not a balanced, integer, known-account entry: an unbalanced entry
// can never exist as a value, so it can never be posted.

import { deterministicId, isCurrency, PaystreamError } from '@paystream/core';
import { isAccount } from './accounts.js';

/** One line of an entry. amountMinor: debit positive, credit negative, never zero. */
export interface Posting {
  readonly account: string;
  readonly amountMinor: number;
  readonly currency: string;
}

/** The JournalEntryPosted payload (JournalEntryPosted.avsc). */
export interface JournalEntry {
  readonly entryId: string;
  readonly description: string;
  readonly sourceEventId: string;
  readonly postings: readonly Posting[];
}

export interface JournalEntryInput {
  /** The event that caused this money movement; the entry id derives from it alone. */
  readonly sourceEventId: string;
  readonly description: string;
  readonly postings: readonly Posting[];
}

/**
 * Upper bound on postings per entry. The widest entry Paystream writes today has three lines
 * (a release with a fee); ACH netting may write one per provider. A bound keeps a bug from
 * producing an entry too large for one log record.
 */
export const MAX_POSTINGS_PER_ENTRY = 1_000;

export function debit(account: string, amountMinor: number, currency: string): Posting {
  return { account, amountMinor, currency };
}

export function credit(account: string, amountMinor: number, currency: string): Posting {
  return { account, amountMinor: -amountMinor, currency };
}

/** The entry id for a source event: a redelivered event maps to the same entry, never a second one. */
export function entryIdFor(sourceEventId: string): string {
  return deterministicId('je', sourceEventId);
}

/** Builds a journal entry, or throws a PaystreamError naming what is wrong with it. */
export function journalEntry(input: JournalEntryInput): JournalEntry {
  if (typeof input.sourceEventId !== 'string' || input.sourceEventId.length === 0) {
    throw new PaystreamError(
      'invalid_entry',
      'a journal entry needs the id of the event that caused it',
      'sourceEventId',
    );
  }
  if (input.postings.length === 0) {
    throw new PaystreamError('empty_entry', 'a journal entry needs at least two postings', 'postings');
  }
  if (input.postings.length > MAX_POSTINGS_PER_ENTRY) {
    throw new PaystreamError(
      'entry_too_large',
      `a journal entry has at most ${MAX_POSTINGS_PER_ENTRY} postings, got ${input.postings.length}`,
      'postings',
    );
  }

  // Sum per currency in BigInt: a sum of safe integers need not be safe, and an overflow here
  // would turn an unbalanced entry into an apparently balanced one.
  const sums = new Map<string, bigint>();
  input.postings.forEach((p, i) => {
    const field = `postings[${i}]`;
    if (!Number.isSafeInteger(p.amountMinor)) {
      throw new PaystreamError(
        'invalid_amount',
        `posting amounts are integer minor units, got ${p.amountMinor}`,
        `${field}.amountMinor`,
      );
    }
    if (p.amountMinor === 0) {
      throw new PaystreamError(
        'invalid_amount',
        'a posting moves money: zero is not allowed',
        `${field}.amountMinor`,
      );
    }
    if (!isCurrency(p.currency)) {
      throw new PaystreamError(
        'unsupported_currency',
        `${JSON.stringify(p.currency)} is not a supported ISO 4217 code`,
        `${field}.currency`,
      );
    }
    if (!isAccount(p.account)) {
      throw new PaystreamError(
        'unknown_account',
        `${JSON.stringify(p.account)} is not in the chart of accounts`,
        `${field}.account`,
      );
    }
    sums.set(p.currency, (sums.get(p.currency) ?? 0n) + BigInt(p.amountMinor));
  });

  for (const [currency, sum] of sums) {
    if (sum !== 0n) {
      throw new PaystreamError(
        'unbalanced_entry',
        `postings in ${currency} sum to ${sum}, not zero: debits must equal credits per currency`,
        'postings',
      );
    }
  }

  return Object.freeze({
    entryId: entryIdFor(input.sourceEventId),
    description: input.description,
    sourceEventId: input.sourceEventId,
    postings: Object.freeze(input.postings.map((p) => Object.freeze({ ...p }))),
  });
}

/** The catalog's name for the same payload. */
export type JournalEntryPosted = JournalEntry;
