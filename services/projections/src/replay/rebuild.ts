// Rebuilds read models from the log: reads each partition of the events topic from a start
// offset up to a target, decodes, and projects in batches through the same projector as the
// live consumer. Partitions are independent by construction (tables.ts), so they are rebuilt
// one after the other. The embedded log is read straight from its file (sqlite-scan.ts), a page
// of segments at a time; any other log through EventLog.read.

import { PaystreamError } from '@paystream/core';
import { TOPICS } from '@paystream/eventing';
import { type EventLog, type LogRecord, type Position, partitionKey, SqliteEventLog } from '@paystream/log';
import { type ReadStore, SqliteReadStore } from '@paystream/readstore';
import type { EnvelopeCodec } from '@paystream/schemas';
import { projectInto } from '../projector.js';
import { type FlushStats, type ProjectedEvent, Work } from '../work.js';
import { SqliteLogScan } from './sqlite-scan.js';

/** Records per read: large enough to amortize, small enough to bound memory. */
export const REBUILD_BATCH_RECORDS = 5_000;
/**
 * Staged items before a flush. A partition is projected through one Work, so an item touched by
 * many events is written once, at its final version, instead of once per batch; the bound keeps
 * memory in check on long partitions.
 */
export const REBUILD_FLUSH_ITEMS = 20_000;
/** Records decoded and projected at a time (see the loop in rebuild). */
const DECODE_SLICE_RECORDS = 512;

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

/** A direct reader of the log's file when the log is the embedded one (null: use log.read). */
function scanOf(log: EventLog): SqliteLogScan | null {
  if (!(log instanceof SqliteEventLog) || log.options.path === ':memory:') return null;
  return new SqliteLogScan(log.options.path);
}

/**
 * Decodes values[from..to) (records at offsets `offsets` of one partition); undecodable ones are
 * skipped.
 */
async function decodeAll(
  codec: EnvelopeCodec,
  partition: number,
  offsets: ArrayLike<number>,
  values: readonly Uint8Array[],
  from: number,
  to: number,
): Promise<{ decoded: ProjectedEvent[]; undecodable: number }> {
  let prepared = true;
  try {
    await codec.prepare(values.slice(from, to));
  } catch (err) {
    if (isRegistryOutage(err)) throw err; // not the records' fault: the replay fails, loudly
    prepared = false; // a record with an unknown schema: prepare one by one below
  }
  const decoded: ProjectedEvent[] = [];
  let undecodable = 0;
  for (let i = from; i < to; i++) {
    try {
      if (!prepared) await codec.prepare([values[i]!]);
      decoded.push({
        envelope: codec.decode(values[i]!),
        position: { topic: TOPICS.events, partition, offset: offsets[i]! },
      });
    } catch (err) {
      if (isRegistryOutage(err)) throw err;
      undecodable += 1;
    }
  }
  return { decoded, undecodable };
}

function isRegistryOutage(err: unknown): boolean {
  return err instanceof PaystreamError && err.code === 'schema_registry_unavailable';
}

/** Pages of one partition's records in [from, end), from the file or through the log. */
async function* pagesOf(
  log: EventLog,
  scan: SqliteLogScan | null,
  partition: number,
  from: number,
  end: number,
  batch: number,
): AsyncGenerator<{ offsets: ArrayLike<number>; values: readonly Uint8Array[] }> {
  if (scan !== null) {
    for (const page of scan.records(TOPICS.events, partition, from, end)) yield page;
    return;
  }
  let at = from;
  while (at < end) {
    const records: LogRecord[] = await log.read(TOPICS.events, partition, at, Math.min(batch, end - at));
    const inRange = records.filter((r) => r.offset < end);
    if (inRange.length === 0) return; // Kafka: only control records (or nothing) before `end`
    yield { offsets: inRange.map((r) => r.offset), values: inRange.map((r) => r.value) };
    at = inRange.at(-1)!.offset + 1;
  }
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
  const scan = scanOf(log);
  // Into a SQLite store, bulk flushes are not awaited where they are made: the next pages are
  // projected while the store writes (on its writer thread, when it has one), and all of them
  // are awaited at the end. Partitions are disjoint, so no Work reads what another writes.
  const pipelined = store instanceof SqliteReadStore;
  const inFlight: Promise<FlushStats>[] = [];
  const flush = async (work: Work, fresh: boolean): Promise<void> => {
    if (!fresh || !pipelined) {
      writes += (await work.flush()).written;
      return;
    }
    const p = work.flush();
    p.catch(() => {}); // awaited (and thrown) below; not an unhandled rejection meanwhile
    inFlight.push(p);
  };
  try {
    for (let p = 0; p < partitions; p++) {
      const k = partitionKey(TOPICS.events, p);
      const end = to[k] ?? 0;
      // A partition read from offset 0 into a fresh store: nothing to look up but what this Work wrote.
      // The rebuild is also the namespace's only writer then, so flushes may bulk-load.
      const fresh = options.fresh === true && (from[k] ?? 0) === 0;
      const work = new Work(store, { fresh, bulk: fresh, concurrentLoads: pipelined });
      for await (const page of pagesOf(log, scan, p, from[k] ?? 0, end, batch)) {
        // Decoded and projected a slice at a time: the envelopes of a slice are garbage before the
        // next one is decoded, so the young generation never has to keep (and copy) a whole page.
        for (let i = 0; i < page.values.length; i += DECODE_SLICE_RECORDS) {
          const j = Math.min(page.values.length, i + DECODE_SLICE_RECORDS);
          const d = await decodeAll(codec, p, page.offsets, page.values, i, j);
          undecodable += d.undecodable;
          await projectInto(work, d.decoded);
        }
        if (work.stagedCount >= REBUILD_FLUSH_ITEMS) await flush(work, fresh);
        // Let timers and I/O run between pages (the store's calls are synchronous in SQLite).
        await new Promise<void>((resolve) => setImmediate(resolve));
        const n = page.values.length;
        from[k] = page.offsets[n - 1]! + 1;
        events += n;
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
      await flush(work, fresh);
    }
    for (const p of inFlight) writes += (await p).written;
  } finally {
    scan?.close();
    await Promise.allSettled(inFlight);
  }
  return { events, undecodable, writes, elapsedMs: performance.now() - started };
}
