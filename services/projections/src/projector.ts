// Projects events into the read models: every projection sees every event in log order,
// through one Work, and the Work's writes are flushed at the end. Used by the live consumer
// (one Work per consumed batch), by replay (one Work per partition, flushed as it fills) and by
// the tests, so all of them build read models the same way.

import { invariant, PaystreamError } from '@paystream/core';
import { partitionKey } from '@paystream/log';
import type { ReadStore } from '@paystream/readstore';
import type { PartitionItemCache } from './item-cache.js';
import { PROJECTIONS, type Projection } from './projections/index.js';
import { PROJECTION_TABLES } from './tables.js';
import { type FlushStats, type ProjectedEvent, Work } from './work.js';

export interface BatchStats extends FlushStats {
  readonly events: number;
}

export async function ensureProjectionTables(store: ReadStore): Promise<void> {
  await store.ensureTables(PROJECTION_TABLES);
}

/** Event type → the projections that react to it, in PROJECTIONS order. */
const BY_TYPE: ReadonlyMap<string, readonly Projection[]> = (() => {
  const m = new Map<string, Projection[]>();
  for (const p of PROJECTIONS) for (const t of p.types) m.set(t, [...(m.get(t) ?? []), p]);
  return m;
})();

/** Applies every projection to `events`, staging the writes in `work`. */
export async function projectInto(work: Work, events: readonly ProjectedEvent[]): Promise<void> {
  for (const event of events) {
    const projections = BY_TYPE.get(event.envelope.type);
    if (projections === undefined) continue;
    for (const projection of projections) {
      const pending = projection.apply(event, work);
      if (pending !== undefined) await pending; // only when a read went to the store
    }
  }
}

export async function projectBatch(store: ReadStore, events: readonly ProjectedEvent[]): Promise<BatchStats> {
  const work = new Work(store);
  await projectInto(work, events);
  const flushed = await work.flush();
  return { ...flushed, events: events.length };
}

// ---------------------------------------------------------------------------------------------
// The live consumer's failure policy: an event the projections or the read store refuse must
// not stop its partition forever, and a store that is down must never lose an event.
//
//   transient  (the store or its connection: unavailable, throttled, busy, timed out, closed)
//              → throw: the log redelivers the batch with backoff, as long as it takes;
//   otherwise  → project the batch again one event at a time, to find the event that fails.
//              The events before it are written (version-checked writes, so a redelivery
//              rewrites nothing); the failing one is retried with the log's backoff until it has
//              failed MAX_PROJECTION_ATTEMPTS deliveries in a row, each time with a store that
//              still answers a probe read. Then it is handed back to the caller, which
//              dead-letters it atomically with the batch's offset commit, and the batch goes on.
//
// Why both a classification and a probe: DynamoDB errors reach us wrapped as
// `readstore_unavailable` (throttling and ValidationException alike), and an unknown error
// class must not be mistaken for a bad event during an outage. The probe is the ground truth
// for "the store works, this event does not".
//
// Limits. A dead-lettered event is skipped by the live read models only: replay, which does not
// read the dead-letter topic, projects it again (and fails or differs the same way), so a dead
// letter is something to investigate and fix, never a silent skip. And when a whole batch's
// flush failed part-way, the chunks written before the failure stay written; an event whose own
// items the store partly accepted keeps that part even if it is later dead-lettered.

/** Deliveries in a row an event may fail deterministically before it is dead-lettered. */
export const MAX_PROJECTION_ATTEMPTS = 8;
/** Failing events remembered at once (they are forgotten when their partition moves past them). */
const MAX_TRACKED_FAILURES = 10_000;

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'readstore_unavailable',
  'schema_registry_unavailable',
  'table_not_found',
  'log_closed',
]);
/** DynamoDB error names that are about the request, not the service (see dynamodb.ts). */
const DETERMINISTIC_DYNAMODB =
  /\b(ValidationException|SerializationException|ItemCollectionSizeLimitExceededException)\b/;
const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|NOMEM|PROTOCOL|READONLY|INTERRUPT)/;
const TRANSIENT_NAMES =
  /^(TimeoutError|AbortError|ThrottlingException|ProvisionedThroughputExceededException|RequestLimitExceeded|InternalServerError|ServiceUnavailable|RequestTimeout)/;

/** True when `err` says the store (or the way to it) failed, not the event. */
export function isTransientFailure(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  if (err instanceof PaystreamError) {
    if (err.code === 'readstore_unavailable' && DETERMINISTIC_DYNAMODB.test(err.message)) return false;
    if (TRANSIENT_CODES.has(err.code)) return true;
  }
  const e = err as Error & { code?: unknown; $retryable?: unknown };
  if (typeof e.code === 'string') {
    if (TRANSIENT_SQLITE.test(e.code)) return true;
    // Node system errors: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOSPC, EAI_AGAIN, …
    if (/^E[A-Z_]+$/.test(e.code) && !e.code.startsWith('ERR_')) return true;
  }
  if (e.$retryable !== undefined || TRANSIENT_NAMES.test(e.name)) return true;
  // better-sqlite3 on a closed handle (a stopping process).
  if (/database connection is not open/i.test(e.message)) return true;
  return isTransientFailure(e.cause, depth + 1);
}

/** The reason recorded with a dead letter (the bus's format: `code: message`). */
export function failureReason(err: unknown): string {
  if (err instanceof PaystreamError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

export interface DeadLetterCandidate {
  readonly event: ProjectedEvent;
  readonly reason: string;
  readonly attempts: number;
}

export interface ProjectedBatch extends BatchStats {
  /** Events given up on: the caller dead-letters them with this batch's offset commit. */
  readonly deadLetters: readonly DeadLetterCandidate[];
}

export interface LiveProjectorOptions {
  readonly maxAttempts?: number;
  /**
   * The partition-local item cache (item-cache.ts); none: every batch reads the store. The
   * caller drops a partition from it when the log revokes the partition.
   */
  readonly cache?: PartitionItemCache;
  /** Called on every failed attempt of an isolated event (for logs). */
  readonly onAttemptFailed?: (event: ProjectedEvent, err: unknown, attempt: number) => void;
}

function positionKey(e: ProjectedEvent): string {
  return `${e.position.topic}/${e.position.partition}/${e.position.offset}`;
}

/** Projects consumed batches for the live consumer under the failure policy above. */
export class LiveProjector {
  readonly #store: ReadStore;
  readonly #maxAttempts: number;
  readonly #onAttemptFailed: LiveProjectorOptions['onAttemptFailed'];
  /** Failed deliveries in a row, per event position. */
  readonly #attempts = new Map<string, number>();
  readonly #cache: PartitionItemCache | undefined;
  /** batchGet calls the batches' prefetches made (for tests and diagnostics). */
  readonly reads = { batchGets: 0 };

  constructor(store: ReadStore, options: LiveProjectorOptions = {}) {
    const maxAttempts = options.maxAttempts ?? MAX_PROJECTION_ATTEMPTS;
    invariant(Number.isSafeInteger(maxAttempts) && maxAttempts >= 1, 'maxAttempts is at least 1');
    this.#store = store;
    this.#cache = options.cache;
    this.#maxAttempts = maxAttempts;
    this.#onAttemptFailed = options.onAttemptFailed;
  }

  /** Events currently failing (bounded by MAX_TRACKED_FAILURES). */
  get failingEvents(): number {
    return this.#attempts.size;
  }

  /**
   * Projects one consumed batch (one partition, offset order). Throws to have it redelivered;
   * returns the events to dead-letter, if any, with the stats. `range` is the consumed batch's
   * offsets (first, and next after the last), which may hold records that are not in `events`
   * (undecodable ones); by default the events' own.
   */
  async project(
    events: readonly ProjectedEvent[],
    range?: {
      readonly topic: string;
      readonly partition: number;
      readonly first: number;
      readonly next: number;
    },
  ): Promise<ProjectedBatch> {
    const first = events[0];
    const r =
      range ??
      (first === undefined
        ? undefined
        : {
            topic: first.position.topic,
            partition: first.position.partition,
            first: first.position.offset,
            next: events.at(-1)!.position.offset + 1,
          });
    if (r === undefined) return { written: 0, stale: 0, events: 0, deadLetters: [] };
    const partition = partitionKey(r.topic, r.partition);
    const shared = this.#cache?.begin(partition, r.first);
    if (first === undefined) {
      this.#cache?.settle(partition, r.next);
      return { written: 0, stale: 0, events: 0, deadLetters: [] };
    }
    this.#forgetBefore(first);
    try {
      const work = new Work(this.#store, shared === undefined ? {} : { shared });
      this.reads.batchGets += await work.prefetch(events, (probe, e) => projectInto(probe, [e]));
      await projectInto(work, events);
      const stats = { ...(await work.flush()), events: events.length };
      // A refused write means a newer writer exists: what we hold of this partition is suspect.
      if (stats.stale > 0) this.#cache?.drop(partition);
      else this.#cache?.settle(partition, r.next);
      for (const e of events) this.#attempts.delete(positionKey(e));
      return { ...stats, deadLetters: [] };
    } catch (err) {
      this.#cache?.drop(partition);
      if (isTransientFailure(err)) throw err;
    }
    return await this.#eventByEvent(events);
  }

  async #eventByEvent(events: readonly ProjectedEvent[]): Promise<ProjectedBatch> {
    let written = 0;
    let stale = 0;
    const deadLetters: DeadLetterCandidate[] = [];
    for (const event of events) {
      const key = positionKey(event);
      try {
        const s = await projectBatch(this.#store, [event]);
        written += s.written;
        stale += s.stale;
        this.#attempts.delete(key);
      } catch (err) {
        if (isTransientFailure(err) || !(await this.#storeAnswers())) throw err;
        const attempts = (this.#attempts.get(key) ?? 0) + 1;
        this.#remember(key, attempts);
        this.#onAttemptFailed?.(event, err, attempts);
        // Not yet: the whole batch is redelivered (with backoff) and the events before this
        // one find their writes already applied.
        if (attempts < this.#maxAttempts) throw err;
        deadLetters.push({ event, reason: failureReason(err), attempts });
      }
    }
    return { written, stale, events: events.length, deadLetters };
  }

  /** A read the store must answer whatever the events are: does the store work at all? */
  async #storeAnswers(): Promise<boolean> {
    try {
      await this.#store.get(PROJECTION_TABLES[0]!, { id: 'projector-probe' });
      return true;
    } catch {
      return false;
    }
  }

  #remember(key: string, attempts: number): void {
    this.#attempts.delete(key);
    this.#attempts.set(key, attempts);
    // Oldest first: forgetting one only costs it another maxAttempts deliveries.
    while (this.#attempts.size > MAX_TRACKED_FAILURES) {
      const oldest = this.#attempts.keys().next().value;
      if (oldest === undefined) break;
      this.#attempts.delete(oldest);
    }
  }

  /** A batch starting at `first` means its partition committed everything before it. */
  #forgetBefore(first: ProjectedEvent): void {
    if (this.#attempts.size === 0) return;
    const prefix = `${first.position.topic}/${first.position.partition}/`;
    for (const key of this.#attempts.keys()) {
      if (key.startsWith(prefix) && Number(key.slice(prefix.length)) < first.position.offset)
        this.#attempts.delete(key);
    }
  }
}
