// An event's `data`: the resource as the read API shows it (GET /v1/payments/{id},
// /v1/escrows/{id}, /v1/payouts, the ACH return and bank account shapes), read from the read
// models once they have applied the event.

import {
  ACH_RETURNS,
  BANK_ACCOUNT_UPDATES,
  BANK_ACCOUNTS,
  bankAccountView,
  ESCROWS,
  escrowView,
  PAYMENTS,
  PAYOUTS,
  paymentView,
  payoutView,
} from '@paystream/projections';
import { type Item, MAX_QUERY_LIMIT, type ReadStore } from '@paystream/readstore';
import type { PaymentAmounts, ResourceRef } from './domain/catalog.js';

const iso = (ms: unknown): string | null => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

function owned(item: Item | null, tenantId: string): Item | null {
  return item !== null && item.tenantId === tenantId ? item : null;
}

export interface LoadedResource {
  readonly data: Record<string, unknown>;
  /** The payment, for events whose type depends on its amounts (escrow releases). */
  readonly payment: PaymentAmounts | null;
}

export async function loadResource(
  store: ReadStore,
  tenantId: string,
  ref: ResourceRef,
): Promise<LoadedResource | null> {
  switch (ref.kind) {
    case 'payment': {
      const p = owned(await store.get(PAYMENTS, { id: ref.id }), tenantId);
      return p ? { data: paymentView(p), payment: null } : null;
    }
    case 'escrow': {
      const [e, p] = await Promise.all([
        store.get(ESCROWS, { id: ref.id }),
        store.get(PAYMENTS, { id: ref.paymentId }),
      ]);
      const escrow = owned(e, tenantId);
      const payment = owned(p, tenantId);
      return escrow
        ? {
            data: escrowView(escrow),
            payment: payment ? (paymentView(payment) as unknown as PaymentAmounts) : null,
          }
        : null;
    }
    case 'payout': {
      const p = owned(await store.get(PAYOUTS, { id: ref.id }), tenantId);
      return p ? { data: { ...(await payoutView(store, p)) }, payment: null } : null;
    }
    case 'ach_return': {
      const r = owned(await store.get(ACH_RETURNS, { id: ref.id }), tenantId);
      if (!r) return null;
      return {
        data: {
          id: r.id,
          payoutId: r.payoutId,
          code: r.returnCode,
          description: r.description,
          amount: r.amountMinor,
          currency: r.currency,
          traceNumber: r.traceNumber,
          bankAccountId: r.bankAccountId,
          receivedAt: iso(r.receivedAtMs),
        },
        payment: null,
      };
    }
    case 'bank_account': {
      const a = owned(await store.get(BANK_ACCOUNTS, { id: ref.id }), tenantId);
      if (!a) return null;
      const updates = await store.query(BANK_ACCOUNT_UPDATES, { pk: ref.id, limit: MAX_QUERY_LIMIT });
      const b = bankAccountView(a, updates.items);
      return {
        data: {
          id: b.id,
          ownerId: b.ownerId,
          last4: b.last4,
          routingNumber: b.routingNumber,
          accountType: b.accountType,
          status: b.status,
          statusReason: b.statusReason,
          createdAt: iso(b.createdAtMs),
          updatedAt: iso(b.updatedAtMs),
        },
        payment: null,
      };
    }
  }
}
