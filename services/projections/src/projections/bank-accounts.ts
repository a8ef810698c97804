// bank_accounts: one item per tokenized bank account (aggregate rule), and
// bank_account_updates: every BankAccountUpdated as a fact, whichever aggregate carried it (the
// ACH batcher appends returns and notifications of change on the payout's aggregate). The
// account as shown is the tokenized item with its updates folded on in time order (see
// bankAccountView). Last four only; sealed numbers stay in the log.

import type { Item } from '@paystream/readstore';
import type { Envelope } from '@paystream/schemas';
import { BANK_ACCOUNT_UPDATES, BANK_ACCOUNTS, msKey } from '../tables.js';
import { ignoreResult, isType, type Maybe, type ProjectedEvent, type Work } from '../work.js';
import type { Projection } from './projection.js';

export const bankAccountsProjection: Projection = {
  name: 'bank_accounts',
  types: ['BankAccountTokenized', 'BankAccountUpdated'],
  tables: [BANK_ACCOUNTS, BANK_ACCOUNT_UPDATES],
  apply({ envelope: e }: ProjectedEvent, work: Work): Maybe<void> {
    if (isType(e, 'BankAccountTokenized')) {
      const current = work.get(BANK_ACCOUNTS, { id: e.payload.bankAccountId });
      if (current instanceof Promise) return current.then((c) => putAccount(e, work, c));
      putAccount(e, work, current);
      return;
    }
    if (isType(e, 'BankAccountUpdated')) {
      const d = e.payload;
      return ignoreResult(
        work.putFact(BANK_ACCOUNT_UPDATES, {
          bankAccountId: d.bankAccountId,
          sortKey: `${msKey(e.occurredAtMs)}|${e.eventId}`,
          tenantId: e.tenantId,
          status: d.status,
          reason: d.reason,
          routingNumber: d.routingNumber,
          accountType: d.accountType,
          last4: d.last4,
          atMs: e.occurredAtMs,
        }),
      );
    }
  },
};

function putAccount(e: Envelope<'BankAccountTokenized'>, work: Work, current: Item | null): void {
  const d = e.payload;
  if (current !== null && e.aggregateVersion <= (current.v as number)) return;
  work.put(BANK_ACCOUNTS, {
    id: d.bankAccountId,
    tenantId: e.tenantId,
    v: e.aggregateVersion,
    ownerId: d.ownerId,
    routingNumber: d.routingNumber,
    last4: d.last4,
    accountType: d.accountType,
    holderName: d.holderName,
    holderType: d.holderType,
    fingerprint: d.fingerprint,
    status: 'active',
    createdAtMs: e.occurredAtMs,
  });
}

/** The account with its updates applied in time order (null fields leave a value unchanged). */
export function bankAccountView(account: Item, updates: readonly Item[]): Item {
  let out: Item = { ...account, statusReason: null, updatedAtMs: account.createdAtMs ?? null };
  for (const u of updates) {
    if (u.tenantId !== account.tenantId) continue;
    out = {
      ...out,
      status: u.status as string,
      statusReason: u.reason as string,
      ...(u.routingNumber !== null ? { routingNumber: u.routingNumber as string } : {}),
      ...(u.accountType !== null ? { accountType: u.accountType as string } : {}),
      ...(u.last4 !== null ? { last4: u.last4 as string } : {}),
      updatedAtMs: u.atMs as number,
    };
  }
  return out;
}
