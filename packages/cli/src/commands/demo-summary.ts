// The demo's summary: what the day moved, what was declined and why, where the escrows ended,
// what ACH paid out, whether the books balance, and what it all cost against a card processor.
// Built from the public API's answers; `--json` prints it as is, otherwise renderSummary().

import type { WrittenFile } from './demo-ach.js';
import type { Unexpected } from './demo-client.js';
import type { ActionCounts } from './demo-escrow.js';
import type { PlannedPayment } from './demo-plan.js';

export interface DemoSummary {
  readonly engine: string;
  readonly seed: number;
  /** How the day's time was compressed (the running system has no simulated clock). */
  readonly clock: string;
  readonly elapsedS: number;
  readonly traffic: {
    customers: number;
    cards: number;
    providers: number;
    patterns: Record<string, number>;
  };
  readonly volume: {
    currency: string;
    payments: number;
    amountMinor: number;
    captured: number;
    capturedMinor: number;
  };
  readonly declines: { total: number; byReason: Record<string, number> };
  readonly fraud: {
    decisions: Record<string, number>;
    /** Per generator pattern: payments, and how many the fraud service reviewed or declined. */
    byPattern: Record<string, { payments: number; flagged: number }>;
    reviews: { approved: number; declined: number };
  };
  readonly escrows: Record<string, number>;
  readonly actions: ActionCounts;
  readonly ach: {
    windowCloses: number;
    /** NACHA entries each close wrote (the second pays late releases and returned money). */
    entriesPerClose: number[];
    files: number;
    entries: number;
    totalMinor: number;
    returns: { code: string; amountMinor: number; providerId: string }[];
    notifications: { changeCode: string; changed: string[] }[];
  };
  readonly trialBalance: {
    balanced: boolean;
    currencies: { currency: string; debits: number; credits: number }[];
  };
  readonly costs: {
    payments: number;
    volumeMinor: number;
    ourCostMinor: number;
    processorBaselineMinor: number;
    savingMinor: number;
    savingBps: number;
  };
  readonly audit: { ok: boolean; events: number };
  readonly unexpected: { count: number; first: Unexpected[] };
  /** Balanced, nonzero books, a verified audit chain and nothing unexpected. */
  readonly ok: boolean;
}

/** A payment as GET /v1/payments/{id} shows it (the fields the summary reads). */
export interface PaymentView {
  readonly status: string;
  readonly pendingStep?: string | null;
  readonly escrowId?: string | null;
  readonly fraud?: { decision: string } | null;
  readonly decline?: { code: string } | null;
  readonly amounts?: { captured: number };
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Sorted keys, so two runs print and compare alike. */
function sorted<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function paymentFigures(plan: readonly PlannedPayment[], views: readonly (PaymentView | null)[]) {
  const volume = { currency: 'USD', payments: plan.length, amountMinor: 0, captured: 0, capturedMinor: 0 };
  const byReason: Record<string, number> = {};
  const decisions: Record<string, number> = {};
  const byPattern: Record<string, { payments: number; flagged: number }> = {};
  const escrows: Record<string, number> = {};
  plan.forEach((p, i) => {
    const v = views[i] ?? null;
    volume.amountMinor += p.amountMinor;
    const pattern = byPattern[p.pattern] ?? { payments: 0, flagged: 0 };
    byPattern[p.pattern] = pattern;
    pattern.payments++;
    if (v === null) return;
    const captured = v.amounts?.captured ?? 0;
    if (captured > 0) {
      volume.captured++;
      volume.capturedMinor += captured;
    }
    if (v.decline) bump(byReason, v.decline.code);
    if (v.fraud) bump(decisions, v.fraud.decision);
    if (v.fraud && v.fraud.decision !== 'approve') pattern.flagged++;
    if (v.escrowId) bump(escrows, v.status);
  });
  const total = Object.values(byReason).reduce((a, b) => a + b, 0);
  return {
    volume,
    declines: { total, byReason: sorted(byReason) },
    decisions: sorted(decisions),
    byPattern: sorted(byPattern),
    escrows: sorted(escrows),
  };
}

/** What the window closes wrote: one list of files per close. */
export function achFigures(closes: readonly (readonly WrittenFile[])[]) {
  const files = closes.flat();
  return {
    windowCloses: closes.length,
    entriesPerClose: closes.map((c) => c.reduce((a, f) => a + f.entryCount, 0)),
    files: files.length,
    entries: files.reduce((a, f) => a + f.entryCount, 0),
    totalMinor: files.reduce((a, f) => a + f.totalCreditMinor, 0),
  };
}

function dollars(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

function counts(o: Record<string, number>): string {
  const entries = Object.entries(o);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

export function renderSummary(s: DemoSummary): string {
  const patterns = Object.entries(s.fraud.byPattern)
    .map(([k, v]) => `${k} ${v.flagged}/${v.payments}`)
    .join(', ');
  const tb = s.trialBalance.currencies
    .map((c) => `${c.currency} debits ${dollars(c.debits)} = credits ${dollars(c.credits)}`)
    .join('; ');
  const rows: [string, string][] = [
    ['engine', `${s.engine}, seed ${s.seed}, ${s.elapsedS} s`],
    ['clock', s.clock],
    [
      'traffic',
      `${s.traffic.customers} customers, ${s.traffic.cards} cards, ${s.traffic.providers} providers with bank accounts`,
    ],
    [
      'volume',
      `${s.volume.payments} payments, ${dollars(s.volume.amountMinor)}; captured ${s.volume.captured}, ${dollars(s.volume.capturedMinor)}`,
    ],
    ['declines', `${s.declines.total}: ${counts(s.declines.byReason)}`],
    ['fraud decisions', counts(s.fraud.decisions)],
    ['flagged / payments', patterns],
    ['reviews', `approved ${s.fraud.reviews.approved}, declined ${s.fraud.reviews.declined}`],
    ['escrow states', counts(s.escrows)],
    ['escrow actions', counts(s.actions as unknown as Record<string, number>)],
    [
      'ACH',
      `${s.ach.windowCloses} window closes, ${s.ach.files} files, ${s.ach.entries} entries (${s.ach.entriesPerClose.join(' + ')}), ${dollars(s.ach.totalMinor)}`,
    ],
    [
      'ACH returns',
      `${s.ach.returns.map((r) => `${r.code} ${dollars(r.amountMinor)} (${r.providerId})`).join(', ') || 'none'}; NOCs: ${s.ach.notifications.map((n) => n.changeCode).join(', ') || 'none'}`,
    ],
    ['trial balance', `${s.trialBalance.balanced ? 'balanced' : 'NOT BALANCED'}: ${tb || 'no postings'}`],
    [
      'cost',
      `ours ${dollars(s.costs.ourCostMinor)} vs processor ${dollars(s.costs.processorBaselineMinor)}: saving ${dollars(s.costs.savingMinor)} (${s.costs.savingBps} bps of ${dollars(s.costs.volumeMinor)})`,
    ],
    ['audit chain', s.audit.ok ? `verified (${s.audit.events} events)` : 'FAILED'],
    [
      'unexpected',
      s.unexpected.count === 0
        ? 'nothing'
        : `${s.unexpected.count}: ${s.unexpected.first.map((u) => `${u.what} → ${u.status ?? '-'} ${u.code ?? ''} ${u.message}`).join(' | ')}`,
    ],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
