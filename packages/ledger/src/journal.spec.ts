import { PaystreamError } from '@paystream/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS, accountKind, providerOfAccount, providerPayable } from './accounts.js';
import { credit, debit, entryIdFor, journalEntry, type Posting } from './journal.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof PaystreamError) return e.code;
    throw e;
  }
  throw new Error('expected a PaystreamError, nothing was thrown');
}

const walker = providerPayable('prov_walkies');

describe('chart of accounts', () => {
  it('names every account of ARCHITECTURE.md §4 and knows its kind', () => {
    expect(accountKind(ACCOUNTS.gatewayClearing)).toBe('asset');
    expect(accountKind(ACCOUNTS.bankOperating)).toBe('asset');
    expect(accountKind(ACCOUNTS.escrowHeld)).toBe('liability');
    expect(accountKind(ACCOUNTS.achInTransit)).toBe('clearing');
    expect(accountKind(ACCOUNTS.platformFees)).toBe('revenue');
    expect(accountKind(ACCOUNTS.expenseProcessing)).toBe('expense');
    expect(walker).toBe('provider:prov_walkies:payable');
    expect(accountKind(walker)).toBe('liability');
    expect(providerOfAccount(walker)).toBe('prov_walkies');
    expect(providerOfAccount(ACCOUNTS.escrowHeld)).toBeNull();
  });

  it('refuses provider ids that would break the account name, and unknown accounts', () => {
    expect(codeOf(() => providerPayable('a:b'))).toBe('invalid_provider_id');
    expect(codeOf(() => providerPayable(''))).toBe('invalid_provider_id');
    expect(codeOf(() => accountKind('cash:drawer'))).toBe('unknown_account');
  });
});

describe('journalEntry', () => {
  it('builds the ARCHITECTURE.md §4.1 example: capture $100 then release with an 8% fee', () => {
    const capture = journalEntry({
      sourceEventId: 'evt_capture_1',
      description: 'capture of a $100.00 house-cleaning booking',
      postings: [debit(ACCOUNTS.gatewayClearing, 100_00, 'USD'), credit(ACCOUNTS.escrowHeld, 100_00, 'USD')],
    });
    expect(capture.postings.map((p) => p.amountMinor)).toEqual([100_00, -100_00]);
    expect(capture.entryId).toBe(entryIdFor('evt_capture_1'));

    const release = journalEntry({
      sourceEventId: 'evt_release_1',
      description: 'release to the cleaner less the 8% platform fee',
      postings: [
        debit(ACCOUNTS.escrowHeld, 100_00, 'USD'),
        credit(walker, 92_00, 'USD'),
        credit(ACCOUNTS.platformFees, 8_00, 'USD'),
      ],
    });
    expect(release.postings).toHaveLength(3);
  });

  it('derives the entry id from the source event only, so a redelivery maps to the same entry', () => {
    const postings = [
      debit(ACCOUNTS.gatewayClearing, 125_00, 'USD'),
      credit(ACCOUNTS.escrowHeld, 125_00, 'USD'),
    ];
    const a = journalEntry({ sourceEventId: 'evt_a', description: 'first delivery', postings });
    const b = journalEntry({ sourceEventId: 'evt_a', description: 'redelivered', postings });
    const c = journalEntry({ sourceEventId: 'evt_b', description: 'another event', postings });
    expect(a.entryId).toBe(b.entryId);
    expect(a.entryId).not.toBe(c.entryId);
  });

  it('rejects an entry whose debits and credits differ', () => {
    expect(
      codeOf(() =>
        journalEntry({
          sourceEventId: 'evt_1',
          description: 'off by a cent',
          postings: [debit(ACCOUNTS.escrowHeld, 100_00, 'USD'), credit(walker, 99_99, 'USD')],
        }),
      ),
    ).toBe('unbalanced_entry');
  });

  it('rejects an entry balanced in total but not per currency', () => {
    expect(
      codeOf(() =>
        journalEntry({
          sourceEventId: 'evt_1',
          description: 'dollars in, euros out',
          postings: [
            debit(ACCOUNTS.gatewayClearing, 50_00, 'USD'),
            credit(ACCOUNTS.escrowHeld, 50_00, 'EUR'),
          ],
        }),
      ),
    ).toBe('unbalanced_entry');
  });

  it('rejects zero postings, zero amounts, fractional amounts, unknown accounts and currencies', () => {
    const base = { sourceEventId: 'evt_1', description: 'bad' };
    expect(codeOf(() => journalEntry({ ...base, postings: [] }))).toBe('empty_entry');
    expect(
      codeOf(() =>
        journalEntry({
          ...base,
          postings: [debit(ACCOUNTS.escrowHeld, 0, 'USD'), credit(walker, 0, 'USD')],
        }),
      ),
    ).toBe('invalid_amount');
    expect(
      codeOf(() =>
        journalEntry({
          ...base,
          postings: [debit(ACCOUNTS.escrowHeld, 10.5, 'USD'), credit(walker, 10.5, 'USD')],
        }),
      ),
    ).toBe('invalid_amount');
    expect(
      codeOf(() =>
        journalEntry({
          ...base,
          postings: [debit('petty:cash', 1_00, 'USD'), credit(walker, 1_00, 'USD')],
        }),
      ),
    ).toBe('unknown_account');
    expect(
      codeOf(() =>
        journalEntry({
          ...base,
          postings: [debit(ACCOUNTS.escrowHeld, 1_00, 'XYZ'), credit(walker, 1_00, 'XYZ')],
        }),
      ),
    ).toBe('unsupported_currency');
    expect(codeOf(() => journalEntry({ ...base, sourceEventId: '', postings: [] }))).toBe('invalid_entry');
  });

  it('does not let a sum beyond 2^53 pass as balanced', () => {
    const max = Number.MAX_SAFE_INTEGER;
    // In floating point max + max - max - (max - 1) rounds; in BigInt it is exactly 1.
    const postings: Posting[] = [
      debit(ACCOUNTS.gatewayClearing, max, 'USD'),
      debit(ACCOUNTS.gatewayClearing, max, 'USD'),
      credit(ACCOUNTS.escrowHeld, max, 'USD'),
      credit(ACCOUNTS.escrowHeld, max - 1, 'USD'),
    ];
    expect(codeOf(() => journalEntry({ sourceEventId: 'evt_big', description: 'huge', postings }))).toBe(
      'unbalanced_entry',
    );
  });
});

const accountArb = fc.oneof(
  fc.constantFrom(...Object.values(ACCOUNTS)),
  fc.constantFrom('prov_1', 'prov_2', 'dog-walker.42').map(providerPayable),
);
const currencyArb = fc.constantFrom('USD', 'EUR', 'JPY');
const postingArb = fc.record({
  account: accountArb,
  amountMinor: fc.integer({ min: -1_000_000_00, max: 1_000_000_00 }),
  currency: currencyArb,
});

describe('journalEntry properties', () => {
  it('any entry it builds is balanced per currency; any entry it rejects is not', () => {
    fc.assert(
      fc.property(fc.array(postingArb, { minLength: 0, maxLength: 8 }), (postings) => {
        let built: ReturnType<typeof journalEntry> | null = null;
        try {
          built = journalEntry({ sourceEventId: 'evt_p', description: 'random', postings });
        } catch (e) {
          if (!(e instanceof PaystreamError)) throw e;
        }
        const sums = new Map<string, number>();
        for (const p of postings) sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amountMinor);
        const wellFormed =
          postings.length > 0 &&
          postings.every((p) => p.amountMinor !== 0) &&
          [...sums.values()].every((s) => s === 0);
        expect(built !== null).toBe(wellFormed);
        if (built) {
          const builtSums = new Map<string, number>();
          for (const p of built.postings)
            builtSums.set(p.currency, (builtSums.get(p.currency) ?? 0) + p.amountMinor);
          for (const s of builtSums.values()) expect(s).toBe(0);
        }
      }),
    );
  });

  it('balancing any random postings with one closing posting per currency always builds', () => {
    fc.assert(
      fc.property(
        fc.array(
          postingArb.filter((p) => p.amountMinor !== 0),
          { minLength: 1, maxLength: 8 },
        ),
        (postings) => {
          const sums = new Map<string, number>();
          for (const p of postings) sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amountMinor);
          const closing = [...sums.entries()]
            .filter(([, s]) => s !== 0)
            .map(([currency, s]) => ({ account: ACCOUNTS.bankOperating, amountMinor: -s, currency }));
          const entry = journalEntry({
            sourceEventId: 'evt_c',
            description: 'closed',
            postings: [...postings, ...closing],
          });
          expect(entry.postings).toHaveLength(postings.length + closing.length);
        },
      ),
    );
  });
});
