// The console's overview figures, from payment read-model items: pure functions over items
// already loaded (no I/O, no clock), so the figures are tested on plain data and the HTTP
// route only scans and hands over.

import type { Item } from '@paystream/readstore';

export const RANGES = {
  hour: { ms: 3_600_000, buckets: 12 },
  day: { ms: 86_400_000, buckets: 24 },
  week: { ms: 7 * 86_400_000, buckets: 28 },
} as const;
export type RangeName = keyof typeof RANGES;

export function isRangeName(s: string): s is RangeName {
  return Object.hasOwn(RANGES, s);
}

interface PaymentFacts {
  readonly status: string;
  readonly pendingStep: string | null;
  readonly amountMinor: number;
  readonly capturedMinor: number;
  readonly createdAtMs: number;
  readonly decidedAtMs: number | null;
  readonly fraudDecision: string | null;
  readonly declineCode: string | null;
}

/** What the overview needs of one payments item (the decider state plus projection fields). */
export function paymentFacts(p: Item): PaymentFacts | null {
  const s = p.state as Record<string, unknown> | null;
  if (s === null || typeof s !== 'object' || s.status === 'none') return null;
  const decline = p.decline as { code?: string } | null;
  const fraud = p.fraud as { decision?: string } | null;
  const status = String(s.status);
  // Decided: authorized by the network, or declined (the decline is its last event).
  const decidedAtMs =
    typeof p.authorizedAtMs === 'number'
      ? p.authorizedAtMs
      : status === 'declined'
        ? (p.updatedAtMs as number)
        : null;
  return {
    status,
    pendingStep: (s.pendingStep as string | null) ?? null,
    amountMinor: Number(s.amountMinor ?? 0),
    capturedMinor: Number(s.capturedMinor ?? 0),
    createdAtMs: p.createdAtMs as number,
    decidedAtMs,
    fraudDecision: fraud?.decision ?? null,
    declineCode: decline?.code ?? null,
  };
}

/** Nearest-rank percentile of sorted values (null when there are none). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Bucket {
  readonly start: string;
  payments: number;
  amountMinor: number;
  succeeded: number;
  declined: number;
}

export interface Overview {
  readonly range: RangeName;
  readonly from: string;
  readonly to: string;
  payments: number;
  amountMinor: number;
  captured: number;
  capturedMinor: number;
  succeeded: number;
  declined: number;
  pending: number;
  /** Succeeded over decided, in basis points (null before anything is decided). */
  successRateBps: number | null;
  readonly byStatus: Record<string, number>;
  readonly declinesByReason: Record<string, number>;
  readonly fraudDecisions: Record<string, number>;
  reviewBacklog: number;
  /** Request to authorization or decline, for payments no person reviewed. */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; samples: number };
  readonly series: Bucket[];
}

const bump = (o: Record<string, number>, k: string) => {
  o[k] = (o[k] ?? 0) + 1;
};

export function summarize(items: readonly Item[], range: RangeName, toMs: number): Overview {
  const { ms, buckets } = RANGES[range];
  const fromMs = toMs - ms;
  const width = ms / buckets;
  const series: Bucket[] = Array.from({ length: buckets }, (_, i) => ({
    start: new Date(fromMs + i * width).toISOString(),
    payments: 0,
    amountMinor: 0,
    succeeded: 0,
    declined: 0,
  }));
  const o: Overview = {
    range,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    payments: 0,
    amountMinor: 0,
    captured: 0,
    capturedMinor: 0,
    succeeded: 0,
    declined: 0,
    pending: 0,
    successRateBps: null,
    byStatus: {},
    declinesByReason: {},
    fraudDecisions: {},
    reviewBacklog: 0,
    latencyMs: { p50: null, p95: null, p99: null, samples: 0 },
    series,
  };
  const latencies: number[] = [];
  for (const item of items) {
    const p = paymentFacts(item);
    if (p === null || p.createdAtMs < fromMs || p.createdAtMs >= toMs) continue;
    const b = series[Math.min(buckets - 1, Math.floor((p.createdAtMs - fromMs) / width))]!;
    o.payments++;
    o.amountMinor += p.amountMinor;
    b.payments++;
    b.amountMinor += p.amountMinor;
    bump(o.byStatus, p.status);
    if (p.capturedMinor > 0) {
      o.captured++;
      o.capturedMinor += p.capturedMinor;
    }
    if (p.status === 'declined') {
      o.declined++;
      b.declined++;
      bump(o.declinesByReason, p.declineCode ?? 'unknown');
    } else if (p.status === 'pending' || p.status === 'authorized') {
      o.pending++;
      if (p.pendingStep === 'review') o.reviewBacklog++;
    } else {
      o.succeeded++;
      b.succeeded++;
    }
    if (p.fraudDecision !== null) bump(o.fraudDecisions, p.fraudDecision);
    if (p.decidedAtMs !== null && p.fraudDecision !== 'review') latencies.push(p.decidedAtMs - p.createdAtMs);
  }
  const decided = o.succeeded + o.declined;
  o.successRateBps = decided === 0 ? null : Math.round((o.succeeded * 10_000) / decided);
  latencies.sort((a, b) => a - b);
  o.latencyMs = {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    samples: latencies.length,
  };
  return o;
}
