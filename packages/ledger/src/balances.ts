// Balances are a fold over postings and nothing else (ARCHITECTURE.md §3.2). There is no "set balance"
// operation anywhere: to know what an account holds, replay its postings.

import { invariant } from '@paystream/core';
import type { JournalEntry, Posting } from './journal.js';

/** account → currency → signed balance in minor units (debit positive). */
export type Balances = ReadonlyMap<string, ReadonlyMap<string, number>>;

export const emptyBalances: Balances = new Map();

function copy(balances: Balances): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const [account, perCurrency] of balances) out.set(account, new Map(perCurrency));
  return out;
}

function addPosting(into: Map<string, Map<string, number>>, p: Posting): void {
  let perCurrency = into.get(p.account);
  if (perCurrency === undefined) {
    perCurrency = new Map();
    into.set(p.account, perCurrency);
  }
  const next = (perCurrency.get(p.currency) ?? 0) + p.amountMinor;
  // Balances beyond 2^53 minor units (90 trillion dollars) would silently lose cents.
  invariant(
    Number.isSafeInteger(next),
    `balance of ${p.account} in ${p.currency} left the safe-integer range`,
  );
  perCurrency.set(p.currency, next);
}

/** Folds postings into balances. Pure: `initial` is not modified. */
export function foldPostings(postings: Iterable<Posting>, initial: Balances = emptyBalances): Balances {
  const out = copy(initial);
  for (const p of postings) addPosting(out, p);
  return out;
}

/** Folds journal entries into balances. Pure: `initial` is not modified. */
export function foldEntries(entries: Iterable<JournalEntry>, initial: Balances = emptyBalances): Balances {
  const out = copy(initial);
  for (const e of entries) for (const p of e.postings) addPosting(out, p);
  return out;
}

export function balanceOf(balances: Balances, account: string, currency: string): number {
  return balances.get(account)?.get(currency) ?? 0;
}

export interface CurrencyTrialBalance {
  readonly currency: string;
  /** Sum of all debit (positive) account balances. */
  readonly debits: number;
  /** Sum of all credit (negative) account balances, as a positive number. */
  readonly credits: number;
}

export interface TrialBalance {
  /** True when debits equal credits in every currency. */
  readonly balanced: boolean;
  /** One line per currency that has any postings, sorted by currency code. */
  readonly currencies: readonly CurrencyTrialBalance[];
}

/** The trial balance of a set of balances: the shape of GET /v1/ledger/trial-balance. */
export function trialBalance(balances: Balances): TrialBalance {
  const totals = new Map<string, { debits: number; credits: number }>();
  for (const perCurrency of balances.values()) {
    for (const [currency, balance] of perCurrency) {
      const t = totals.get(currency) ?? { debits: 0, credits: 0 };
      if (balance > 0) t.debits += balance;
      else t.credits -= balance;
      invariant(
        Number.isSafeInteger(t.debits) && Number.isSafeInteger(t.credits),
        `trial balance in ${currency} left the safe-integer range`,
      );
      totals.set(currency, t);
    }
  }
  const currencies = [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, t]) => ({ currency, debits: t.debits, credits: t.credits }));
  return { balanced: currencies.every((c) => c.debits === c.credits), currencies };
}
