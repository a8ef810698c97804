// A realistic, deterministic event history for tests and benchmarks, produced by driving the
// real escrow decider (so every payment's events obey its invariants) and chaining every event
// onto its aggregate with the real codec (so audit verify accepts it). Around the payments:
// cards and bank accounts being tokenized, ACH windows netting releases into payouts, files
// closing, a few returns, and commands the decider refuses.
//
// Nothing here is random at run time: a seeded PRNG makes the same seed produce the same
// history, byte for byte.

import { deterministicId, mulberry32 } from '@paystream/core';
import {
  commandRejected,
  decide,
  type EscrowCommand,
  type EscrowEvent,
  evolve,
  initialState,
  isPayment,
  type PaymentState,
  recordDecision,
} from '@paystream/escrow';
import { ACCOUNTS, credit, debit, journalEntry, providerPayable } from '@paystream/ledger';
import {
  type Envelope,
  type EnvelopeCodec,
  GENESIS_HASH,
  type Payloads,
  type PayloadType,
} from '@paystream/schemas';

export interface HistoryOptions {
  readonly seed?: number;
  /** Stop once at least this many events were produced. */
  readonly minEvents: number;
  readonly tenants?: readonly string[];
  readonly providersPerTenant?: number;
  readonly customersPerTenant?: number;
  readonly startMs?: number;
  /**
   * Mixed into every generated id, so histories appended to a shared log (a Kafka broker used
   * by other tests) do not share aggregates. Absent: the ids of earlier versions.
   */
  readonly idNamespace?: string;
}

const prng = mulberry32;

const BRANDS = [
  { brand: 'visa', bin: '424242' },
  { brand: 'mastercard', bin: '555555' },
  { brand: 'amex', bin: '378282' },
  { brand: 'discover', bin: '601111' },
] as const;

export class HistoryGenerator {
  readonly #codec: EnvelopeCodec;
  readonly #heads = new Map<string, { version: number; hash: string }>();
  readonly #rand: () => number;
  #nowMs: number;
  #seq = 0;
  readonly #idParts: readonly string[];
  readonly out: Envelope[] = [];

  constructor(codec: EnvelopeCodec, seed: number, startMs: number, idNamespace?: string) {
    this.#codec = codec;
    this.#idParts = idNamespace === undefined ? [] : [idNamespace];
    this.#rand = prng(seed);
    this.#nowMs = startMs;
  }

  rand(): number {
    return this.#rand();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.#rand() * (max - min + 1));
  }

  tick(maxMs = 5_000): number {
    this.#nowMs += this.int(1, maxMs);
    return this.#nowMs;
  }

  id(prefix: string): string {
    this.#seq += 1;
    return deterministicId(prefix, ...this.#idParts, String(this.#seq));
  }

  emit<T extends PayloadType>(
    tenantId: string,
    aggregateId: string,
    type: T,
    payload: Payloads[T],
    causationId: string | null = null,
    eventId?: string,
  ): Envelope<T> {
    const head = this.#heads.get(aggregateId) ?? { version: 0, hash: GENESIS_HASH };
    const e = this.#codec.chain(
      {
        eventId: eventId ?? this.id('evt'),
        type,
        aggregateId,
        aggregateVersion: head.version + 1,
        tenantId,
        occurredAtMs: this.tick(),
        causationId,
        correlationId: aggregateId,
        payload,
      },
      head.hash,
    );
    this.#heads.set(aggregateId, { version: e.aggregateVersion, hash: e.hash });
    this.out.push(e);
    return e;
  }
}

interface Pending {
  readonly tenantId: string;
  readonly providerId: string;
  readonly bankAccountId: string;
  netMinor: number;
  readonly releaseIds: string[];
}

/** Generates a history of at least `minEvents` events. */
export function generateHistory(codec: EnvelopeCodec, options: HistoryOptions): Envelope[] {
  const g = new HistoryGenerator(
    codec,
    options.seed ?? 42,
    options.startMs ?? Date.UTC(2026, 0, 5, 14, 0, 0),
    options.idNamespace,
  );
  const tenants = options.tenants ?? ['default', 'acme'];
  const providersPerTenant = options.providersPerTenant ?? 40;
  const customersPerTenant = options.customersPerTenant ?? 200;

  const bankAccounts = new Map<string, string>();
  const providerIds = (t: string) => Array.from({ length: providersPerTenant }, (_, i) => `prov_${t}_${i}`);
  for (const t of tenants) {
    for (const providerId of providerIds(t)) {
      const bankAccountId = g.id('ba');
      bankAccounts.set(`${t}|${providerId}`, bankAccountId);
      g.emit(t, bankAccountId, 'BankAccountTokenized', {
        bankAccountId,
        ownerId: providerId,
        routingNumber: '011000015',
        last4: String(g.int(0, 9999)).padStart(4, '0'),
        accountType: g.rand() < 0.8 ? 'checking' : 'savings',
        holderName: `Provider ${providerId}`,
        holderType: g.rand() < 0.7 ? 'individual' : 'business',
        fingerprint: g.id('fp'),
        sealedAccountNumber: 'sealed:v1:synthetic-test-ciphertext',
      });
    }
  }
  const cards = new Map<string, string>();
  const cardFor = (t: string, customerId: string): string => {
    const k = `${t}|${customerId}`;
    const existing = cards.get(k);
    if (existing && g.rand() < 0.9) return existing;
    const cardId = g.id('card');
    const b = BRANDS[g.int(0, BRANDS.length - 1)]!;
    g.emit(t, cardId, 'CardTokenized', {
      cardId,
      customerId,
      brand: b.brand,
      bin: b.bin,
      last4: String(g.int(0, 9999)).padStart(4, '0'),
      expMonth: g.int(1, 12),
      expYear: 2027 + g.int(0, 5),
      fingerprint: g.id('fp'),
      sealedNumber: 'sealed:v1:synthetic-test-ciphertext',
    });
    cards.set(k, cardId);
    return cardId;
  };

  const pending = new Map<string, Pending>();
  const payouts: {
    id: string;
    tenantId: string;
    bankAccountId: string;
    amountMinor: number;
    providerId: string;
  }[] = [];
  let paymentsSinceWindow = 0;

  const run = (
    tenantId: string,
    paymentId: string,
    state: PaymentState,
    command: EscrowCommand,
  ): PaymentState => {
    let events: EscrowEvent[];
    try {
      events = decide(command, state);
    } catch (err) {
      const rejection = commandRejected(command, err, paymentId);
      g.emit(
        tenantId,
        `cmd_${command.metadata.commandId}`,
        'CommandRejected',
        rejection,
        command.metadata.commandId,
      );
      return state;
    }
    const decision = recordDecision(paymentId, command.metadata.commandId, events);
    let next = state;
    for (const r of decision.events) {
      g.emit<PayloadType>(
        tenantId,
        paymentId,
        r.event.type,
        r.event.data as unknown as Payloads[PayloadType],
        command.metadata.commandId,
        r.eventId,
      );
      next = evolve(next, r.event);
      if (r.event.type === 'EscrowReleased') {
        const d = r.event.data;
        const k = `${tenantId}|${d.providerId}`;
        const p = pending.get(k) ?? {
          tenantId,
          providerId: d.providerId,
          bankAccountId: bankAccounts.get(k)!,
          netMinor: 0,
          releaseIds: [],
        };
        p.netMinor += d.netMinor;
        p.releaseIds.push(d.releaseId);
        pending.set(k, p);
      }
    }
    for (const entry of decision.journalEntries) {
      g.emit(
        tenantId,
        paymentId,
        'JournalEntryPosted',
        { ...entry, postings: [...entry.postings] },
        command.metadata.commandId,
      );
    }
    return next;
  };

  let returnsSoFar = 0; // the first payout always comes back (R02), so every history has one
  let unsettled: { id: string; tenantId: string; amountMinor: number }[] = [];
  const closeWindow = (): void => {
    // The previous window's payouts settle (effective date reached): in transit → bank.
    for (const p of unsettled) {
      const entry = journalEntry({
        sourceEventId: `${p.id}:settled`,
        description: `payout ${p.id} settled`,
        postings: [
          debit(ACCOUNTS.achInTransit, p.amountMinor, 'USD'),
          credit(ACCOUNTS.bankOperating, p.amountMinor, 'USD'),
        ],
      });
      g.emit(p.tenantId, p.id, 'JournalEntryPosted', { ...entry, postings: [...entry.postings] });
    }
    unsettled = [];
    const windowId = g.id('win');
    const byTenant = new Map<string, string[]>();
    for (const p of pending.values()) {
      if (p.netMinor <= 0) continue;
      const payoutId = g.id('po');
      g.emit(p.tenantId, payoutId, 'PayoutScheduled', {
        payoutId,
        providerId: p.providerId,
        bankAccountId: p.bankAccountId,
        amountMinor: p.netMinor,
        currency: 'USD',
        windowId,
        effectiveDate: '2026-01-06',
        releaseIds: [...p.releaseIds],
      });
      const entry = journalEntry({
        sourceEventId: payoutId,
        description: `payout ${payoutId}`,
        postings: [
          debit(providerPayable(p.providerId), p.netMinor, 'USD'),
          credit(ACCOUNTS.achInTransit, p.netMinor, 'USD'),
        ],
      });
      g.emit(p.tenantId, payoutId, 'JournalEntryPosted', { ...entry, postings: [...entry.postings] });
      payouts.push({
        id: payoutId,
        tenantId: p.tenantId,
        bankAccountId: p.bankAccountId,
        amountMinor: p.netMinor,
        providerId: p.providerId,
      });
      unsettled.push({ id: payoutId, tenantId: p.tenantId, amountMinor: p.netMinor });
      byTenant.set(p.tenantId, [...(byTenant.get(p.tenantId) ?? []), payoutId]);
    }
    pending.clear();
    for (const [tenantId, ids] of byTenant) {
      const batchId = g.id('batch');
      const total = payouts.filter((p) => ids.includes(p.id)).reduce((s, p) => s + p.amountMinor, 0);
      g.emit(tenantId, batchId, 'AchBatchClosed', {
        batchId,
        fileId: g.id('file'),
        windowId,
        objectKey: `ach/${batchId}.ach.sealed`,
        entryCount: ids.length,
        totalCreditMinor: total,
        totalDebitMinor: 0,
        currency: 'USD',
        payoutIds: ids,
        fileSha256: g.id('sha'),
      });
      // About one payout in fifty comes back.
      for (const payoutId of ids) {
        const first = returnsSoFar === 0;
        if (!first && g.rand() >= 0.02) continue;
        returnsSoFar += 1;
        const p = payouts.find((x) => x.id === payoutId)!;
        const returnId = g.id('ret');
        const code = first || g.rand() < 0.5 ? 'R02' : 'R01';
        unsettled = unsettled.filter((u) => u.id !== payoutId);
        // As the ACH batcher does: the return, its reversal and the account change are appended
        // on the payout's aggregate.
        g.emit(tenantId, payoutId, 'AchReturnReceived', {
          returnId,
          payoutId,
          traceNumber: String(g.int(1, 99_999_999)).padStart(15, '0'),
          returnCode: code,
          description: code === 'R01' ? 'Insufficient funds' : 'Account closed',
          amountMinor: p.amountMinor,
          currency: 'USD',
          bankAccountId: p.bankAccountId,
        });
        const entry = journalEntry({
          sourceEventId: returnId,
          description: `return ${returnId} of payout ${payoutId}`,
          postings: [
            debit(ACCOUNTS.achInTransit, p.amountMinor, 'USD'),
            credit(providerPayable(p.providerId), p.amountMinor, 'USD'),
          ],
        });
        g.emit(tenantId, payoutId, 'JournalEntryPosted', { ...entry, postings: [...entry.postings] });
        if (code === 'R02') {
          g.emit(tenantId, payoutId, 'BankAccountUpdated', {
            bankAccountId: p.bankAccountId,
            status: 'closed',
            reason: 'R02 account closed',
            routingNumber: null,
            accountType: null,
            last4: null,
            sealedAccountNumber: null,
          });
        }
      }
    }
  };

  let n = 0;
  while (g.out.length < options.minEvents) {
    n += 1;
    const tenantId = tenants[n % tenants.length]!;
    const customerId = `cus_${tenantId}_${g.int(0, customersPerTenant - 1)}`;
    const providerId = providerIds(tenantId)[g.int(0, providersPerTenant - 1)]!;
    const paymentId = g.id('pay');
    const cmd = (type: EscrowCommand['type'], data: unknown): EscrowCommand =>
      ({ type, data, metadata: { commandId: g.id('cmd') } }) as EscrowCommand;
    const amountMinor = g.int(100, 500_000);
    let s: PaymentState = initialState();
    s = run(
      tenantId,
      paymentId,
      s,
      cmd('RequestPayment', {
        paymentId,
        customerId,
        providerId,
        paymentMethodId: cardFor(tenantId, customerId),
        amountMinor,
        currency: 'USD',
        platformFeeBps: g.rand() < 0.8 ? 800 : g.int(0, 2000),
        holdUntilMs: null,
        autoRelease: false,
        metadata: { order: `ord_${n}` },
        risk: null,
        idempotencyKey: `idem_${n}`,
      }),
    );
    const roll = g.rand();
    const decision = roll < 0.9 ? 'approve' : roll < 0.95 ? 'review' : 'decline';
    s = run(
      tenantId,
      paymentId,
      s,
      cmd('ApplyFraudAssessment', {
        score:
          decision === 'approve' ? g.int(0, 400) : decision === 'review' ? g.int(401, 700) : g.int(701, 1000),
        decision,
        reasons: [
          {
            code: 'amount_vs_history',
            description: 'amount vs customer history',
            contribution: g.int(1, 300),
          },
        ],
        modelVersion: 'gen-1',
      }),
    );
    if (decision === 'review') {
      s =
        g.rand() < 0.7
          ? run(tenantId, paymentId, s, cmd('ApproveReview', { reviewerId: 'admin', note: null }))
          : run(tenantId, paymentId, s, cmd('DeclineReview', { reviewerId: 'admin', reason: 'suspicious' }));
    }
    if (isPayment(s) && s.pendingStep === 'authorization') {
      s =
        g.rand() < 0.96
          ? run(
              tenantId,
              paymentId,
              s,
              cmd('RecordAuthorization', {
                authorizationId: g.id('auth'),
                amountMinor,
                currency: 'USD',
                networkReference: null,
              }),
            )
          : run(
              tenantId,
              paymentId,
              s,
              cmd('RecordNetworkDecline', { code: 'insufficient_funds', message: 'declined by the network' }),
            );
    }
    if (isPayment(s) && s.status === 'authorized') {
      s = run(tenantId, paymentId, s, cmd('Capture', { captureId: g.id('cap') }));
      const path = g.rand();
      if (path < 0.6) {
        s = run(tenantId, paymentId, s, cmd('Release', { amountMinor: null }));
      } else if (path < 0.75) {
        s = run(
          tenantId,
          paymentId,
          s,
          cmd('Release', { amountMinor: Math.max(1, Math.floor(amountMinor / 3)) }),
        );
        s = run(tenantId, paymentId, s, cmd('Release', { amountMinor: null }));
      } else if (path < 0.85) {
        s = run(
          tenantId,
          paymentId,
          s,
          cmd('Refund', { amountMinor: Math.max(1, Math.floor(amountMinor / 4)), reason: 'partial' }),
        );
        s = run(tenantId, paymentId, s, cmd('Release', { amountMinor: null }));
      } else if (path < 0.92) {
        s = run(tenantId, paymentId, s, cmd('OpenDispute', { reason: 'not as described' }));
        s = run(
          tenantId,
          paymentId,
          s,
          cmd('ResolveDispute', { outcome: g.rand() < 0.5 ? 'release' : 'refund' }),
        );
      } else {
        s = run(tenantId, paymentId, s, cmd('Refund', { amountMinor: null, reason: 'cancelled' }));
      }
      // Now and then a client asks for something illegal: the decider refuses it.
      if (g.rand() < 0.03) s = run(tenantId, paymentId, s, cmd('Release', { amountMinor: null }));
    }
    paymentsSinceWindow += 1;
    if (paymentsSinceWindow >= 200) {
      closeWindow();
      paymentsSinceWindow = 0;
    }
  }
  closeWindow();
  return g.out;
}
