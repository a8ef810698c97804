// Following accepted payments until the read model shows them decided (bench and demo).

import { isPayment, type PaymentState } from '@paystream/escrow';
import type { ReadQueries } from '@paystream/projections';

const POLL_MS = 200;
/**
 * Checks between yields to the event loop. The read store answers synchronously in embedded
 * mode, so an unbroken sweep of thousands would stall the server it is measuring.
 */
const CHECKS_PER_SLICE = 100;

/** Still on the way to a decision (as POST /v1/payments?wait sees it); review counts as decided. */
function decidedStatus(state: PaymentState): string | null {
  if (!isPayment(state)) return null;
  if (state.status === 'pending' && state.pendingStep === 'review') return 'review';
  if (state.status === 'pending' || state.status === 'authorized') return null;
  return state.status;
}

/**
 * Follows accepted payments until the read model shows them decided. Checks from the oldest
 * undecided one forwards and stops a sweep after a run of undecided ones, so a sweep costs
 * about what was decided since the last one.
 */
export class DecisionTracker {
  #pending: string[] = [];
  decided = 0;
  lastDecidedAt = 0;
  readonly statuses: Record<string, number> = {};

  constructor(
    private readonly queries: ReadQueries,
    private readonly tenantId: string,
  ) {}

  add(ids: readonly string[]): void {
    for (const id of ids) this.#pending.push(id);
  }

  get pending(): number {
    return this.#pending.length;
  }

  async sweep(maxChecks = 20_000, maxUndecidedRun = 64): Promise<void> {
    const keep: string[] = [];
    let i = 0;
    let run = 0;
    for (; i < this.#pending.length && i < maxChecks && run < maxUndecidedRun; i++) {
      if (i > 0 && i % CHECKS_PER_SLICE === 0) await new Promise((r) => setImmediate(r));
      const id = this.#pending[i]!;
      const ref = await this.queries.payment(this.tenantId, id);
      const status = ref ? decidedStatus(ref.state) : null;
      if (status === null) {
        keep.push(id);
        run++;
      } else {
        this.decided++;
        this.statuses[status] = (this.statuses[status] ?? 0) + 1;
        this.lastDecidedAt = performance.now();
        run = 0;
      }
    }
    this.#pending = keep.concat(this.#pending.slice(i));
  }

  /** Sweeps every POLL_MS until `untilDone()` holds and nothing is pending, or the deadline passes. */
  async follow(untilDone: () => boolean, deadline: number): Promise<void> {
    for (;;) {
      await this.sweep();
      if (untilDone() && this.#pending.length === 0) return;
      if (performance.now() > deadline) return;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
