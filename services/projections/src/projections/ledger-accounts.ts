// ledger_accounts (balances per account and currency, from JournalEntryPosted postings only)
// and journal_entries.
//
// Balances follow the shard rule (one item per tenant, account, currency and log partition;
// v = offset + 1 of the last entry applied). Entries are facts (v = 1).
//
// A journal entry id is derived from the event that caused it, so the same entry appearing
// twice in the log (a producer that appended it again) is recognised: the journal_entries
// item remembers where the entry was first seen, and postings are summed only from there.
// Redelivery of that same record is told apart by its position.

import { invariant } from '@paystream/core';
import type { RecordPosition } from '@paystream/log';
import type { Item } from '@paystream/readstore';
import type { Envelope } from '@paystream/schemas';
import { JOURNAL_ENTRIES, LEDGER_ACCOUNTS, shardOf } from '../tables.js';
import { forEachInOrder, isType, type Maybe, type ProjectedEvent, type Work } from '../work.js';
import type { Projection } from './projection.js';

/** An entry's postings summed for one account and currency. */
interface AccountSum {
  readonly account: string;
  readonly currency: string;
  amountMinor: number;
  debits: number;
  credits: number;
  lines: number;
}

export const ledgerAccountsProjection: Projection = {
  name: 'ledger_accounts',
  types: ['JournalEntryPosted'],
  tables: [LEDGER_ACCOUNTS, JOURNAL_ENTRIES],
  apply({ envelope: e, position }: ProjectedEvent, work: Work): Maybe<void> {
    if (!isType(e, 'JournalEntryPosted')) return;
    const seenAt = `${position.topic}/${position.partition}@${position.offset}`;
    const existing = work.get(JOURNAL_ENTRIES, { id: e.payload.entryId });
    if (existing instanceof Promise) return existing.then((x) => postEntry(e, position, work, seenAt, x));
    return postEntry(e, position, work, seenAt, existing);
  },
};

/** Records the entry and adds its postings to the balances, unless it was posted before. */
function postEntry(
  e: Envelope<'JournalEntryPosted'>,
  position: RecordPosition,
  work: Work,
  seenAt: string,
  existing: Item | null,
): Maybe<void> {
  const d = e.payload;
  if (existing !== null && existing.seenAt !== seenAt) return; // a duplicate of an entry already posted
  if (existing === null) {
    work.put(JOURNAL_ENTRIES, {
      id: d.entryId,
      tenantId: e.tenantId,
      v: 1,
      description: d.description,
      sourceEventId: d.sourceEventId,
      eventId: e.eventId,
      aggregateId: e.aggregateId,
      postedAtMs: e.occurredAtMs,
      seenAt,
      postings: d.postings.map((p) => ({
        account: p.account,
        amountMinor: p.amountMinor,
        currency: p.currency,
      })),
    });
  }
  return forEachInOrder(sumsOf(d.postings), (s) => {
    const shard = `${s.currency}|${shardOf(position.partition)}`;
    const key = { account: `${e.tenantId}|${s.account}`, shard };
    const current = work.get(LEDGER_ACCOUNTS, key);
    if (current instanceof Promise) return current.then((c) => addToBalance(e, position, work, s, key, c));
    addToBalance(e, position, work, s, key, current);
  });
}

/**
 * Postings summed per account and currency, in order of first appearance. An entry has a
 * handful of lines, so a list searched in place is cheaper than a Map per event.
 */
function sumsOf(
  postings: readonly { account: string; currency: string; amountMinor: number }[],
): AccountSum[] {
  const sums: AccountSum[] = [];
  for (const p of postings) {
    let s = sums.find((x) => x.account === p.account && x.currency === p.currency);
    if (s === undefined) {
      s = { account: p.account, currency: p.currency, amountMinor: 0, debits: 0, credits: 0, lines: 0 };
      sums.push(s);
    }
    s.amountMinor += p.amountMinor;
    if (p.amountMinor > 0) s.debits += p.amountMinor;
    else s.credits -= p.amountMinor;
    s.lines += 1;
  }
  return sums;
}

/** The balance shard after `s` (staged), unless it already holds the entry at `position`. */
function addToBalance(
  e: Envelope<'JournalEntryPosted'>,
  position: RecordPosition,
  work: Work,
  s: AccountSum,
  key: { account: string; shard: string },
  current: Item | null,
): void {
  if (current !== null && position.offset < (current.v as number)) return; // already applied
  const balanceMinor = ((current?.balanceMinor as number | undefined) ?? 0) + s.amountMinor;
  const debitsMinor = ((current?.debitsMinor as number | undefined) ?? 0) + s.debits;
  const creditsMinor = ((current?.creditsMinor as number | undefined) ?? 0) + s.credits;
  invariant(
    Number.isSafeInteger(balanceMinor) &&
      Number.isSafeInteger(debitsMinor) &&
      Number.isSafeInteger(creditsMinor),
    `balance of ${s.account} in ${s.currency} left the safe-integer range`,
  );
  // Attributes listed one by one: a literal that starts with a spread and then adds more
  // attributes builds a slow object in V8 (about 10x the cost of this projection in replay).
  work.put(LEDGER_ACCOUNTS, {
    account: key.account,
    shard: key.shard,
    tenantId: e.tenantId,
    tenantShard: `${s.account}|${key.shard}`,
    accountId: s.account,
    currency: s.currency,
    partition: position.partition,
    v: position.offset + 1,
    balanceMinor,
    debitsMinor,
    creditsMinor,
    postingCount: ((current?.postingCount as number | undefined) ?? 0) + s.lines,
  });
}
