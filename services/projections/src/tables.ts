// Every read-model table, defined once in code. The same definitions create the SQLite tables
// (embedded) and the DynamoDB tables (Kafka mode), and replay builds them again under a fresh
// prefix to compare. Every item carries `v`, the version it was written with, so a projection
// that loads an item knows which events it already holds (ReadStore.get returns no version).
//
// Three version rules, one per kind of item (see projections/*.ts for which table uses which):
//   aggregate  — the item is one aggregate's fold (payment, escrow, card, bank account):
//                v = aggregateVersion of the last event applied; an event applies iff newer.
//   fact       — the item is one immutable fact (a payout, a batch, a rejection, a posting):
//                v = 1; the first write wins and a redelivery writes nothing.
//   shard      — the item sums events from many aggregates (balances): it is split per log
//                partition, so one consumer writes it, in offset order, and
//                v = offset + 1 of the last event applied; an event applies iff offset >= v.
//                Readers add up the shards of a key.

import { defineTable, type TableDef } from '@paystream/readstore';

export const PAYMENTS = defineTable({
  name: 'payments',
  key: { pk: 'id' },
  indexes: [{ name: 'by_tenant_created', pk: 'tenantId', sk: { name: 'createdAtMs', type: 'number' } }],
});

export const ESCROWS = defineTable({ name: 'escrows', key: { pk: 'id' } });

export const CARDS = defineTable({ name: 'cards', key: { pk: 'id' } });

export const BANK_ACCOUNTS = defineTable({ name: 'bank_accounts', key: { pk: 'id' } });

/**
 * Fact rule (BankAccountUpdated). Updates come from other aggregates (the ACH batcher appends
 * them on the payout a return or notification of change concerns), so they are kept as facts
 * and folded onto the account, in time order, when read.
 */
export const BANK_ACCOUNT_UPDATES = defineTable({
  name: 'bank_account_updates',
  key: { pk: 'bankAccountId', sk: 'sortKey' },
});

/** Shard rule. pk `tenant|provider`, sk `currency|partition`. */
export const PROVIDER_BALANCES = defineTable({
  name: 'provider_balances',
  key: { pk: 'provider', sk: 'shard' },
});

/** Fact rule (PayoutScheduled). */
export const PAYOUTS = defineTable({
  name: 'payouts',
  key: { pk: 'id' },
  indexes: [
    { name: 'by_provider', pk: 'provider', sk: 'sortKey' },
    { name: 'by_tenant', pk: 'tenantId', sk: 'sortKey' },
  ],
});

/** Fact rule: which release went into which payout (for the ACH share of a payment's cost). */
export const RELEASE_PAYOUTS = defineTable({ name: 'release_payouts', key: { pk: 'releaseId' } });

/** Fact rule (AchBatchClosed, one item per payout in the file). */
export const PAYOUT_FILES = defineTable({ name: 'payout_files', key: { pk: 'payoutId' } });

/** Fact rule: the ledger entry that settled a payout (ach:in_transit → bank:operating). */
export const PAYOUT_SETTLEMENTS = defineTable({ name: 'payout_settlements', key: { pk: 'payoutId' } });

/** Fact rule (AchReturnReceived with a payout id). */
export const PAYOUT_RETURNS = defineTable({ name: 'payout_returns', key: { pk: 'payoutId' } });

/** Fact rule (AchBatchClosed). */
export const ACH_BATCHES = defineTable({
  name: 'ach_batches',
  key: { pk: 'id' },
  indexes: [{ name: 'by_tenant', pk: 'tenantId', sk: 'sortKey' }],
});

/** Fact rule (AchReturnReceived), listed per tenant. */
export const ACH_RETURNS = defineTable({
  name: 'ach_returns',
  key: { pk: 'id' },
  indexes: [{ name: 'by_tenant', pk: 'tenantId', sk: 'sortKey' }],
});

/** Shard rule. pk `tenant|account`, sk `currency|partition`; index for the trial balance. */
export const LEDGER_ACCOUNTS = defineTable({
  name: 'ledger_accounts',
  key: { pk: 'account', sk: 'shard' },
  indexes: [{ name: 'by_tenant', pk: 'tenantId', sk: 'tenantShard' }],
});

/** Fact rule (JournalEntryPosted). */
export const JOURNAL_ENTRIES = defineTable({ name: 'journal_entries', key: { pk: 'id' } });

/** Fact rule (CommandRejected), by command id. */
export const COMMAND_REJECTIONS = defineTable({ name: 'command_rejections', key: { pk: 'commandId' } });

/**
 * Fact rule (CommandRejected): rejections by the payment they were about (a sparse index:
 * rejections from before `targetId` existed have none) and by tenant, newest first, so a
 * payment or escrow read shows its `lastRejection` and a tenant can list its rejections.
 */
export const REJECTIONS = defineTable({
  name: 'rejections',
  key: { pk: 'commandId' },
  indexes: [
    { name: 'by_target', pk: 'targetId', sk: { name: 'rejectedAtMs', type: 'number' } },
    { name: 'by_tenant', pk: 'tenantId', sk: { name: 'rejectedAtMs', type: 'number' } },
  ],
});

/** Every table the projections build (replay rebuilds and compares exactly these). */
export const PROJECTION_TABLES: readonly TableDef[] = [
  PAYMENTS,
  ESCROWS,
  CARDS,
  BANK_ACCOUNTS,
  BANK_ACCOUNT_UPDATES,
  PROVIDER_BALANCES,
  PAYOUTS,
  RELEASE_PAYOUTS,
  PAYOUT_FILES,
  PAYOUT_SETTLEMENTS,
  PAYOUT_RETURNS,
  ACH_BATCHES,
  ACH_RETURNS,
  LEDGER_ACCOUNTS,
  JOURNAL_ENTRIES,
  COMMAND_REJECTIONS,
  REJECTIONS,
];

/** Fixed-width partition number inside shard keys, so shards sort numerically. */
export function shardOf(partition: number): string {
  return String(partition).padStart(4, '0');
}

/** Fixed-width epoch milliseconds inside string sort keys. */
export function msKey(ms: number): string {
  return String(Math.max(0, ms)).padStart(15, '0');
}
