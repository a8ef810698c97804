// Read-side joins: provider balances, payout status, ledger balances and the trial balance.
// Everything here adds up shards or joins facts written by idempotent projections; nothing is
// stored, so nothing here can double count.

import { PaystreamError } from '@paystream/core';
import { type Balances, type TrialBalance, trialBalance } from '@paystream/ledger';
import type { Item, ReadStore } from '@paystream/readstore';
import {
  LEDGER_ACCOUNTS,
  PAYOUT_FILES,
  PAYOUT_RETURNS,
  PAYOUT_SETTLEMENTS,
  PAYOUTS,
  PROVIDER_BALANCES,
} from '../tables.js';

/** Items one read may add up before it refuses (a bound, not an expectation). */
export const MAX_ITEMS_PER_READ = 200_000;
const PAGE = 1_000;

export async function queryAll(
  store: ReadStore,
  table: Parameters<ReadStore['query']>[0],
  opts: { index?: string; pk: string },
): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query(table, { ...opts, limit: PAGE, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    if (out.length > MAX_ITEMS_PER_READ) {
      throw new PaystreamError('too_many_items', `more than ${MAX_ITEMS_PER_READ} items to add up`);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

export type PayoutStatus = 'scheduled' | 'in_transit' | 'paid' | 'returned';

export interface PayoutView {
  readonly id: string;
  readonly providerId: string;
  readonly bankAccountId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: PayoutStatus;
  readonly windowId: string;
  readonly effectiveDate: string;
  readonly batchId: string | null;
  readonly settledAt: string | null;
  readonly releaseIds: readonly string[];
  readonly scheduledAt: string;
  readonly return: {
    readonly code: string;
    readonly description: string;
    readonly receivedAt: string;
  } | null;
}

/**
 * A payout is scheduled until its file closes, in transit until the ledger settles it
 * (ach:in_transit → bank:operating, posted by the ACH batcher on the effective date), then
 * paid; a return moves it to returned whatever came before.
 */
export async function payoutView(store: ReadStore, p: Item): Promise<PayoutView> {
  const id = p.id as string;
  const [file, settled, ret] = await Promise.all([
    store.get(PAYOUT_FILES, { payoutId: id }),
    store.get(PAYOUT_SETTLEMENTS, { payoutId: id }),
    store.get(PAYOUT_RETURNS, { payoutId: id }),
  ]);
  const effectiveDate = p.effectiveDate as string;
  const status: PayoutStatus = ret ? 'returned' : settled ? 'paid' : file ? 'in_transit' : 'scheduled';
  return {
    id,
    providerId: p.providerId as string,
    bankAccountId: p.bankAccountId as string,
    amount: p.amountMinor as number,
    currency: p.currency as string,
    status,
    windowId: p.windowId as string,
    effectiveDate,
    batchId: file ? (file.batchId as string) : null,
    settledAt: settled ? new Date(settled.settledAtMs as number).toISOString() : null,
    releaseIds: p.releaseIds as string[],
    scheduledAt: new Date(p.scheduledAtMs as number).toISOString(),
    return: ret
      ? {
          code: ret.returnCode as string,
          description: ret.description as string,
          receivedAt: new Date(ret.receivedAtMs as number).toISOString(),
        }
      : null,
  };
}

export interface ProviderBalance {
  readonly currency: string;
  readonly held: number;
  readonly available: number;
  readonly inTransit: number;
  readonly paid: number;
  readonly returned: number;
  readonly released: number;
  readonly fees: number;
}

/** Per currency; null when the tenant has no such provider. */
export async function providerBalances(
  store: ReadStore,
  tenantId: string,
  providerId: string,
): Promise<ProviderBalance[] | null> {
  const provider = `${tenantId}|${providerId}`;
  const shards = await queryAll(store, PROVIDER_BALANCES, { pk: provider });
  const payouts = await queryAll(store, PAYOUTS, { index: 'by_provider', pk: provider });
  if (shards.length === 0 && payouts.length === 0) return null;
  const by = new Map<
    string,
    {
      held: number;
      releasedNet: number;
      fees: number;
      scheduled: number;
      inTransit: number;
      paid: number;
      returned: number;
    }
  >();
  const of = (currency: string) => {
    let b = by.get(currency);
    if (!b) {
      b = { held: 0, releasedNet: 0, fees: 0, scheduled: 0, inTransit: 0, paid: 0, returned: 0 };
      by.set(currency, b);
    }
    return b;
  };
  for (const s of shards) {
    const b = of(s.currency as string);
    b.held += s.heldMinor as number;
    b.releasedNet += s.releasedNetMinor as number;
    b.fees += s.feesMinor as number;
  }
  for (const p of payouts) {
    const v = await payoutView(store, p);
    const b = of(v.currency);
    b.scheduled += v.amount;
    // ARCHITECTURE.md §4.1: scheduled payouts are already in the ledger's ach:in_transit; shown as in transit.
    if (v.status === 'scheduled' || v.status === 'in_transit') b.inTransit += v.amount;
    else if (v.status === 'paid') b.paid += v.amount;
    else b.returned += v.amount;
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, b]) => ({
      currency,
      held: b.held,
      // Released to the provider, less what went out in payouts that did not come back.
      available: b.releasedNet - b.scheduled + b.returned,
      inTransit: b.inTransit,
      paid: b.paid,
      returned: b.returned,
      released: b.releasedNet,
      fees: b.fees,
    }));
}

export interface AccountBalance {
  readonly currency: string;
  readonly balance: number;
  readonly debits: number;
  readonly credits: number;
  readonly postings: number;
}

export async function accountBalances(
  store: ReadStore,
  tenantId: string,
  account: string,
): Promise<AccountBalance[]> {
  const shards = await queryAll(store, LEDGER_ACCOUNTS, { pk: `${tenantId}|${account}` });
  const by = new Map<string, { balance: number; debits: number; credits: number; postings: number }>();
  for (const s of shards) {
    const c = s.currency as string;
    const b = by.get(c) ?? { balance: 0, debits: 0, credits: 0, postings: 0 };
    b.balance += s.balanceMinor as number;
    b.debits += s.debitsMinor as number;
    b.credits += s.creditsMinor as number;
    b.postings += s.postingCount as number;
    by.set(c, b);
  }
  return [...by.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, b]) => ({ currency, ...b }));
}

/** The tenant's trial balance from its ledger account balances (ARCHITECTURE.md §3.2). */
export async function tenantTrialBalance(store: ReadStore, tenantId: string): Promise<TrialBalance> {
  const shards = await queryAll(store, LEDGER_ACCOUNTS, { index: 'by_tenant', pk: tenantId });
  const balances = new Map<string, Map<string, number>>();
  for (const s of shards) {
    const account = s.accountId as string;
    const m = balances.get(account) ?? new Map<string, number>();
    m.set(s.currency as string, (m.get(s.currency as string) ?? 0) + (s.balanceMinor as number));
    balances.set(account, m);
  }
  return trialBalance(balances as Balances);
}
