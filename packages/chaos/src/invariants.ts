// What must hold after the chaos, as pure functions over what was accepted, the events on the
// log and the payments read model — so each can be shown to fail on a broken history
// (invariants.spec.ts). Every failing check names concrete ids (at most MAX_IDS of them).
//
// "Terminal" for this suite: the pipeline has nothing more to do for the payment. From the
// escrow decider's statuses (services/escrow/src/domain/state.ts): `pending` (waiting for
// fraud or the network) and `authorized` (captured next) are on the way; `pending` in step
// `review` waits for a person, not for the pipeline, and counts as decided (as POST
// /v1/payments?wait and the bench count it); held, declined and everything after are terminal.
// A payment sent with an auto-release hold that has ended must be `released` if it was held.

import type { Envelope } from '@paystream/schemas';
import type { Accepted } from './driver.js';

export const MAX_IDS = 20;

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** One line: what was counted, or what is wrong with which ids. */
  readonly detail: string;
}

function check(name: string, bad: readonly string[], okDetail: string, badDetail: string): CheckResult {
  if (bad.length === 0) return { name, ok: true, detail: okDetail };
  const shown = bad.slice(0, MAX_IDS).join(', ');
  return {
    name,
    ok: false,
    detail: `${badDetail}: ${bad.length} — ${shown}${bad.length > MAX_IDS ? ', …' : ''}`,
  };
}

/** The decided status of a payment state as the read model stores it, or null while on the way. */
export function terminalStatus(state: { status?: unknown; pendingStep?: unknown } | null): string | null {
  if (state === null || typeof state.status !== 'string' || state.status === 'none') return null;
  if (state.status === 'pending') return state.pendingStep === 'review' ? 'review' : null;
  if (state.status === 'authorized') return null;
  return state.status;
}

export interface PaymentView {
  readonly id: string;
  readonly state: { status?: unknown; pendingStep?: unknown } | null;
}

/** Slack after a hold ends before the release must show (the hold scheduler ticks every second). */
export const RELEASE_GRACE_MS = 30_000;

/** Every accepted payment decided, once; auto-released ones released; nothing unexplained. */
export function checkPayments(
  accepted: ReadonlyMap<string, Accepted>,
  payments: readonly PaymentView[],
  nowMs: number,
): { results: CheckResult[]; statuses: Record<string, number> } {
  const byId = new Map<string, PaymentView>();
  const duplicatedItems: string[] = [];
  for (const p of payments) {
    if (byId.has(p.id)) duplicatedItems.push(p.id);
    byId.set(p.id, p);
  }
  const ids = new Map<string, string>(); // payment id → idempotency key
  const sharedIds: string[] = [];
  for (const [key, a] of accepted) {
    const other = ids.get(a.id);
    if (other !== undefined) sharedIds.push(`${a.id} (keys ${other} and ${key})`);
    ids.set(a.id, key);
  }
  const missing: string[] = [];
  const undecided: string[] = [];
  const notReleased: string[] = [];
  const statuses: Record<string, number> = {};
  for (const [key, a] of accepted) {
    const p = byId.get(a.id);
    if (!p) {
      missing.push(`${a.id} (${key})`);
      continue;
    }
    const status = terminalStatus(p.state);
    if (status === null) {
      undecided.push(`${a.id}=${String(p.state?.status)}`);
      continue;
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (a.holdUntilMs !== null && a.holdUntilMs + RELEASE_GRACE_MS < nowMs && status === 'held')
      notReleased.push(`${a.id} (hold ended ${new Date(a.holdUntilMs).toISOString()})`);
  }
  const unexplained = [...byId.keys()].filter((id) => !ids.has(id));
  return {
    statuses,
    results: [
      check(
        'one payment per idempotency key',
        sharedIds,
        `${accepted.size} keys, ${ids.size} payment ids`,
        'payment ids answered for two keys',
      ),
      check(
        'every accepted payment is in the read model',
        [...missing, ...duplicatedItems],
        `${accepted.size} of ${accepted.size}`,
        'missing',
      ),
      check(
        'every accepted payment has a terminal status',
        undecided,
        JSON.stringify(statuses),
        'still on the way',
      ),
      check(
        'auto-release payments whose hold ended are released',
        notReleased,
        `${[...accepted.values()].filter((a) => a.holdUntilMs !== null).length} with a hold`,
        'still held',
      ),
      check(
        'no payment in the read model that was not accepted',
        unexplained,
        `${byId.size} payments`,
        'unexplained payments',
      ),
    ],
  };
}

interface PerPayment {
  requested: number;
  decided: number;
  held: number;
  captured: number;
  released: number;
  refunded: number;
  captureEntries: number;
  releaseEntries: number;
}

export interface LogFigures {
  readonly events: number;
  readonly journalEntries: number;
  readonly totalsByCurrency: Record<string, { debits: number; credits: number }>;
  readonly commandRejections: number;
}

/**
 * The events log (decoded, every partition) against what was accepted: each event once, each
 * payment requested and decided once, each money movement posted exactly once, and every
 * posting balanced — per entry and in total.
 */
export function checkEventLog(
  accepted: ReadonlyMap<string, Accepted>,
  events: readonly Envelope[],
  /** Payments the read model shows waiting for a review: requested, not decided yet. */
  awaitingReview: ReadonlySet<string> = new Set(),
): { results: CheckResult[]; figures: LogFigures } {
  const seenEvents = new Set<string>();
  const duplicatedEvents: string[] = [];
  const perPayment = new Map<string, PerPayment>();
  const at = (id: string): PerPayment => {
    let p = perPayment.get(id);
    if (!p) {
      p = {
        requested: 0,
        decided: 0,
        held: 0,
        captured: 0,
        released: 0,
        refunded: 0,
        captureEntries: 0,
        releaseEntries: 0,
      };
      perPayment.set(id, p);
    }
    return p;
  };
  const eventType = new Map<string, string>(); // event id → type, for journal sources
  const entries = new Set<string>();
  const duplicatedEntries: string[] = [];
  const sources = new Set<string>();
  const duplicatedSources: string[] = [];
  const unbalanced: string[] = [];
  const totals: Record<string, { debits: number; credits: number }> = {};
  let commandRejections = 0;
  const journal: Envelope<'JournalEntryPosted'>[] = [];

  for (const e of events) {
    if (seenEvents.has(e.eventId)) duplicatedEvents.push(`${e.eventId} (${e.type} of ${e.aggregateId})`);
    seenEvents.add(e.eventId);
    eventType.set(e.eventId, e.type);
    switch (e.type) {
      case 'PaymentRequested':
        at(e.aggregateId).requested += 1;
        break;
      case 'EscrowHeld':
        at(e.aggregateId).decided += 1;
        at(e.aggregateId).held += 1;
        break;
      case 'PaymentDeclined':
        at(e.aggregateId).decided += 1;
        break;
      case 'PaymentCaptured':
        at(e.aggregateId).captured += 1;
        break;
      case 'EscrowReleased':
        at(e.aggregateId).released += 1;
        break;
      case 'EscrowRefunded':
        at(e.aggregateId).refunded += 1;
        break;
      case 'CommandRejected':
        commandRejections += 1;
        break;
      case 'JournalEntryPosted':
        journal.push(e as Envelope<'JournalEntryPosted'>);
        break;
    }
  }
  for (const e of journal) {
    const entry = e.payload;
    if (entries.has(entry.entryId)) duplicatedEntries.push(entry.entryId);
    entries.add(entry.entryId);
    if (sources.has(entry.sourceEventId)) duplicatedSources.push(`${entry.sourceEventId} (${entry.entryId})`);
    sources.add(entry.sourceEventId);
    const sums: Record<string, number> = {};
    for (const p of entry.postings) {
      if (!Number.isSafeInteger(p.amountMinor)) unbalanced.push(`${entry.entryId} (non-integer amount)`);
      sums[p.currency] = (sums[p.currency] ?? 0) + p.amountMinor;
      const t = totals[p.currency] ?? { debits: 0, credits: 0 };
      if (p.amountMinor > 0) t.debits += p.amountMinor;
      else t.credits -= p.amountMinor;
      totals[p.currency] = t;
    }
    for (const [currency, sum] of Object.entries(sums))
      if (sum !== 0) unbalanced.push(`${entry.entryId} (${currency} ${sum})`);
    const source = eventType.get(entry.sourceEventId);
    if (source === 'PaymentCaptured') at(e.aggregateId).captureEntries += 1;
    if (source === 'EscrowReleased') at(e.aggregateId).releaseEntries += 1;
  }

  const acceptedIds = new Set([...accepted.values()].map((a) => a.id));
  const requestedOnce: string[] = [];
  const decidedOnce: string[] = [];
  const capturedOnce: string[] = [];
  const postedOnce: string[] = [];
  for (const id of acceptedIds) {
    const p = perPayment.get(id);
    if (p?.requested !== 1) requestedOnce.push(`${id}×${p?.requested ?? 0}`);
    const decisions = awaitingReview.has(id) ? 0 : 1;
    if (!p || p.decided !== decisions) decidedOnce.push(`${id}×${p?.decided ?? 0}`);
    if (p && (p.captured !== p.held || p.captured > 1)) capturedOnce.push(`${id} captured×${p.captured}`);
    if (p && (p.captureEntries !== p.captured || p.releaseEntries !== p.released))
      postedOnce.push(
        `${id} capture entries ${p.captureEntries}/${p.captured}, release entries ${p.releaseEntries}/${p.released}`,
      );
  }
  const unexplained = [...perPayment.entries()]
    .filter(([id, p]) => p.requested > 0 && !acceptedIds.has(id))
    .map(([id]) => id);
  const notZero = Object.entries(totals)
    .filter(([, t]) => t.debits !== t.credits)
    .map(([c, t]) => `${c} debits ${t.debits} credits ${t.credits}`);

  return {
    figures: {
      events: events.length,
      journalEntries: entries.size,
      totalsByCurrency: totals,
      commandRejections,
    },
    results: [
      check('no event appears twice in the log', duplicatedEvents, `${events.length} events`, 'duplicated'),
      check(
        'every accepted payment was requested once and decided once',
        [...requestedOnce, ...decidedOnce],
        `${acceptedIds.size} payments`,
        'not exactly once',
      ),
      check(
        'no payment on the log that was not accepted',
        unexplained,
        `${perPayment.size} payment aggregates`,
        'unexplained',
      ),
      check('each held payment captured exactly once', capturedOnce, 'ok', 'wrong capture count'),
      check(
        'no journal entry is duplicated',
        [...duplicatedEntries, ...duplicatedSources],
        `${entries.size} entries, one per money movement`,
        'duplicated entries or sources',
      ),
      check(
        'each capture and release posted exactly once',
        postedOnce,
        `${journal.length} entries checked`,
        'wrong',
      ),
      check(
        'every journal entry balances and the trial balance is zero',
        [...unbalanced, ...notZero],
        JSON.stringify(totals),
        'unbalanced',
      ),
    ],
  };
}
