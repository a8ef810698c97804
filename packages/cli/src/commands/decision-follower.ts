// Following the bench's payments on the log, so the bench's own observation costs the read
// store nothing (polling the read model was most of the GetItems it once counted):
//   decided — the payment's decision appears on the events topic (EscrowHeld, PaymentDeclined,
//             or FraudAssessed sending it to review), seen by a consumer group of the bench's own;
//   visible — the projections group has committed past that record, so the read models hold it
//             (projections commit a batch's offsets only after writing its items).

import { TOPICS } from '@paystream/eventing';
import { type EventLog, partitionKey, type Subscription } from '@paystream/log';
import { PROJECTIONS_GROUP } from '@paystream/projections';
import type { EnvelopeCodec } from '@paystream/schemas';

const POLL_MS = 50;

interface Decision {
  readonly status: string;
  readonly partition: number;
  readonly offset: number;
  readonly atMs: number;
}

export class DecisionFollower {
  /** Accepted payments not yet decided. */
  readonly #pending = new Set<string>();
  /** Decisions seen before the load reported their payment as accepted. */
  readonly #early = new Map<string, Decision>();
  /** Decided, not yet visible: per partition, offsets in order. */
  readonly #unseen = new Map<string, number[]>();
  #subscription: Subscription | undefined;
  decided = 0;
  lastDecidedAt = 0;
  visible = 0;
  lastVisibleAt = 0;
  readonly statuses: Record<string, number> = {};

  private constructor(
    private readonly log: EventLog,
    private readonly codec: EnvelopeCodec,
  ) {}

  /** Joins a group of its own at the end of the events topic; resolves once it holds partitions. */
  static async start(log: EventLog, codec: EnvelopeCodec, groupId: string): Promise<DecisionFollower> {
    const f = new DecisionFollower(log, codec);
    let assigned!: () => void;
    const ready = new Promise<void>((r) => {
      assigned = r;
    });
    f.#subscription = await log.subscribe(
      {
        groupId,
        topics: [TOPICS.events],
        start: 'end',
        maxBatchRecords: 5_000,
        onAssigned: () => assigned(),
      },
      async (batch) => {
        for (const r of batch.records) {
          const type = r.headers.type;
          let status: string | null = null;
          if (type === 'EscrowHeld') status = 'held';
          else if (type === 'PaymentDeclined') status = 'declined';
          else if (type === 'FraudAssessed') {
            await f.codec.prepare([r.value]);
            const e = f.codec.decode(r.value);
            if ((e.payload as { decision?: string }).decision === 'review') status = 'review';
          }
          if (status !== null)
            f.#decide(r.key, { status, partition: r.partition, offset: r.offset, atMs: performance.now() });
        }
      },
    );
    await ready;
    // Kafka resolves "end" on the first fetch after the join: give it that moment.
    if (log.engine === 'kafka') await new Promise((r) => setTimeout(r, 1_000));
    return f;
  }

  add(ids: readonly string[]): void {
    for (const id of ids) {
      const early = this.#early.get(id);
      if (early !== undefined) {
        this.#early.delete(id);
        this.#count(early);
      } else this.#pending.add(id);
    }
  }

  get pending(): number {
    return this.#pending.size;
  }

  get invisible(): number {
    let n = 0;
    for (const list of this.#unseen.values()) n += list.length;
    return n;
  }

  #decide(paymentId: string, d: Decision): void {
    if (this.#pending.delete(paymentId)) this.#count(d);
    else if (this.#early.size < 1_000_000) this.#early.set(paymentId, d);
  }

  #count(d: Decision): void {
    this.decided += 1;
    this.lastDecidedAt = Math.max(this.lastDecidedAt, d.atMs);
    this.statuses[d.status] = (this.statuses[d.status] ?? 0) + 1;
    const k = partitionKey(TOPICS.events, d.partition);
    const list = this.#unseen.get(k) ?? [];
    list.push(d.offset);
    this.#unseen.set(k, list);
  }

  /** Moves decisions the projections have committed past to visible. */
  async #poll(): Promise<void> {
    if (this.#unseen.size === 0) return;
    const committed = await this.log.committed(PROJECTIONS_GROUP, [TOPICS.events]);
    const now = performance.now();
    for (const [k, list] of this.#unseen) {
      const next = committed[k] ?? 0;
      list.sort((a, b) => a - b);
      let i = 0;
      while (i < list.length && list[i]! < next) i++;
      if (i === 0) continue;
      this.visible += i;
      this.lastVisibleAt = now;
      list.splice(0, i);
    }
  }

  /**
   * Until `done()` says no more payments come and every one is decided and visible, or the
   * deadline (performance.now() ms) passes.
   */
  async follow(done: () => boolean, deadline: number): Promise<void> {
    while (performance.now() < deadline) {
      await this.#poll();
      if (done() && this.#pending.size === 0 && this.invisible === 0) return;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async stop(): Promise<void> {
    await this.#subscription?.stop();
  }
}
