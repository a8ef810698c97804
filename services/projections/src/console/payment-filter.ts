// Search and filter of payments for the console: a filter parsed once (bad input is a clear
// error naming the field) and matched against read-model items.

import { PaystreamError } from '@paystream/core';
import type { Item } from '@paystream/readstore';

export const PAYMENT_STATUSES = [
  'pending',
  'authorized',
  'held',
  'partially_released',
  'partially_refunded',
  'released',
  'refunded',
  'declined',
  'disputed',
] as const;

export interface PaymentFilter {
  readonly statuses: ReadonlySet<string> | null;
  readonly pendingStep: string | null;
  readonly customerId: string | null;
  readonly providerId: string | null;
  readonly minAmountMinor: number | null;
  readonly maxAmountMinor: number | null;
}

export interface RawPaymentFilter {
  status?: string;
  pendingStep?: string;
  customerId?: string;
  providerId?: string;
  minAmount?: string;
  maxAmount?: string;
}

function amount(raw: string | undefined, field: string): number | null {
  if (raw === undefined || raw === '') return null;
  if (!/^\d{1,15}$/.test(raw))
    throw new PaystreamError('invalid_field', `${field} must be an amount in minor units (cents)`, field);
  return Number(raw);
}

export function parsePaymentFilter(q: RawPaymentFilter): PaymentFilter {
  let statuses: Set<string> | null = null;
  if (q.status) {
    statuses = new Set(q.status.split(','));
    for (const s of statuses) {
      if (!(PAYMENT_STATUSES as readonly string[]).includes(s))
        throw new PaystreamError(
          'invalid_field',
          `status must be one or more (comma-separated) of ${PAYMENT_STATUSES.join(', ')}`,
          'status',
        );
    }
  }
  if (q.pendingStep && !['fraud', 'review', 'authorization'].includes(q.pendingStep))
    throw new PaystreamError(
      'invalid_field',
      'pendingStep must be fraud, review or authorization',
      'pendingStep',
    );
  const minAmountMinor = amount(q.minAmount, 'minAmount');
  const maxAmountMinor = amount(q.maxAmount, 'maxAmount');
  if (minAmountMinor !== null && maxAmountMinor !== null && minAmountMinor > maxAmountMinor)
    throw new PaystreamError('invalid_field', 'minAmount must not exceed maxAmount', 'minAmount');
  return {
    statuses,
    pendingStep: q.pendingStep || null,
    customerId: q.customerId || null,
    providerId: q.providerId || null,
    minAmountMinor,
    maxAmountMinor,
  };
}

export function matchesPayment(f: PaymentFilter, p: Item): boolean {
  const s = p.state as Record<string, unknown> | null;
  if (s === null || typeof s !== 'object' || s.status === 'none') return false;
  if (f.statuses !== null && !f.statuses.has(String(s.status))) return false;
  if (f.pendingStep !== null && s.pendingStep !== f.pendingStep) return false;
  if (f.customerId !== null && s.customerId !== f.customerId) return false;
  if (f.providerId !== null && s.providerId !== f.providerId) return false;
  const amount = Number(s.amountMinor);
  if (f.minAmountMinor !== null && amount < f.minAmountMinor) return false;
  if (f.maxAmountMinor !== null && amount > f.maxAmountMinor) return false;
  return true;
}
