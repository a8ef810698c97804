// Payout accounts: which account a provider is paid to, and the one place the sealed account
// number is opened (only while a NACHA file or a corrected account is being written).

import { bankAccountAad } from '@paystream/keys';
import type { ReadStore } from '@paystream/readstore';
import type { Engines } from '@paystream/runtime';
import { ACCOUNTS, type AccountRow, accountOwnerKey, queryAll } from './state.js';

/** The provider's newest account that is active and has the fields a NACHA entry needs. */
export async function activeAccountOf(
  store: ReadStore,
  tenantId: string,
  providerId: string,
): Promise<AccountRow | null> {
  const rows = (await queryAll(store, ACCOUNTS, {
    index: 'by_owner',
    pk: accountOwnerKey(tenantId, providerId),
    max: 1000,
  })) as unknown as AccountRow[];
  let best: AccountRow | null = null;
  for (const r of rows) {
    if (r.status !== 'active') continue;
    if (r.accountType !== 'checking' && r.accountType !== 'savings') continue;
    if (best === null || r.createdAtMs > best.createdAtMs) best = r;
  }
  return best;
}

export async function openAccountNumber(envelope: Engines['envelope'], account: AccountRow): Promise<string> {
  const plain = await envelope.openString(
    account.sealedAccountNumber,
    bankAccountAad(account.tenantId, account.bankAccountId),
  );
  return plain.toString('utf8');
}

/** Holder names as NACHA takes them: printable ASCII, upper case, at most 22 characters. */
export function nachaName(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase()
    .slice(0, 22)
    .trim();
  return ascii === '' ? 'PAYEE' : ascii;
}
