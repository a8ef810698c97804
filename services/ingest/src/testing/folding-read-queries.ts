// A small but real ReadQueries for ingest's tests: it reads the events topic from the log and
// folds it — CardTokenized and BankAccountTokenized into token records, the escrow events into
// decider state with escrow's own evolve(). Queries answer from what has been folded so far and
// never read ahead: only catchUp()/waitFor() fold new records, so the tests exercise ingest's
// "miss → catch up once → retry" path exactly as a lagging projection would.
//
// Not the projections service (that one keeps its read models in the ReadStore); this only
// stands in for it where ingest's tests need the port.

import {
  type EscrowEvent,
  evolve,
  initialState,
  isPayment,
  type PaymentState,
  ESCROW_EVENT_TYPES as TYPES,
} from '@paystream/escrow';
import { type EventBus, TOPICS } from '@paystream/eventing';
import { covers, type Position, partitionKey } from '@paystream/log';
import type { BankAccountRef, CardRef, PaymentRef, ReadQueries } from '@paystream/projections';
import type { Envelope } from '@paystream/schemas';

const ESCROW_EVENT_TYPES: ReadonlySet<string> = new Set(TYPES);

const PAGE = 500;

export class FoldingReadQueries implements ReadQueries {
  readonly #bus: EventBus;
  readonly #cursor: Record<string, number> = {};
  readonly #cards = new Map<string, CardRef>();
  readonly #bankAccounts = new Map<string, BankAccountRef>();
  readonly #payments = new Map<string, { state: PaymentState; tenantId: string }>();
  readonly #escrows = new Map<string, string>();
  /** How many times ingest asked to catch up (the read-your-writes path). */
  catchUps = 0;

  constructor(bus: EventBus) {
    this.#bus = bus;
  }

  #apply(e: Envelope): void {
    const k = `${e.tenantId}/${e.aggregateId}`;
    if (e.type === 'CardTokenized') {
      const p = e.payload as Envelope<'CardTokenized'>['payload'];
      const { sealedNumber: _sealed, cardId, ...shown } = p;
      this.#cards.set(k, { id: cardId, tenantId: e.tenantId, ...shown });
    } else if (e.type === 'BankAccountTokenized') {
      const p = e.payload as Envelope<'BankAccountTokenized'>['payload'];
      this.#bankAccounts.set(k, {
        id: p.bankAccountId,
        tenantId: e.tenantId,
        ownerId: p.ownerId,
        routingNumber: p.routingNumber,
        last4: p.last4,
        accountType: p.accountType,
        status: 'active',
      });
    } else if (ESCROW_EVENT_TYPES.has(e.type)) {
      const current = this.#payments.get(k)?.state ?? initialState();
      // The Avro payloads and the decider's event data are the same records (escrow's events.ts).
      const event = { type: e.type, data: e.payload } as unknown as EscrowEvent;
      const state = evolve(current, event);
      this.#payments.set(k, { state, tenantId: e.tenantId });
      if (event.type === 'EscrowHeld')
        this.#escrows.set(`${e.tenantId}/${event.data.escrowId}`, e.aggregateId);
    }
  }

  /** Folds every event appended so far. */
  async #fold(): Promise<void> {
    const log = this.#bus.log;
    const partitions = await log.partitionsOf(TOPICS.events);
    for (let p = 0; p < partitions; p++) {
      const pk = partitionKey(TOPICS.events, p);
      for (;;) {
        const from = this.#cursor[pk] ?? 0;
        const records = await log.read(TOPICS.events, p, from, PAGE);
        if (records.length === 0) break;
        for (const e of await this.#bus.codec.decodeAll(records.map((r) => r.value))) this.#apply(e);
        this.#cursor[pk] = records.at(-1)!.offset + 1;
      }
    }
  }

  async card(tenantId: string, cardId: string): Promise<CardRef | null> {
    return this.#cards.get(`${tenantId}/${cardId}`) ?? null;
  }

  async bankAccount(tenantId: string, bankAccountId: string): Promise<BankAccountRef | null> {
    return this.#bankAccounts.get(`${tenantId}/${bankAccountId}`) ?? null;
  }

  async payment(tenantId: string, paymentId: string): Promise<PaymentRef | null> {
    const found = this.#payments.get(`${tenantId}/${paymentId}`);
    if (!found) return null;
    return {
      id: paymentId,
      tenantId: found.tenantId,
      state: found.state,
      version: isPayment(found.state) ? found.state.version : 0,
    };
  }

  async paymentIdForEscrow(tenantId: string, escrowId: string): Promise<string | null> {
    return this.#escrows.get(`${tenantId}/${escrowId}`) ?? null;
  }

  /** Covers the events-topic part of `position`; commands are escrow's to turn into events. */
  async waitFor(position: Position, _timeoutMs: number): Promise<boolean> {
    await this.#fold();
    const events = Object.fromEntries(
      Object.entries(position).filter(([k]) => k.startsWith(`${TOPICS.events}/`)),
    );
    return covers(this.#cursor, events);
  }

  async catchUp(_timeoutMs: number): Promise<boolean> {
    this.catchUps++;
    await this.#fold();
    return true;
  }
}
