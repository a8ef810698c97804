// What the batcher needs from the events topic, kept in the ReadStore: payout bank accounts
// (BankAccountTokenized / BankAccountUpdated) and released net funds (EscrowReleased). Pure
// bookkeeping, no output events: re-applying any event is a no-op (versioned writes).

import type { EventRecord } from '@paystream/eventing';
import type { ReadStore } from '@paystream/readstore';
import type { Logger } from '@paystream/runtime';
import type { Payloads } from '@paystream/schemas';
import {
  ACCOUNTS,
  type AccountRow,
  accountOwnerKey,
  accountVersion,
  asItem,
  asRow,
  RELEASES,
  type ReleaseRow,
} from './state.js';

/** Fields a BankAccountUpdated may change; null means "unchanged". */
export interface AccountChange {
  readonly status: string;
  readonly routingNumber: string | null;
  readonly accountType: string | null;
  readonly last4: string | null;
  readonly sealedAccountNumber: string | null;
}

export function mergeAccount(row: AccountRow, change: AccountChange): AccountRow {
  return {
    ...row,
    status: change.status,
    routingNumber: change.routingNumber ?? row.routingNumber,
    accountType: change.accountType ?? row.accountType,
    last4: change.last4 ?? row.last4,
    sealedAccountNumber: change.sealedAccountNumber ?? row.sealedAccountNumber,
  };
}

/** The event types projectEvents reads; the rest are skipped undecoded. */
export const PROJECTED_TYPES = ['BankAccountTokenized', 'BankAccountUpdated', 'EscrowReleased'] as const;

export async function projectEvents(
  store: ReadStore,
  records: readonly EventRecord[],
  logger: Logger,
): Promise<void> {
  for (const { envelope: e } of records) {
    switch (e.type) {
      case 'BankAccountTokenized': {
        const p = e.payload as Payloads['BankAccountTokenized'];
        const row: AccountRow = {
          bankAccountId: p.bankAccountId,
          tenantId: e.tenantId,
          ownerId: p.ownerId,
          ownerKey: accountOwnerKey(e.tenantId, p.ownerId),
          routingNumber: p.routingNumber,
          accountType: p.accountType,
          holderName: p.holderName,
          holderType: p.holderType,
          last4: p.last4,
          sealedAccountNumber: p.sealedAccountNumber,
          status: 'active',
          createdAtMs: e.occurredAtMs,
        };
        await store.putIfNewer(ACCOUNTS, asItem(row), accountVersion(e.occurredAtMs, e.aggregateVersion));
        break;
      }
      case 'BankAccountUpdated': {
        const p = e.payload as Payloads['BankAccountUpdated'];
        const row = asRow<AccountRow>(await store.get(ACCOUNTS, { bankAccountId: p.bankAccountId }));
        if (!row) {
          logger.warn(
            { bankAccountId: p.bankAccountId, eventId: e.eventId },
            'update for an unknown bank account',
          );
          break;
        }
        await store.putIfNewer(
          ACCOUNTS,
          asItem(mergeAccount(row, p)),
          accountVersion(e.occurredAtMs, e.aggregateVersion),
        );
        break;
      }
      case 'EscrowReleased': {
        const p = e.payload as Payloads['EscrowReleased'];
        // A release whose fee took everything moves no money to the provider.
        if (p.netMinor <= 0) break;
        const row: ReleaseRow = {
          releaseId: p.releaseId,
          tenantId: e.tenantId,
          providerId: p.providerId,
          amountMinor: p.netMinor,
          currency: p.currency,
          releasedAtMs: e.occurredAtMs,
          pendingCurrency: p.currency,
        };
        // Version 1: a claim (version 2) is never undone by a redelivered release.
        await store.putIfNewer(RELEASES, asItem(row), 1);
        break;
      }
      default:
        break;
    }
  }
}
