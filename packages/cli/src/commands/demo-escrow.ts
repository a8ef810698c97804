// What the marketplace does with each held payment (the plan's EscrowAction), over the public
// API. Ingest checks every command against the read model, so a step that depends on the one
// before (resolving a dispute, releasing the rest) first reads the payment back with
// `?after=<position>`; the last step is read back too, so the ACH windows see every release.

import type { DemoClient } from './demo-client.js';
import type { EscrowAction } from './demo-plan.js';

export interface HeldPayment {
  readonly paymentId: string;
  readonly escrowId: string;
  readonly amountMinor: number;
  readonly action: EscrowAction;
}

export interface ActionCounts {
  releases: number;
  partialReleases: number;
  refunds: number;
  partialRefunds: number;
  disputesOpened: number;
  disputesResolved: number;
}

export function zeroActionCounts(): ActionCounts {
  return {
    releases: 0,
    partialReleases: 0,
    refunds: 0,
    partialRefunds: 0,
    disputesOpened: 0,
    disputesResolved: 0,
  };
}

const READ_BACK_POLL_MS = 100;

/**
 * The payment once the read models have reached `position` (each GET waits up to 10 s
 * server-side) and `until` holds; asked again until `deadlineMs`, then recorded as unexpected.
 */
export async function readBack(
  client: DemoClient,
  paymentId: string,
  position: string | null,
  deadlineMs: number,
  until: (payment: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown> | null> {
  const path = `/v1/payments/${paymentId}${position === null ? '' : `?after=${encodeURIComponent(position)}`}`;
  for (;;) {
    const r = await client.call('GET', path);
    if (r === null) return null;
    if (r.headers.get('paystream-consistent') !== 'false' && until(r.body)) return r.body;
    if (Date.now() > deadlineMs) {
      client.note({
        what: `GET /v1/payments/${paymentId}`,
        status: r.status,
        code: null,
        message: `still ${String(r.body.status)} when the demo stopped waiting`,
      });
      return null;
    }
    await new Promise((res) => setTimeout(res, READ_BACK_POLL_MS));
  }
}

/** Runs the payment's planned action; returns false when a step was refused (already recorded). */
export async function applyEscrowAction(
  client: DemoClient,
  p: HeldPayment,
  counts: ActionCounts,
  deadlineMs: number,
): Promise<boolean> {
  const escrow = `/v1/escrows/${p.escrowId}`;
  const steps: [string, unknown, keyof ActionCounts][] = [];
  switch (p.action) {
    case 'release':
      steps.push([`${escrow}/release`, {}, 'releases']);
      break;
    case 'partial_release':
      steps.push([`${escrow}/release`, { amount: Math.floor((p.amountMinor * 2) / 5) }, 'partialReleases']);
      steps.push([`${escrow}/release`, {}, 'releases']);
      break;
    case 'partial_refund':
      steps.push([
        `/v1/payments/${p.paymentId}/refunds`,
        { amount: Math.floor(p.amountMinor / 4), reason: 'part of the booking cancelled' },
        'partialRefunds',
      ]);
      steps.push([`${escrow}/release`, {}, 'releases']);
      break;
    case 'refund':
      steps.push([`/v1/payments/${p.paymentId}/refunds`, { reason: 'booking cancelled' }, 'refunds']);
      break;
    case 'dispute_release':
    case 'dispute_refund':
    case 'dispute_open':
      steps.push([
        `${escrow}/disputes`,
        { reason: 'the customer says the service was not done' },
        'disputesOpened',
      ]);
      if (p.action !== 'dispute_open') {
        const outcome = p.action === 'dispute_release' ? 'release' : 'refund';
        steps.push([`${escrow}/disputes/resolve`, { outcome }, 'disputesResolved']);
      }
      break;
    case 'auto_release':
    case 'hold':
      return true; // the hold ends by itself, or has not ended yet
  }
  for (const [path, body, counter] of steps) {
    const r = await client.call('POST', path, { body });
    if (r === null) return false;
    counts[counter]++;
    if ((await readBack(client, p.paymentId, String(r.body.position), deadlineMs)) === null) return false;
  }
  return true;
}
