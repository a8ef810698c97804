// Bank account checks before tokenization: the routing number must pass the ABA 3-7-1 checksum
// (the one NACHA rule in ach-batcher, reused), the account number is 4–17 digits (the DFI
// account number field of a NACHA entry is 17 characters). Messages never echo the numbers.

import { nacha } from '@paystream/ach-batcher';
import { PaystreamError } from '@paystream/core';

export interface CheckedBankAccount {
  readonly routingNumber: string;
  /** Digits only. In memory only: sealed, fingerprinted, then dropped. */
  readonly accountDigits: string;
  readonly last4: string;
}

export function checkBankAccount(routingNumber: string, accountNumber: string): CheckedBankAccount {
  if (!/^\d{9}$/.test(routingNumber)) {
    throw new PaystreamError('invalid_routing_number', 'routingNumber must be 9 digits', 'routingNumber');
  }
  if (!nacha.isValidRoutingNumber(routingNumber)) {
    throw new PaystreamError(
      'invalid_routing_number',
      'routingNumber fails the ABA 3-7-1 checksum; check for a mistyped digit',
      'routingNumber',
    );
  }
  const accountDigits = accountNumber.replace(/[\s-]/g, '');
  if (!/^\d{4,17}$/.test(accountDigits)) {
    throw new PaystreamError(
      'invalid_account_number',
      'accountNumber must be 4–17 digits (spaces and dashes allowed)',
      'accountNumber',
    );
  }
  return { routingNumber, accountDigits, last4: accountDigits.slice(-4) };
}
