// The processor's in-memory state: each payment's decider state and chain head, for the
// partitions this member owns. It is only ever filled from the events topic — the source of
// truth — so it cannot disagree with what was committed:
//   * a partition is loaded (read from offset 0) the first time a batch arrives for it;
//   * a batch that does not start exactly where our last batch for that partition ended means
//     our last commit failed (redelivery) or another member processed in between (rebalance):
//     the partition is reloaded;
//   * within a batch, decisions go into an overlay that becomes the cache only if the handler
//     finishes; the commit itself is atomic with the events (log port), and a failed commit
//     shows up as the offset gap above.

import { type ChainHead, type EventBus, NEW_CHAIN, TOPICS } from '@paystream/eventing';
import type { Envelope } from '@paystream/schemas';
import type { EscrowEvent } from '../domain/events.js';
import { ESCROW_EVENT_TYPES as TYPES } from '../domain/events.js';
import { evolve, initialState, type PaymentState } from '../domain/index.js';

export interface CachedPayment {
  readonly tenantId: string;
  readonly state: PaymentState;
  readonly head: ChainHead;
}

const ESCROW_EVENT_TYPES: ReadonlySet<string> = new Set(TYPES);

/** Reads per request when loading a partition (bounded; loads page through). */
const LOAD_PAGE = 5_000;

export class PaymentCache {
  readonly #payments = new Map<number, Map<string, CachedPayment>>();
  /** commands partition → the offset our next batch must start at for the cache to be valid */
  readonly #expectedNext = new Map<number, number>();
  /** Partitions loaded only for the hold scheduler → when. */
  readonly #scanLoadedAt = new Map<number, number>();

  constructor(private readonly bus: EventBus) {}

  /** Applies an event of a payment stream (escrow events and the journal entries in them). */
  static apply(current: CachedPayment | undefined, e: Envelope): CachedPayment | undefined {
    if (current === undefined && e.type !== 'PaymentRequested') return undefined;
    const base = current ?? { tenantId: e.tenantId, state: initialState(), head: NEW_CHAIN };
    if (e.aggregateVersion <= base.head.version) return base; // already applied
    const state = ESCROW_EVENT_TYPES.has(e.type)
      ? evolve(base.state, { type: e.type, data: e.payload } as unknown as EscrowEvent)
      : base.state;
    return { tenantId: base.tenantId, state, head: { version: e.aggregateVersion, hash: e.hash } };
  }

  async #load(partition: number): Promise<Map<string, CachedPayment>> {
    const payments = await this.#read(partition);
    this.#payments.set(partition, payments);
    this.#scanLoadedAt.delete(partition);
    return payments;
  }

  async #read(partition: number): Promise<Map<string, CachedPayment>> {
    const payments = new Map<string, CachedPayment>();
    for (let from = 0; ; ) {
      const page = await this.bus.log.read(TOPICS.events, partition, from, LOAD_PAGE);
      if (page.length === 0) break;
      for (const e of await this.bus.codec.decodeAll(page.map((r) => r.value))) {
        const next = PaymentCache.apply(payments.get(e.aggregateId), e);
        if (next) payments.set(e.aggregateId, next);
      }
      from = page.at(-1)!.offset + 1;
    }
    return payments;
  }

  /**
   * Loads partitions no command batch has reached since this process started, so the hold
   * scheduler sees every held payment after a restart, not only those of partitions that got a
   * new command (a quiet partition's holds would otherwise never end). Such scan-only partitions
   * are re-read once they are older than `maxAgeMs`; a partition the processor has consumed
   * stays as the processor keeps it. A load never replaces a partition the processor settled
   * meanwhile.
   */
  async loadUnconsumed(partitions: number, nowMs: number, maxAgeMs: number): Promise<void> {
    for (let p = 0; p < partitions; p++) {
      if (this.#expectedNext.has(p)) continue;
      const loadedAt = this.#scanLoadedAt.get(p);
      if (this.#payments.has(p) && loadedAt !== undefined && nowMs - loadedAt < maxAgeMs) continue;
      if (this.#payments.has(p) && loadedAt === undefined) continue; // being loaded for a batch
      const payments = await this.#read(p);
      if (this.#expectedNext.has(p)) continue; // the processor took over while we read
      this.#payments.set(p, payments);
      this.#scanLoadedAt.set(p, nowMs);
    }
  }

  /** The partition's payments, (re)loaded if this batch does not continue our last one. */
  async forBatch(partition: number, firstOffset: number): Promise<Map<string, CachedPayment>> {
    const cached = this.#payments.get(partition);
    if (cached && this.#expectedNext.get(partition) === firstOffset) return cached;
    return await this.#load(partition);
  }

  /** After a handler finished: the overlay becomes the cache; the next batch must start at `nextOffset`. */
  settle(partition: number, overlay: ReadonlyMap<string, CachedPayment>, nextOffset: number): void {
    const payments = this.#payments.get(partition);
    if (!payments) return;
    for (const [id, p] of overlay) payments.set(id, p);
    this.#expectedNext.set(partition, nextOffset);
  }

  /** Forget a partition (a failed batch); it is reloaded on its next batch. */
  invalidate(partition: number): void {
    this.#payments.delete(partition);
    this.#expectedNext.delete(partition);
    this.#scanLoadedAt.delete(partition);
  }

  *all(): Iterable<[string, CachedPayment]> {
    for (const m of this.#payments.values()) yield* m;
  }
}
