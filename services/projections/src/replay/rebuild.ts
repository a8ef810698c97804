// Rebuilds read models from the log: reads each partition of the events topic from a start
// offset up to a target, decodes, and projects in batches through the same projector as the
// live consumer. Partitions are independent by construction (tables.ts), so they are rebuilt
// one after the other.

import { TOPICS } from '@paystream/eventing';
import { type EventLog, type Position, partitionKey } from '@paystream/log';
import type { ReadStore } from '@paystream/readstore';
import type { EnvelopeCodec } from '@paystream/schemas';
import { projectInto } from '../projector.js';
import { type ProjectedEvent, Work } from '../work.js';

/** Records per read: large enough to amortize, small enough to bound memory. */
export const REBUILD_BATCH_RECORDS = 5_000;
/**
 * Staged items before a flush. A partition is projected through one Work, so an item touched by
 * many events is written once, at its final version, instead of once per batch; the bound keeps
 * memory in check on long partitions.
 */
export const REBUILD_FLUSH_ITEMS = 20_000;

export interface RebuildProgress {
  readonly events: number;
  readonly totalEvents: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
}

export interface RebuildOptions {
  readonly log: EventLog;
  readonly codec: EnvelopeCodec;
  readonly store: ReadStore;
  /** Next offset to read per partition (absent: 0). Updated in place as the rebuild goes. */
  readonly from: Record<string, number>;
  readonly to: Position;
  readonly onProgress?: (p: RebuildProgress) => void;
  readonly batchRecords?: number;
  /**
   * The store is empty (a fresh namespace) and this rebuild is its only writer: skip lookups of
   * items not yet written, and flush through the store's bulkLoad when it has one.
   */
  readonly fresh?: boolean;
}

export interface RebuildResult {
  readonly events: number;
  /** Records that did not decode (the live consumer dead-letters them and skips them too). */
  readonly undecodable: number;
  readonly elapsedMs: number;
  /** Items written to the store. */
  readonly writes: number;
}

export async function rebuild(options: RebuildOptions): Promise<RebuildResult> {
  const { log, codec, store, from, to } = options;
  const batch = options.batchRecords ?? REBUILD_BATCH_RECORDS;
  const started = performance.now();
  let totalEvents = 0;
  for (const [k, end] of Object.entries(to)) totalEvents += Math.max(0, end - (from[k] ?? 0));
  let events = 0;
  let undecodable = 0;
  let writes = 0;
  let lastReportMs = 0;
  const partitions = await log.partitionsOf(TOPICS.events);
  for (let p = 0; p < partitions; p++) {
    const k = partitionKey(TOPICS.events, p);
    const end = to[k] ?? 0;
    // A partition read from offset 0 into a fresh store: nothing to look up but what this Work wrote.
    // The rebuild is also the namespace's only writer then, so flushes may bulk-load.
    const fresh = options.fresh === true && (from[k] ?? 0) === 0;
    const work = new Work(store, { fresh, bulk: fresh });
    while ((from[k] ?? 0) < end) {
      const at = from[k] ?? 0;
      const records = await log.read(TOPICS.events, p, at, Math.min(batch, end - at));
      const inRange = records.filter((r) => r.offset < end);
      if (inRange.length === 0) break; // Kafka: only control records (or nothing) before `end`
      const decoded: ProjectedEvent[] = [];
      let prepared = true;
      try {
        await codec.prepare(inRange.map((r) => r.value));
      } catch {
        prepared = false; // a record with an unknown schema: prepare one by one below
      }
      for (const r of inRange) {
        try {
          if (!prepared) await codec.prepare([r.value]);
          decoded.push({ envelope: codec.decode(r.value), position: r });
        } catch {
          undecodable += 1;
        }
      }
      await projectInto(work, decoded);
      if (work.stagedCount >= REBUILD_FLUSH_ITEMS) {
        writes += (await work.flush()).written;
      }
      // Let timers and I/O run between batches (the store's calls are synchronous in SQLite).
      await new Promise<void>((resolve) => setImmediate(resolve));
      from[k] = inRange.at(-1)!.offset + 1;
      events += inRange.length;
      const now = performance.now();
      if (options.onProgress && (now - lastReportMs >= 100 || events === totalEvents)) {
        lastReportMs = now;
        const elapsedMs = now - started;
        options.onProgress({
          events,
          totalEvents,
          elapsedMs,
          eventsPerSecond: elapsedMs > 0 ? Math.round((events * 1000) / elapsedMs) : 0,
        });
      }
    }
    writes += (await work.flush()).written;
  }
  return { events, undecodable, writes, elapsedMs: performance.now() - started };
}
