// The load: payments POSTed to ingest with `concurrency` in flight, each with its own
// Idempotency-Key and a body fixed in advance. Whatever goes wrong on the way — ingest killed
// mid-request, the broker restarting (5xx), a claim left in progress by a killed ingest (409
// idempotency_in_progress until its lease ends), the rate limit (429) — the request is sent
// again with the SAME key and the SAME body, which is what makes it effectively once. Only an
// answer that can never change (202, or a 4xx that is not about timing) ends a payment.

import { TEST_CARDS } from '@paystream/escrow';
import { luhnCheckDigit } from '@paystream/ingest';

export interface PaymentJob {
  readonly index: number;
  readonly idempotencyKey: string;
  readonly body: Readonly<Record<string, unknown>>;
  /**
   * Held for this long after its first send, then released automatically (the body gets
   * escrow.holdUntil at the first send and keeps it on every retry). Null: held until released.
   */
  readonly holdMs: number | null;
}

export interface Accepted {
  readonly id: string;
  readonly status: string;
  readonly attempts: number;
  /** When its hold ends (auto-released payments only). */
  readonly holdUntilMs: number | null;
  /** The exact body sent (the same on every retry). */
  readonly payload: string;
}

export interface Refused {
  readonly idempotencyKey: string;
  readonly status: number;
  readonly body: string;
}

export interface DriveStats {
  sent: number;
  connectionErrors: number;
  serverErrors: number;
  rateLimited: number;
  inProgress: number;
  /** Keys still unanswered at the deadline. */
  gaveUp: number;
  maxAttempts: number;
}

export interface DriveResult {
  /** Idempotency key → the payment ingest accepted. */
  readonly accepted: Map<string, Accepted>;
  readonly refused: Refused[];
  readonly stats: DriveStats;
  readonly elapsedMs: number;
}

export interface DriveOptions {
  readonly url: string;
  /** Bearer keys, used in turn (the per-key rate limit is 10,000 requests a minute). */
  readonly keys: readonly string[];
  readonly jobs: readonly PaymentJob[];
  readonly concurrency: number;
  /** Wall-clock deadline (epoch ms) after which unanswered payments are given up. */
  readonly deadlineMs: number;
  readonly requestTimeoutMs?: number;
  readonly onAccepted?: (job: PaymentJob, accepted: Accepted) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Backoff for attempt n (1-based): 100 ms doubling to 2 s, with jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(2_000, 100 * 2 ** Math.min(attempt - 1, 5));
  return Math.round(base / 2 + random() * (base / 2));
}

export type Outcome =
  | { readonly kind: 'accepted'; readonly id: string; readonly status: string }
  | {
      readonly kind: 'retry';
      readonly why: 'server' | 'rate_limited' | 'in_progress';
      readonly waitMs?: number;
    }
  | { readonly kind: 'refused' };

/** What an answer to POST /v1/payments means for the driver. */
export function classify(status: number, body: string, retryAfter: string | null): Outcome {
  if (status === 202 || status === 201 || status === 200) {
    const parsed = JSON.parse(body) as { id?: unknown; status?: unknown };
    if (typeof parsed.id !== 'string') return { kind: 'retry', why: 'server' };
    return { kind: 'accepted', id: parsed.id, status: String(parsed.status) };
  }
  if (status === 429) {
    const s = Number(retryAfter);
    return { kind: 'retry', why: 'rate_limited', waitMs: Number.isFinite(s) && s > 0 ? s * 1000 : 1_000 };
  }
  if (status === 409 && body.includes('idempotency_in_progress'))
    return { kind: 'retry', why: 'in_progress' };
  if (status >= 500) return { kind: 'retry', why: 'server' };
  return { kind: 'refused' };
}

export async function drivePayments(options: DriveOptions): Promise<DriveResult> {
  const started = Date.now();
  const accepted = new Map<string, Accepted>();
  const refused: Refused[] = [];
  const stats: DriveStats = {
    sent: 0,
    connectionErrors: 0,
    serverErrors: 0,
    rateLimited: 0,
    inProgress: 0,
    gaveUp: 0,
    maxAttempts: 0,
  };
  const timeoutMs = options.requestTimeoutMs ?? 30_000;

  const one = async (job: PaymentJob): Promise<void> => {
    const holdUntilMs = job.holdMs === null ? null : Date.now() + job.holdMs;
    const payload = JSON.stringify(
      holdUntilMs === null
        ? job.body
        : { ...job.body, escrow: { holdUntil: new Date(holdUntilMs).toISOString(), autoRelease: true } },
    );
    for (let attempt = 1; ; attempt++) {
      if (Date.now() > options.deadlineMs) {
        stats.gaveUp += 1;
        return;
      }
      stats.sent += 1;
      stats.maxAttempts = Math.max(stats.maxAttempts, attempt);
      let status: number;
      let text: string;
      let retryAfter: string | null;
      try {
        const res = await fetch(`${options.url}/v1/payments`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.keys[(job.index + attempt) % options.keys.length]}`,
            'content-type': 'application/json',
            'idempotency-key': job.idempotencyKey,
          },
          body: payload,
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        text = await res.text();
        retryAfter = res.headers.get('retry-after');
      } catch {
        // Refused, reset or timed out: ingest is down or was killed mid-request.
        stats.connectionErrors += 1;
        await sleep(backoffMs(attempt));
        continue;
      }
      const outcome = classify(status, text, retryAfter);
      if (outcome.kind === 'accepted') {
        const a: Accepted = {
          id: outcome.id,
          status: outcome.status,
          attempts: attempt,
          holdUntilMs,
          payload,
        };
        accepted.set(job.idempotencyKey, a);
        options.onAccepted?.(job, a);
        return;
      }
      if (outcome.kind === 'refused') {
        refused.push({ idempotencyKey: job.idempotencyKey, status, body: text.slice(0, 500) });
        return;
      }
      if (outcome.why === 'rate_limited') stats.rateLimited += 1;
      else if (outcome.why === 'in_progress') stats.inProgress += 1;
      else stats.serverErrors += 1;
      // A claim left by a killed ingest frees up when its lease ends (60 s): poll gently.
      await sleep(outcome.waitMs ?? (outcome.why === 'in_progress' ? 2_000 : backoffMs(attempt)));
    }
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, options.concurrency) }, async () => {
      for (let i = next++; i < options.jobs.length; i = next++) await one(options.jobs[i]!);
    }),
  );
  return { accepted, refused, stats, elapsedMs: Date.now() - started };
}

/** The simulator's documented cards (ARCHITECTURE.md §5) some customers pay with, for declines. */
export const DECLINED_BY_NETWORK = TEST_CARDS.declined;
export const INSUFFICIENT_FUNDS = TEST_CARDS.insufficientFunds;
export const ALWAYS_FRAUD = TEST_CARDS.fraud;

/**
 * Customer i's card: mostly a distinct Luhn-valid Visa-like number (none of the simulator's
 * special cards), and for one customer in 50 each, a card the network declines, one without
 * funds, and the card fraud always declines — so every kind of decision happens under chaos.
 */
export function chaosCardNumber(i: number): string {
  if (i % 50 === 7) return DECLINED_BY_NETWORK;
  if (i % 50 === 13) return INSUFFICIENT_FUNDS;
  if (i % 50 === 29) return ALWAYS_FRAUD;
  const body = `4716${String(i).padStart(11, '0')}`;
  return body + luhnCheckDigit(body);
}

export interface JobPlan {
  readonly runId: string;
  readonly payments: number;
  readonly cards: readonly { readonly customerId: string; readonly cardId: string }[];
  readonly providers: number;
  /** Every n-th payment is auto-released when its hold of `holdMs` ends (0: none). */
  readonly autoReleaseEvery: number;
  /** Longer than ingest's idempotency lease (60 s), so a retry never finds its hold passed. */
  readonly holdMs: number;
}

/** The payments to send, each body fixed once (a retry must send the very same body). */
export function planJobs(plan: JobPlan): PaymentJob[] {
  return Array.from({ length: plan.payments }, (_, i) => {
    const card = plan.cards[i % plan.cards.length]!;
    const autoRelease = plan.autoReleaseEvery > 0 && i % plan.autoReleaseEvery === 0;
    return {
      index: i,
      idempotencyKey: `chaos-${plan.runId}-${i}`,
      holdMs: autoRelease ? plan.holdMs : null,
      body: {
        amount: 1_000 + ((i * 7_919) % 49_000),
        currency: 'USD',
        customerId: card.customerId,
        providerId: `prv_chaos_${i % plan.providers}`,
        paymentMethodId: card.cardId,
        metadata: { chaosIndex: String(i) },
      },
    };
  });
}
