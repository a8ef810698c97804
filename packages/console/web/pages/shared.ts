// Pieces several pages show: a payment's status, a row link, waiting for a change to show.

import type { Api, Json } from '../api.js';
import { badge, h } from '../dom.js';
import { label } from '../format.js';

export interface PaymentView extends Json {
  id: string;
  status: string;
  pendingStep: string | null;
  amount: number;
  currency: string;
  customerId: string;
  providerId: string;
  escrowId: string | null;
  fraud: {
    score: number;
    decision: string;
    reasons: { code: string; description: string; contribution: number }[];
    modelVersion: string;
  } | null;
  decline: { stage: string; code: string; message: string } | null;
  amounts: {
    captured: number;
    held: number;
    frozen: number;
    released: number;
    fees: number;
    refunded: number;
  };
  createdAt: string;
}

const TONE: Record<string, 'ok' | 'bad' | 'warn' | 'neutral'> = {
  released: 'ok',
  held: 'neutral',
  partially_released: 'neutral',
  partially_refunded: 'neutral',
  refunded: 'warn',
  declined: 'bad',
  disputed: 'warn',
  pending: 'warn',
  authorized: 'neutral',
};

export function statusBadge(p: { status: string; pendingStep?: string | null }) {
  const text = p.status === 'pending' && p.pendingStep ? `pending: ${p.pendingStep}` : label(p.status);
  return badge(text, TONE[p.status] ?? 'neutral');
}

export function paymentLink(id: string) {
  return h('a', { href: `#/payments/${encodeURIComponent(id)}`, class: 'mono' }, id);
}

/** Polls a payment until `done` holds (bounded), so an action's result is shown, not assumed. */
export async function waitForPayment(
  api: Api,
  id: string,
  done: (p: PaymentView) => boolean,
  timeoutMs = 15_000,
): Promise<PaymentView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await api.get<PaymentView>(`/v1/payments/${encodeURIComponent(id)}`);
    if (done(p) || Date.now() > deadline) return p;
    await new Promise((r) => setTimeout(r, 250));
  }
}
