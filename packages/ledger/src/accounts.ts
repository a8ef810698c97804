// The chart of accounts (ARCHITECTURE.md §4). Account ids are plain strings so they travel in
// JournalEntryPosted unchanged; this module is the one place that knows which strings are
// accounts and what kind each one is.
//
// Sign convention for the whole ledger: a posting's amountMinor is positive for a debit and
// negative for a credit. An asset with money in it therefore has a positive balance; a
// liability or revenue account that is owed money has a negative one.

import { PaystreamError } from '@paystream/core';

export type AccountKind = 'asset' | 'liability' | 'clearing' | 'revenue' | 'expense';

/** The fixed accounts. Provider payables are per provider: see providerPayable(). */
export const ACCOUNTS = {
  /** Captured at the card network, not yet settled to the bank. */
  gatewayClearing: 'gateway:clearing',
  /** The platform's bank account. */
  bankOperating: 'bank:operating',
  /** Held for providers, not yet released. */
  escrowHeld: 'escrow:held',
  /**
   * Held funds frozen by an open dispute. A sub-account of escrow (still owed to someone, not
   * yet decided to whom) so that frozen money is visible on the balance sheet and can neither
   * be released nor refunded by accident. Beyond the starting chart; added deliberately.
   */
  escrowDisputed: 'escrow:disputed',
  /** Paid out in an ACH file, not yet settled. */
  achInTransit: 'ach:in_transit',
  /** Platform revenue. */
  platformFees: 'platform:fees',
  /** What moving the money cost. */
  expenseProcessing: 'expense:processing',
} as const;

export type FixedAccount = (typeof ACCOUNTS)[keyof typeof ACCOUNTS];
export type ProviderPayableAccount = `provider:${string}:payable`;
export type Account = FixedAccount | ProviderPayableAccount;

const FIXED_KINDS: Readonly<Record<FixedAccount, AccountKind>> = {
  'gateway:clearing': 'asset',
  'bank:operating': 'asset',
  'escrow:held': 'liability',
  'escrow:disputed': 'liability',
  'ach:in_transit': 'clearing',
  'platform:fees': 'revenue',
  'expense:processing': 'expense',
};

/** Provider ids become part of an account id, so they must not contain the separator. */
const PROVIDER_ID = /^[A-Za-z0-9_.-]{1,128}$/;
const PAYABLE = /^provider:([A-Za-z0-9_.-]{1,128}):payable$/;

/** Released funds owed to one provider (liability). */
export function providerPayable(providerId: string): ProviderPayableAccount {
  if (!PROVIDER_ID.test(providerId)) {
    throw new PaystreamError(
      'invalid_provider_id',
      'provider id must be 1-128 characters of letters, digits, "_", "-" or "."',
      'providerId',
    );
  }
  return `provider:${providerId}:payable`;
}

export function isAccount(value: string): value is Account {
  return Object.hasOwn(FIXED_KINDS, value) || PAYABLE.test(value);
}

/** The kind of an account, or throws `unknown_account`. */
export function accountKind(account: string): AccountKind {
  if (Object.hasOwn(FIXED_KINDS, account)) return FIXED_KINDS[account as FixedAccount];
  if (PAYABLE.test(account)) return 'liability';
  throw new PaystreamError(
    'unknown_account',
    `${JSON.stringify(account)} is not in the chart of accounts`,
    'account',
  );
}

/** The provider a payable account belongs to, or null for any other account. */
export function providerOfAccount(account: string): string | null {
  const m = PAYABLE.exec(account);
  return m ? m[1]! : null;
}
