// The batcher's working state, kept in the ReadStore (SQLite embedded, DynamoDB in Kafka mode)
// rather than rebuilt in memory from the log: every replica sees the same state, a restart
// needs no replay, and netting a provider's releases does not depend on which replica owns
// which events partition (releases are keyed by escrow, so one provider's releases are spread
// over every partition). Every write is version-checked (putIfNewer), so re-applying one is a
// no-op. Nothing here holds a plaintext account number: accounts keep only the sealed number.

import { defineTable, type Item, type ReadStore, type TableDef } from '@paystream/readstore';

/** Payout bank accounts, from BankAccountTokenized / BankAccountUpdated. */
export const ACCOUNTS = defineTable({
  name: 'ach_accounts',
  key: { pk: 'bankAccountId' },
  indexes: [{ name: 'by_owner', pk: 'ownerKey', sk: { name: 'createdAtMs', type: 'number' } }],
});

/**
 * Released net funds waiting for a payout (one row per release, or per returned payout put
 * back). `pendingCurrency` is set only while unclaimed (a sparse index); `claimedBy` names the
 * window whose payout took it.
 */
export const RELEASES = defineTable({
  name: 'ach_releases',
  key: { pk: 'releaseId' },
  indexes: [
    { name: 'pending', pk: 'pendingCurrency', sk: { name: 'releasedAtMs', type: 'number' } },
    { name: 'by_claim', pk: 'claimedBy', sk: 'releaseId' },
  ],
});

/** One row per payout; its version is the payout aggregate's chain version. */
export const PAYOUTS = defineTable({
  name: 'ach_payouts',
  key: { pk: 'payoutId' },
  indexes: [
    { name: 'by_trace', pk: 'traceNumber', sk: { name: 'closedAtMs', type: 'number' } },
    { name: 'unsettled', pk: 'unsettled', sk: { name: 'settleAtMs', type: 'number' } },
  ],
});

/** NACHA batches (one AchBatchClosed each) and the file holding them. */
export const BATCHES = defineTable({ name: 'ach_closed_batches', key: { pk: 'batchId' } });
export const FILES = defineTable({ name: 'ach_files', key: { pk: 'fileId' } });

/** Which control command closed a window (so a second close of it is skipped). */
export const WINDOWS = defineTable({ name: 'ach_windows', key: { pk: 'windowId' } });

/** Return files already applied, by SHA-256 of their text → the command that applied them. */
export const RETURN_FILES = defineTable({ name: 'ach_return_files', key: { pk: 'fileSha256' } });

/** Singleton rows: the control processor's counters. */
export const CONTROL_STATE = defineTable({ name: 'ach_state', key: { pk: 'name' } });

export const ACH_TABLES: readonly TableDef[] = [
  ACCOUNTS,
  RELEASES,
  PAYOUTS,
  BATCHES,
  FILES,
  WINDOWS,
  RETURN_FILES,
  CONTROL_STATE,
];

export const TABLES_BY_NAME: ReadonlyMap<string, TableDef> = new Map(ACH_TABLES.map((t) => [t.name, t]));

export interface AccountRow {
  readonly bankAccountId: string;
  readonly tenantId: string;
  readonly ownerId: string;
  readonly ownerKey: string;
  readonly routingNumber: string;
  readonly accountType: string;
  readonly holderName: string;
  readonly holderType: string;
  readonly last4: string;
  readonly sealedAccountNumber: string;
  readonly status: string;
  readonly createdAtMs: number;
}

export interface ReleaseRow {
  readonly releaseId: string;
  readonly tenantId: string;
  readonly providerId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly releasedAtMs: number;
  /** Present only while unclaimed (sparse index: absent attributes are not indexed). */
  readonly pendingCurrency?: string;
  readonly claimedBy?: string;
  readonly bankAccountId?: string;
}

export type PayoutStatus = 'in_transit' | 'settled' | 'returned';

export interface PayoutRow {
  readonly payoutId: string;
  readonly tenantId: string;
  readonly providerId: string;
  readonly bankAccountId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly windowId: string;
  readonly fileId: string;
  readonly batchId: string;
  readonly traceNumber: string;
  readonly effectiveDate: string;
  readonly closedAtMs: number;
  readonly settleAtMs: number;
  readonly status: PayoutStatus;
  /** 'in_transit' while unsettled (sparse index), else absent. */
  readonly unsettled?: string;
  readonly chainVersion: number;
  readonly chainHash: string;
}

export interface ControlStateRow {
  readonly name: 'control';
  readonly revision: number;
  /** Next seven-digit trace sequence: unique across files until it wraps after 9,999,999. */
  readonly nextTraceSequence: number;
  readonly lastCutoffMs: number | null;
  readonly lastWindowId: string | null;
  /** Files made by tenant admins' closes on `date` (their file ID modifiers count down). */
  readonly tenantFiles?: { readonly date: string; readonly count: number };
}

export const accountOwnerKey = (tenantId: string, ownerId: string): string => `${tenantId}/${ownerId}`;

/**
 * Version of an account row for an event about it: event time first, then the position in its
 * chain, so the newest fact wins and re-applying the same event is a no-op.
 */
export function accountVersion(occurredAtMs: number, aggregateVersion: number): number {
  return occurredAtMs * 1000 + (aggregateVersion % 1000);
}

export function asRow<T>(item: Item | null): T | null {
  return item as T | null;
}

export function asItem(row: object): Item {
  return row as unknown as Item;
}

/** Every item of an index partition, page by page (bounded by `max`). */
export async function queryAll(
  store: ReadStore,
  table: TableDef,
  opts: { index?: string; pk: string; range?: { gte?: number; lte?: number }; max: number },
): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query(table, {
      pk: opts.pk,
      limit: 1000,
      ...(opts.index ? { index: opts.index } : {}),
      ...(opts.range ? { range: opts.range } : {}),
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < opts.max);
  return out.slice(0, opts.max);
}
