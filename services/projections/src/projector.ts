// Projects events into the read models: every projection sees every event in log order,
// through one Work, and the Work's writes are flushed at the end. Used by the live consumer
// (one Work per consumed batch), by replay (one Work per partition, flushed as it fills) and by
// the tests, so all of them build read models the same way.

import type { ReadStore } from '@paystream/readstore';
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
    for (const projection of projections) await projection.apply(event, work);
  }
}

export async function projectBatch(store: ReadStore, events: readonly ProjectedEvent[]): Promise<BatchStats> {
  const work = new Work(store);
  await projectInto(work, events);
  const flushed = await work.flush();
  return { ...flushed, events: events.length };
}
