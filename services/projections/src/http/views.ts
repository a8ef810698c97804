// How read-model items look over HTTP: amounts in integer minor units, times as ISO 8601,
// nothing internal (versions, shard keys, decider bookkeeping) unless it helps the caller.

import { isPayment, type PaymentState } from '@paystream/escrow';
import type { Item } from '@paystream/readstore';
import type { PaymentMovement } from '../projections/payments.js';

const iso = (ms: unknown): string | null => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

export function paymentView(p: Item): Record<string, unknown> {
  const s = p.state as unknown as PaymentState;
  if (!isPayment(s)) return { id: p.id, status: 'none' };
  const fraud = p.fraud as {
    score: number;
    decision: string;
    reasons: unknown[];
    modelVersion: string;
  } | null;
  return {
    id: p.id,
    status: s.status,
    pendingStep: s.pendingStep,
    amount: s.amountMinor,
    currency: s.currency,
    customerId: s.customerId,
    providerId: s.providerId,
    paymentMethodId: s.paymentMethodId,
    platformFeeBps: s.platformFeeBps,
    escrowId: s.escrowId,
    escrow: { holdUntil: iso(s.holdUntilMs), autoRelease: s.autoRelease },
    fraud: fraud
      ? {
          score: fraud.score,
          decision: fraud.decision,
          reasons: fraud.reasons,
          modelVersion: fraud.modelVersion,
        }
      : null,
    decline: p.decline ?? null,
    amounts: {
      captured: s.capturedMinor,
      held: s.heldMinor,
      frozen: s.frozenMinor,
      released: s.releasedMinor,
      fees: s.feesMinor,
      refunded: s.refundedMinor,
    },
    releases: ((p.movements ?? []) as unknown as PaymentMovement[])
      .filter((m) => m.kind === 'release')
      .map((m) => ({
        id: m.id,
        amount: m.amountMinor,
        fee: m.feeMinor,
        net: m.netMinor,
        trigger: m.trigger,
        at: iso(m.atMs),
      })),
    refunds: ((p.movements ?? []) as unknown as PaymentMovement[])
      .filter((m) => m.kind === 'refund')
      .map((m) => ({ id: m.id, amount: m.amountMinor, reason: m.trigger, at: iso(m.atMs) })),
    metadata: p.metadata ?? {},
    createdAt: iso(p.createdAtMs),
    authorizedAt: iso(p.authorizedAtMs),
    capturedAt: iso(p.capturedAtMs),
    updatedAt: iso(p.updatedAtMs),
    version: p.v,
  };
}

export function escrowView(e: Item): Record<string, unknown> {
  return {
    id: e.id,
    paymentId: e.paymentId,
    providerId: e.providerId,
    status: e.status,
    currency: e.currency,
    amount: e.amountMinor,
    held: e.heldMinor,
    frozen: e.frozenMinor,
    released: e.releasedMinor,
    fees: e.feesMinor,
    refunded: e.refundedMinor,
    platformFeeBps: e.platformFeeBps,
    holdUntil: iso(e.holdUntilMs),
    autoRelease: e.autoRelease,
    disputes: (
      (e.disputes ?? []) as { id: string; reason: string; openedAtMs: number; outcome: string | null }[]
    ).map((d) => ({
      id: d.id,
      reason: d.reason,
      openedAt: iso(d.openedAtMs),
      outcome: d.outcome,
    })),
    createdAt: iso(e.createdAtMs),
    updatedAt: iso(e.updatedAtMs),
    version: e.v,
  };
}

/**
 * `fileDigest` (HMAC-SHA256 of the NACHA file under the platform's secret digest key) is shown
 * to admin keys only: files closed before the HMAC carry a plain SHA-256, from which an account
 * number can be brute-forced given the entry fields a read key also sees.
 */
export function batchView(b: Item, admin = false): Record<string, unknown> {
  return {
    id: b.id,
    fileId: b.fileId,
    windowId: b.windowId,
    entryCount: b.entryCount,
    totalCredit: b.totalCreditMinor,
    totalDebit: b.totalDebitMinor,
    currency: b.currency,
    payoutIds: b.payoutIds,
    ...(admin ? { fileDigest: b.fileSha256 } : {}),
    closedAt: iso(b.closedAtMs),
  };
}

/** Sealed (encrypted) card and account numbers are not shown, even encrypted. */
export function redactPayload(payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object') return payload;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload as Record<string, unknown>)) {
    if (k === 'fileSha256') out[k] = '[redacted]';
    else out[k] = /^sealed/i.test(k) && v !== null ? '[sealed]' : v;
  }
  return out;
}
