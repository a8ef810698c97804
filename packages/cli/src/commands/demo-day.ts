// The phases of the demo's day over the public API: bank accounts and cards, the payments
// (then waiting, bounded, for the pipeline to decide every one), the operator's fraud reviews,
// the marketplace's escrow actions, and waiting for the short holds to end by themselves.

import { PaystreamError } from '@paystream/core';
import type { ReadQueries } from '@paystream/projections';
import { pool } from './all-in-one.js';
import { DecisionTracker } from './decision-tracker.js';
import type { DemoClient } from './demo-client.js';
import { type ActionCounts, applyEscrowAction, readBack, zeroActionCounts } from './demo-escrow.js';
import type { DemoPlan, PlannedPayment } from './demo-plan.js';
import type { DemoProgress } from './demo-progress.js';
import type { PaymentView } from './demo-summary.js';

/** Requests in flight: enough to keep the pipeline fed on two cores, few enough to keep order. */
export const CONCURRENCY = 8;
/** Auto-released payments are held this long: the day's hold periods, compressed. */
export const AUTO_RELEASE_HOLD_MS = 5_000;
/**
 * The drain bound: the pipeline must decide at least this many payments a second (it does about
 * 60 embedded on two cores today), after a fixed allowance for start-up and stragglers.
 */
const MIN_DECIDED_PER_SECOND = 20;
const DRAIN_ALLOWANCE_MS = 60_000;
/** Bound on waiting for one payment's step to show in the read models. */
export const STEP_WAIT_MS = 60_000;
const PROGRESS_MS = 250;

const UNDECIDED = new Set(['pending', 'authorized']);
const isDecided = (p: Record<string, unknown>) => !UNDECIDED.has(String(p.status));

/** Tokenizes every card and registers every provider's bank account; card ids by plan key. */
export async function registerInstruments(
  client: DemoClient,
  plan: DemoPlan,
  progress: DemoProgress,
): Promise<Map<string, string>> {
  progress.phase('bank accounts and cards', plan.bankAccounts.length + plan.cards.length);
  let done = 0;
  await pool(plan.bankAccounts, CONCURRENCY, async (a) => {
    await client.call('POST', '/v1/bank-accounts', { body: a });
    progress.update(++done);
  });
  const cardIds = new Map<string, string>();
  await pool(plan.cards, CONCURRENCY, async (c) => {
    const r = await client.call('POST', '/v1/payment-methods/cards', {
      body: { customerId: c.customerId, number: c.number, expMonth: 12, expYear: 2035, cvc: '123' },
    });
    if (r !== null) cardIds.set(c.key, String(r.body.id));
    progress.update(++done);
  });
  return cardIds;
}

function paymentBody(p: PlannedPayment, cardId: string, runId: string): Record<string, unknown> {
  return {
    amount: p.amountMinor,
    currency: 'USD',
    customerId: p.customerId,
    providerId: p.providerId,
    paymentMethodId: cardId,
    ...(Object.keys(p.risk).length > 0 ? { risk: p.risk } : {}),
    ...(p.action === 'auto_release'
      ? { escrow: { holdUntil: Date.now() + AUTO_RELEASE_HOLD_MS, autoRelease: true } }
      : {}),
    metadata: { source: 'paystream-demo', run: runId },
  };
}

/**
 * Sends every payment (ids in plan order; null where refused) and follows them until all are
 * decided. Throws when the pipeline does not drain within its bound.
 */
export async function sendPayments(
  client: DemoClient,
  queries: ReadQueries,
  plan: DemoPlan,
  cardIds: ReadonlyMap<string, string>,
  runId: string,
  progress: DemoProgress,
): Promise<(string | null)[]> {
  const n = plan.payments.length;
  const ids: (string | null)[] = new Array(n).fill(null);
  const tracker = new DecisionTracker(queries, 'default');
  const startedMs = performance.now();
  const deadline = startedMs + DRAIN_ALLOWANCE_MS + (n * 1000) / MIN_DECIDED_PER_SECOND;
  let sending = true;
  progress.phase('payments (sent, then decided)', n);
  const ticker = setInterval(() => progress.update(tracker.decided), PROGRESS_MS);
  try {
    const following = tracker.follow(() => !sending, deadline);
    await pool(plan.payments, CONCURRENCY, async (p) => {
      const cardId = cardIds.get(p.cardKey);
      if (cardId === undefined) return; // its tokenization was refused (recorded)
      const r = await client.call('POST', '/v1/payments', {
        body: paymentBody(p, cardId, runId),
        idempotencyKey: `demo-${runId}-${p.index}`,
      });
      if (r === null) return;
      ids[p.index] = String(r.body.id);
      tracker.add([String(r.body.id)]);
    });
    sending = false;
    await following;
  } finally {
    clearInterval(ticker);
    progress.update(tracker.decided);
  }
  if (tracker.pending > 0) {
    const s = Math.round((performance.now() - startedMs) / 1000);
    throw new PaystreamError(
      'demo_pipeline_stalled',
      `the pipeline did not drain: ${tracker.pending} of ${tracker.pending + tracker.decided} payments still undecided after ${s} s (the bound assumes at least ${MIN_DECIDED_PER_SECOND} payments/s); try fewer --payments`,
    );
  }
  return ids;
}

/** Every payment as GET /v1/payments/{id} shows it now (null where there is none). */
export async function fetchPayments(
  client: DemoClient,
  ids: readonly (string | null)[],
): Promise<(PaymentView | null)[]> {
  const views: (PaymentView | null)[] = new Array(ids.length).fill(null);
  await pool(
    ids.map((id, i) => [id, i] as const),
    CONCURRENCY,
    async ([id, i]) => {
      if (id === null) return;
      const r = await client.call('GET', `/v1/payments/${id}`);
      views[i] = r === null ? null : (r.body as unknown as PaymentView);
    },
  );
  return views;
}

/**
 * The operator's fraud reviews: declines what the generator labelled fraud, approves the rest,
 * then waits until each is decided again. Updates `views` in place.
 */
export async function reviewPayments(
  client: DemoClient,
  plan: DemoPlan,
  ids: readonly (string | null)[],
  views: (PaymentView | null)[],
  progress: DemoProgress,
  leave = 0,
): Promise<{ approved: number; declined: number }> {
  const waiting = plan.payments.filter((p) => {
    const v = views[p.index];
    return v?.status === 'pending' && v.pendingStep === 'review';
  });
  // The last `leave` of them stay in the queue (the console shows and tests a live queue).
  const inReview = waiting.slice(0, Math.max(0, waiting.length - leave));
  const outcome = { approved: 0, declined: 0 };
  progress.phase('fraud reviews', inReview.length);
  let done = 0;
  await pool(inReview, CONCURRENCY, async (p) => {
    const id = ids[p.index]!;
    const decision = p.fraud ? 'decline' : 'approve';
    const r = await client.call('POST', `/v1/payments/${id}/review`, {
      body: { decision, note: 'paystream demo: the operator checked it' },
      admin: true,
    });
    if (r === null) return;
    outcome[decision === 'approve' ? 'approved' : 'declined']++;
    const after = await readBack(client, id, String(r.body.position), Date.now() + STEP_WAIT_MS, isDecided);
    if (after !== null) views[p.index] = after as unknown as PaymentView;
    progress.update(++done);
  });
  return outcome;
}

/** Runs each held payment's planned action. */
export async function actOnEscrows(
  client: DemoClient,
  plan: DemoPlan,
  ids: readonly (string | null)[],
  views: readonly (PaymentView | null)[],
  progress: DemoProgress,
): Promise<ActionCounts> {
  const counts = zeroActionCounts();
  const held = plan.payments.filter((p) => views[p.index]?.status === 'held' && views[p.index]?.escrowId);
  progress.phase('escrow actions', held.length);
  let done = 0;
  await pool(held, CONCURRENCY, async (p) => {
    const payment = {
      paymentId: ids[p.index]!,
      escrowId: views[p.index]!.escrowId!,
      amountMinor: p.amountMinor,
      action: p.action,
    };
    await applyEscrowAction(client, payment, counts, Date.now() + STEP_WAIT_MS);
    progress.update(++done);
  });
  return counts;
}

/** Waits (bounded) until every short hold has ended and its payment shows released. */
export async function awaitAutoReleases(
  client: DemoClient,
  plan: DemoPlan,
  ids: readonly (string | null)[],
  views: readonly (PaymentView | null)[],
  progress: DemoProgress,
): Promise<void> {
  const auto = plan.payments.filter((p) => p.action === 'auto_release' && views[p.index]?.escrowId);
  progress.phase('holds ending by themselves', auto.length);
  let done = 0;
  const deadlineMs = Date.now() + AUTO_RELEASE_HOLD_MS + STEP_WAIT_MS;
  await pool(auto, CONCURRENCY, async (p) => {
    await readBack(client, ids[p.index]!, null, deadlineMs, (v) => v.status === 'released');
    progress.update(++done);
  });
}
