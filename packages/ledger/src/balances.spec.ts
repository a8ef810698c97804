import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS, providerPayable } from './accounts.js';
import { balanceOf, emptyBalances, foldEntries, foldPostings, trialBalance } from './balances.js';
import { credit, debit, type JournalEntry, journalEntry } from './journal.js';

const walker = providerPayable('prov_walkies');

describe('balances', () => {
  it('follows a $125.00 dog-walking booking through capture, release with 8% fee and payout', () => {
    const entries = [
      journalEntry({
        sourceEventId: 'evt_capture',
        description: 'capture',
        postings: [
          debit(ACCOUNTS.gatewayClearing, 125_00, 'USD'),
          credit(ACCOUNTS.escrowHeld, 125_00, 'USD'),
        ],
      }),
      journalEntry({
        sourceEventId: 'evt_release',
        description: 'release less 8%',
        postings: [
          debit(ACCOUNTS.escrowHeld, 125_00, 'USD'),
          credit(walker, 115_00, 'USD'),
          credit(ACCOUNTS.platformFees, 10_00, 'USD'),
        ],
      }),
      journalEntry({
        sourceEventId: 'evt_payout',
        description: 'ACH payout',
        postings: [debit(walker, 115_00, 'USD'), credit(ACCOUNTS.achInTransit, 115_00, 'USD')],
      }),
    ];
    const b = foldEntries(entries);
    expect(balanceOf(b, ACCOUNTS.gatewayClearing, 'USD')).toBe(125_00);
    expect(balanceOf(b, ACCOUNTS.escrowHeld, 'USD')).toBe(0);
    expect(balanceOf(b, walker, 'USD')).toBe(0);
    expect(balanceOf(b, ACCOUNTS.achInTransit, 'USD')).toBe(-115_00);
    expect(balanceOf(b, ACCOUNTS.platformFees, 'USD')).toBe(-10_00);
    expect(balanceOf(b, ACCOUNTS.bankOperating, 'USD')).toBe(0);
    expect(trialBalance(b)).toEqual({
      balanced: true,
      currencies: [{ currency: 'USD', debits: 125_00, credits: 125_00 }],
    });
  });

  it('does not modify the balances it folds onto', () => {
    const entry = journalEntry({
      sourceEventId: 'evt_1',
      description: 'capture',
      postings: [debit(ACCOUNTS.gatewayClearing, 40_00, 'EUR'), credit(ACCOUNTS.escrowHeld, 40_00, 'EUR')],
    });
    const before = foldEntries([entry]);
    const after = foldEntries([entry], before);
    expect(balanceOf(before, ACCOUNTS.gatewayClearing, 'EUR')).toBe(40_00);
    expect(balanceOf(after, ACCOUNTS.gatewayClearing, 'EUR')).toBe(80_00);
    expect(emptyBalances.size).toBe(0);
  });

  it('reports an unbalanced set of raw postings as not balanced', () => {
    // Entries cannot be unbalanced; raw postings (e.g. a corrupted read model) can.
    const b = foldPostings([debit(ACCOUNTS.gatewayClearing, 1_00, 'USD')]);
    expect(trialBalance(b)).toEqual({
      balanced: false,
      currencies: [{ currency: 'USD', debits: 1_00, credits: 0 }],
    });
  });
});

// Random valid entries: random postings per currency closed against a random account.
const accountArb = fc.oneof(
  fc.constantFrom(...Object.values(ACCOUNTS)),
  fc.constantFrom('prov_1', 'prov_2', 'prov_3').map(providerPayable),
);
const entryArb = fc
  .tuple(
    fc.uuid(),
    fc.array(
      fc.record({
        account: accountArb,
        amountMinor: fc.integer({ min: 1, max: 10_000_000 }),
        currency: fc.constantFrom('USD', 'EUR', 'JPY'),
        side: fc.boolean(),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    accountArb,
  )
  .map(([id, lines, closingAccount]) => {
    const postings = lines.map((l) => (l.side ? debit : credit)(l.account, l.amountMinor, l.currency));
    const sums = new Map<string, number>();
    for (const p of postings) sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amountMinor);
    for (const [currency, s] of sums) if (s !== 0) postings.push(debit(closingAccount, -s, currency));
    return postings.length >= 2
      ? journalEntry({ sourceEventId: `evt_${id}`, description: 'random', postings })
      : null;
  })
  .filter((e): e is JournalEntry => e !== null);

describe('balances properties', () => {
  it('folding any sequence of valid entries gives a balanced trial balance', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 30 }), (entries) => {
        const tb = trialBalance(foldEntries(entries));
        expect(tb.balanced).toBe(true);
        for (const c of tb.currencies) expect(c.debits - c.credits).toBe(0);
        // The signed sum over every account is zero too.
        const b = foldEntries(entries);
        const sums = new Map<string, number>();
        for (const perCurrency of b.values())
          for (const [cur, v] of perCurrency) sums.set(cur, (sums.get(cur) ?? 0) + v);
        for (const s of sums.values()) expect(s).toBe(0);
      }),
    );
  });

  it('a balance is exactly the sum of that account’s postings, whatever the order', () => {
    fc.assert(
      fc.property(
        fc
          .array(entryArb, { maxLength: 20 })
          .chain((entries) =>
            fc.tuple(fc.constant(entries), fc.shuffledSubarray(entries, { minLength: entries.length })),
          ),
        ([entries, shuffled]) => {
          const b = foldEntries(entries);
          const bShuffled = foldEntries(shuffled);
          const flat = entries.flatMap((e) => e.postings);
          for (const p of flat) {
            const expected = flat
              .filter((q) => q.account === p.account && q.currency === p.currency)
              .reduce((s, q) => s + q.amountMinor, 0);
            expect(balanceOf(b, p.account, p.currency)).toBe(expected);
            expect(balanceOf(bShuffled, p.account, p.currency)).toBe(expected);
          }
          expect(foldPostings(flat)).toEqual(b);
          // Folding in two halves equals folding at once.
          const half = Math.floor(entries.length / 2);
          expect(foldEntries(entries.slice(half), foldEntries(entries.slice(0, half)))).toEqual(b);
        },
      ),
    );
  });
});
