// provider_balances: what the escrow holds for each provider and what was released to it, per
// currency (shard rule: one item per provider, currency and log partition; v = offset + 1 of
// the last event applied, so a redelivered event is recognised by its offset).
//
// The read side adds the shards and joins the provider's payouts (payout files and returns
// come from other aggregates, so they are joined when read, never folded here: a fold across
// partitions would depend on the order partitions are consumed, and replay would differ).

import { invariant } from '@paystream/core';
import { isPayment, type PaymentState } from '@paystream/escrow';
import type { RecordPosition } from '@paystream/log';
import type { Item } from '@paystream/readstore';
import type { Envelope } from '@paystream/schemas';
import { PAYMENTS, PROVIDER_BALANCES, shardOf } from '../tables.js';
import { isType, type Maybe, type ProjectedEvent, type Work } from '../work.js';
import type { Projection } from './projection.js';

export interface ProviderShard {
  readonly heldMinor: number;
  readonly releasedGrossMinor: number;
  readonly releasedNetMinor: number;
  readonly feesMinor: number;
  readonly refundedMinor: number;
  readonly payoutsScheduledMinor: number;
}

interface Delta {
  readonly tenantId: string;
  readonly providerId: string;
  readonly currency: string;
  readonly change: Partial<ProviderShard>;
}

function deltaOf(e: Envelope, work: Work): Maybe<Delta | null> {
  if (isType(e, 'EscrowHeld')) {
    const d = e.payload;
    return {
      tenantId: e.tenantId,
      providerId: d.providerId,
      currency: d.currency,
      change: { heldMinor: d.amountMinor },
    };
  }
  if (isType(e, 'EscrowReleased')) {
    const d = e.payload;
    return {
      tenantId: e.tenantId,
      providerId: d.providerId,
      currency: d.currency,
      change: {
        heldMinor: -d.amountMinor,
        releasedGrossMinor: d.amountMinor,
        releasedNetMinor: d.netMinor,
        feesMinor: d.feeMinor,
      },
    };
  }
  if (isType(e, 'EscrowRefunded')) {
    const d = e.payload;
    // The provider is fixed when the payment is requested; the payment is this event's own
    // aggregate (same partition, projected earlier in offset order), so this read is stable.
    const payment = work.get(PAYMENTS, { id: d.paymentId });
    if (payment instanceof Promise) return payment.then((item) => refundDelta(e, item));
    return refundDelta(e, payment);
  }
  if (isType(e, 'PayoutScheduled')) {
    const d = e.payload;
    return {
      tenantId: e.tenantId,
      providerId: d.providerId,
      currency: d.currency,
      change: { payoutsScheduledMinor: d.amountMinor },
    };
  }
  return null;
}

function refundDelta(e: Envelope<'EscrowRefunded'>, payment: Item | null): Delta {
  const d = e.payload;
  const p = payment?.state as unknown as PaymentState | undefined;
  invariant(
    p !== undefined && isPayment(p),
    `EscrowRefunded ${e.eventId} for unknown payment ${d.paymentId}`,
  );
  return {
    tenantId: e.tenantId,
    providerId: p.providerId,
    currency: d.currency,
    change: { heldMinor: -d.amountMinor, refundedMinor: d.amountMinor },
  };
}

const FIELDS = [
  'heldMinor',
  'releasedGrossMinor',
  'releasedNetMinor',
  'feesMinor',
  'refundedMinor',
  'payoutsScheduledMinor',
] as const;

/** The shard's `f` after `delta`. */
function sum(current: Item | null, delta: Delta, f: (typeof FIELDS)[number]): number {
  const value = ((current?.[f] as number | undefined) ?? 0) + (delta.change[f] ?? 0);
  invariant(Number.isSafeInteger(value), `provider balance ${f} left the safe-integer range`);
  return value;
}

export const providerBalancesProjection: Projection = {
  name: 'provider_balances',
  types: ['EscrowHeld', 'EscrowReleased', 'EscrowRefunded', 'PayoutScheduled'],
  tables: [PROVIDER_BALANCES],
  apply({ envelope: e, position }: ProjectedEvent, work: Work): Maybe<void> {
    const delta = deltaOf(e, work);
    if (delta instanceof Promise) return delta.then((d) => withDelta(position, work, d));
    return withDelta(position, work, delta);
  },
};

function withDelta(position: RecordPosition, work: Work, delta: Delta | null): Maybe<void> {
  if (delta === null) return;
  const key = {
    provider: `${delta.tenantId}|${delta.providerId}`,
    shard: `${delta.currency}|${shardOf(position.partition)}`,
  };
  const current = work.get(PROVIDER_BALANCES, key);
  if (current instanceof Promise) return current.then((c) => addToShard(position, work, delta, key, c));
  addToShard(position, work, delta, key, current);
}

/** The shard after `delta` (staged), unless it already holds the event at `position`. */
function addToShard(
  position: RecordPosition,
  work: Work,
  delta: Delta,
  key: { provider: string; shard: string },
  current: Item | null,
): void {
  if (current !== null && position.offset < (current.v as number)) return; // already applied
  // Attributes listed one by one, in the order spreads of `key` and the sums would give: a
  // literal that starts with a spread and then adds more attributes builds a slow object in V8.
  work.put(PROVIDER_BALANCES, {
    provider: key.provider,
    shard: key.shard,
    tenantId: delta.tenantId,
    providerId: delta.providerId,
    currency: delta.currency,
    partition: position.partition,
    v: position.offset + 1,
    heldMinor: sum(current, delta, 'heldMinor'),
    releasedGrossMinor: sum(current, delta, 'releasedGrossMinor'),
    releasedNetMinor: sum(current, delta, 'releasedNetMinor'),
    feesMinor: sum(current, delta, 'feesMinor'),
    refundedMinor: sum(current, delta, 'refundedMinor'),
    payoutsScheduledMinor: sum(current, delta, 'payoutsScheduledMinor'),
  });
}
