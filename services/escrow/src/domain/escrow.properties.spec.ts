// Property tests: random marketplaces (a few payments, shared providers, mixed currencies)
// driven by random command sequences, legal and illegal, well-formed and not. Whatever
// happens, no payment reaches an illegal state, every journal entry balances, the postings sum
// to zero, and the ledger and the payments agree on where every cent is.

import { PaystreamError } from '@paystream/core';
import {
  ACCOUNTS,
  balanceOf,
  foldEntries,
  type JournalEntry,
  providerPayable,
  trialBalance,
} from '@paystream/ledger';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EscrowCommand } from './commands.js';
import { decide } from './decide.js';
import { evolveAll } from './evolve.js';
import { recordDecision } from './postings.js';
import { initialState, isPayment, type Payment, type PaymentState, type PaymentStatus } from './state.js';

const T0 = Date.UTC(2026, 0, 5, 15, 0, 0);
const DAY_MS = 86_400_000;

interface PaymentSpec {
  readonly paymentId: string;
  readonly providerId: string;
  readonly currency: 'USD' | 'EUR' | 'JPY';
  readonly amountMinor: number;
  readonly platformFeeBps: number;
  readonly holdUntilMs: number | null;
  readonly autoRelease: boolean;
  /** Start with the happy path to `held` (fraud approve, authorize, capture), so runs go deep. */
  readonly startHeld: boolean;
}

const paymentSpecArb = (index: number): fc.Arbitrary<PaymentSpec> =>
  fc.record({
    paymentId: fc.constant(`pay_${index}`),
    providerId: fc.constantFrom('prov_dogwalker', 'prov_cleaner', 'prov_tutor'),
    currency: fc.constantFrom('USD', 'EUR', 'JPY'),
    amountMinor: fc.oneof(fc.integer({ min: 100, max: 500_000 }), fc.integer({ min: 1, max: 400 })),
    platformFeeBps: fc.oneof(fc.constant(800), fc.integer({ min: 0, max: 10_000 })),
    holdUntilMs: fc.option(fc.integer({ min: T0, max: T0 + 14 * DAY_MS }), { nil: null }),
    autoRelease: fc.boolean(),
    startHeld: fc.boolean(),
  });

/** A command shape; `at` picks the payment, amounts are fractions of that payment's amount. */
type Step =
  | { kind: 'request' }
  | { kind: 'fraud'; decision: 'approve' | 'review' | 'decline'; score: number }
  | { kind: 'approveReview' }
  | { kind: 'declineReview' }
  | { kind: 'authorize'; exact: boolean }
  | { kind: 'networkDecline' }
  | { kind: 'capture' }
  | { kind: 'release'; amount: Amount }
  | { kind: 'tick'; nowMs: number }
  | { kind: 'refund'; amount: Amount }
  | { kind: 'dispute' }
  | { kind: 'resolve'; outcome: 'release' | 'refund' };

/** null = everything held; a fraction of the payment; or a deliberately bad amount. */
type Amount = null | { permille: number } | { raw: number };

const amountArb: fc.Arbitrary<Amount> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 1_100 }).map((permille) => ({ permille })) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 0.5, Number.NaN, 1e20).map((raw) => ({ raw })) },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'request' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('fraud' as const),
      decision: fc.constantFrom('approve', 'approve', 'approve', 'approve', 'review', 'decline'),
      score: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(1001)),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'approveReview' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'declineReview' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('authorize' as const),
      exact: fc.constantFrom(true, true, true, false),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'networkDecline' as const }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'capture' as const }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('release' as const), amount: amountArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      nowMs: fc.integer({ min: T0, max: T0 + 15 * DAY_MS }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('refund' as const), amount: amountArb }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'dispute' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('resolve' as const),
      outcome: fc.constantFrom('release', 'refund'),
    }),
  },
);

const scenarioArb = fc.integer({ min: 1, max: 4 }).chain((count) =>
  fc.record({
    payments: fc.tuple(...Array.from({ length: count }, (_, i) => paymentSpecArb(i))),
    // size 'max': fast-check otherwise keeps arrays short, and short runs never get past capture.
    steps: fc.array(fc.record({ at: fc.nat({ max: count - 1 }), step: stepArb }), {
      maxLength: 60,
      size: 'max',
    }),
  }),
);

function toAmount(a: Amount, spec: PaymentSpec): number | null {
  if (a === null) return null;
  if ('raw' in a) return a.raw;
  return Math.max(1, Math.floor((spec.amountMinor * a.permille) / 1_000));
}

function toCommand(spec: PaymentSpec, step: Step, commandId: string): EscrowCommand {
  const metadata = { commandId };
  switch (step.kind) {
    case 'request':
      return {
        type: 'RequestPayment',
        metadata,
        data: {
          paymentId: spec.paymentId,
          customerId: 'cus_random',
          providerId: spec.providerId,
          paymentMethodId: 'pm_random',
          amountMinor: spec.amountMinor,
          currency: spec.currency,
          platformFeeBps: spec.platformFeeBps,
          holdUntilMs: spec.holdUntilMs,
          autoRelease: spec.autoRelease,
          metadata: {},
          risk: null,
          idempotencyKey: null,
        },
      };
    case 'fraud':
      return {
        type: 'ApplyFraudAssessment',
        metadata,
        data: { score: step.score, decision: step.decision, reasons: [], modelVersion: 'prop' },
      };
    case 'approveReview':
      return { type: 'ApproveReview', metadata, data: { reviewerId: 'admin', note: null } };
    case 'declineReview':
      return { type: 'DeclineReview', metadata, data: { reviewerId: 'admin', reason: null } };
    case 'authorize':
      return {
        type: 'RecordAuthorization',
        metadata,
        data: {
          authorizationId: `auth_${spec.paymentId}`,
          amountMinor: step.exact ? spec.amountMinor : spec.amountMinor + 1,
          currency: spec.currency,
          networkReference: null,
        },
      };
    case 'networkDecline':
      return { type: 'RecordNetworkDecline', metadata, data: { code: 'card_declined', message: 'declined' } };
    case 'capture':
      return { type: 'Capture', metadata, data: { captureId: `cap_${spec.paymentId}` } };
    case 'release':
      return { type: 'Release', metadata, data: { amountMinor: toAmount(step.amount, spec) } };
    case 'tick':
      return { type: 'ReleaseExpiredHold', metadata, data: { nowMs: step.nowMs } };
    case 'refund':
      return { type: 'Refund', metadata, data: { amountMinor: toAmount(step.amount, spec), reason: null } };
    case 'dispute':
      return { type: 'OpenDispute', metadata, data: { reason: 'service not delivered' } };
    case 'resolve':
      return { type: 'ResolveDispute', metadata, data: { outcome: step.outcome } };
  }
}

interface RunResult {
  readonly states: PaymentState[];
  readonly entries: JournalEntry[];
  readonly eventIds: string[];
  readonly statuses: Set<PaymentStatus>;
}

/** Runs a scenario the way the service will: decide, record, evolve; rejections change nothing. */
function run(payments: readonly PaymentSpec[], steps: readonly { at: number; step: Step }[]): RunResult {
  const states: PaymentState[] = payments.map(() => initialState());
  const entries: JournalEntry[] = [];
  const eventIds: string[] = [];
  const statuses = new Set<PaymentStatus>();
  // Every payment is requested first (half of them taken on to held); the random steps may
  // request it again, capture it twice, … and must be refused.
  const prefix = payments.flatMap((spec, at) => [
    { at, step: { kind: 'request' } as Step },
    ...(spec.startHeld
      ? ([
          { kind: 'fraud', decision: 'approve', score: 100 },
          { kind: 'authorize', exact: true },
          { kind: 'capture' },
        ] as Step[])
      : []
    ).map((step) => ({ at, step })),
  ]);
  const all = [...prefix, ...steps];
  all.forEach(({ at, step }, n) => {
    const spec = payments[at]!;
    const before = states[at]!;
    const snapshot = structuredClone(before);
    const command = toCommand(spec, step, `cmd_${n}`);
    let events: ReturnType<typeof decide>;
    try {
      events = decide(command, before);
    } catch (e) {
      // Only business rejections are allowed; an InvariantViolation or TypeError fails the test.
      if (!(e instanceof PaystreamError)) throw e;
      expect(before).toEqual(snapshot);
      return;
    }
    expect(events.length).toBeGreaterThan(0);
    // A redelivered command decides identically.
    expect(decide(command, before)).toEqual(events);
    const recorded = recordDecision(spec.paymentId, command.metadata.commandId, events);
    entries.push(...recorded.journalEntries);
    eventIds.push(...recorded.events.map((r) => r.eventId));
    const after = evolveAll(before, events); // asserts every invariant after every event
    expect(before).toEqual(snapshot);
    states[at] = after;
    if (isPayment(after)) statuses.add(after.status);
  });
  return { states, entries, eventIds, statuses };
}

const reached = new Set<PaymentStatus>();

describe('escrow properties', () => {
  it('random command sequences keep every payment legal and every cent accounted for', () => {
    fc.assert(
      fc.property(scenarioArb, ({ payments, steps }) => {
        const { states, entries, eventIds, statuses } = run(payments, steps);
        for (const s of statuses) reached.add(s);

        // Event ids are unique across the whole run.
        expect(new Set(eventIds).size).toBe(eventIds.length);

        // Every journal entry is balanced per currency (summed here, independently of the ledger).
        for (const entry of entries) {
          const sums = new Map<string, number>();
          for (const p of entry.postings) sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amountMinor);
          for (const s of sums.values()) expect(s).toBe(0);
        }

        // The sum of all postings is zero per currency, and the trial balance balances.
        const total = new Map<string, number>();
        for (const p of entries.flatMap((e) => e.postings))
          total.set(p.currency, (total.get(p.currency) ?? 0) + p.amountMinor);
        for (const s of total.values()) expect(s).toBe(0);
        const balances = foldEntries(entries);
        expect(trialBalance(balances).balanced).toBe(true);

        // Per payment: released to provider + fees + refunded + still held + frozen = captured.
        const paid = states.filter(isPayment) as Payment[];
        expect(paid).toHaveLength(payments.length);
        for (const p of paid) {
          const net = p.releasedMinor - p.feesMinor;
          expect(net + p.feesMinor + p.refundedMinor + p.heldMinor + p.frozenMinor).toBe(p.capturedMinor);
          expect(net).toBeGreaterThanOrEqual(0);
        }

        // The ledger (postings only) and the payments (events only) agree, account by account.
        for (const currency of ['USD', 'EUR', 'JPY']) {
          const mine = paid.filter((p) => p.currency === currency);
          const sum = (f: (p: Payment) => number, ps: Payment[] = mine) => ps.reduce((s, p) => s + f(p), 0);
          expect(balanceOf(balances, ACCOUNTS.gatewayClearing, currency)).toBe(
            sum((p) => p.capturedMinor - p.refundedMinor),
          );
          expect(balanceOf(balances, ACCOUNTS.escrowHeld, currency)).toBe(0 - sum((p) => p.heldMinor));
          expect(balanceOf(balances, ACCOUNTS.escrowDisputed, currency)).toBe(0 - sum((p) => p.frozenMinor));
          expect(balanceOf(balances, ACCOUNTS.platformFees, currency)).toBe(0 - sum((p) => p.feesMinor));
          for (const providerId of new Set(mine.map((p) => p.providerId))) {
            const theirs = mine.filter((p) => p.providerId === providerId);
            expect(balanceOf(balances, providerPayable(providerId), currency)).toBe(
              0 - sum((p) => p.releasedMinor - p.feesMinor, theirs),
            );
          }
        }
      }),
      { numRuns: 400 },
    );
    // The generator must actually exercise the machine: every status was reached somewhere.
    expect([...reached].sort()).toEqual(
      [
        'authorized',
        'declined',
        'disputed',
        'held',
        'partially_refunded',
        'partially_released',
        'pending',
        'refunded',
        'released',
      ].sort(),
    );
  });

  it('replaying the same commands gives the same events, ids and entries (redelivery is harmless)', () => {
    fc.assert(
      fc.property(scenarioArb, ({ payments, steps }) => {
        const first = run(payments, steps);
        const second = run(payments, steps);
        expect(second.eventIds).toEqual(first.eventIds);
        expect(second.entries).toEqual(first.entries);
        expect(second.states).toEqual(first.states);
      }),
      { numRuns: 100 },
    );
  });
});
