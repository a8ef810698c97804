// Auto-release when a hold ends: a timer on the clock port finds held payments whose
// holdUntil has passed and sends ReleaseExpiredHold through the commands topic, so the release
// is decided, logged and replayable like any other command. The command id is derived from the
// payment and its hold end, so ticks that overlap send the same command, and the processor
// drops a duplicate quietly.

import type { Clock } from '@paystream/core';
import { deterministicId } from '@paystream/core';
import { type EventBus, sealCommand, TOPICS } from '@paystream/eventing';
import type { Logger } from '@paystream/runtime';
import type { PaymentCache } from './payment-cache.js';

const RELEASABLE = new Set(['held', 'partially_released', 'partially_refunded']);
/** At most this many commands per tick, so one tick cannot flood the log. */
const MAX_PER_TICK = 1_000;
/** How stale a partition no command reached may get before the scheduler re-reads it. */
const RESCAN_MS = 60_000;

export class HoldScheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  readonly #sent = new Set<string>();

  constructor(
    private readonly cache: PaymentCache,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** One pass; returns how many commands were sent. Exposed for tests with a TestClock. */
  async tick(): Promise<number> {
    const nowMs = this.clock.nowMs();
    await this.cache.loadUnconsumed(await this.bus.log.partitionsOf(TOPICS.commands), nowMs, RESCAN_MS);
    const due = [];
    for (const [paymentId, p] of this.cache.all()) {
      const s = p.state;
      if (s.status === 'none' || !RELEASABLE.has(s.status) || !s.autoRelease || s.holdUntilMs === null)
        continue;
      if (s.holdUntilMs > nowMs) continue;
      const commandId = deterministicId('cmd', 'hold-expired', paymentId, String(s.holdUntilMs));
      if (this.#sent.has(commandId)) continue;
      due.push(
        sealCommand(
          this.bus.codec,
          'ReleaseExpiredHold',
          { paymentId, nowMs },
          {
            eventId: commandId,
            aggregateId: paymentId,
            tenantId: p.tenantId,
            occurredAtMs: nowMs,
            causationId: null,
            correlationId: commandId,
          },
        ),
      );
      if (due.length >= MAX_PER_TICK) break;
    }
    if (due.length === 0) return 0;
    await this.bus.publish(due);
    for (const c of due) this.#sent.add(c.eventId);
    if (this.#sent.size > 100_000) this.#sent.clear(); // bounded; a rare duplicate is dropped by the processor
    this.logger.info({ count: due.length }, 'holds ended: release commands sent');
    return due.length;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.tick()
        .then(() => undefined)
        .catch((err: unknown) => this.logger.error({ err }, 'hold scheduler tick failed'))
        .finally(() => {
          this.#running = undefined;
        });
    }, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}
