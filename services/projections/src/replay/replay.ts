// Replay: rebuild every read model from offset zero into a fresh namespace, compare it with the
// live read models, and optionally swap the rebuilt set in.
//
// What "the live read models" are compared at: the position the live projector has committed.
// If it is running, replay first waits (bounded) for it to reach the end of the log; if it is
// not, the live models stand at its committed position. Replay rebuilds to exactly that
// position, then compares; if the live projector moved while the tables were scanned, the
// rebuild is extended to the new position and the comparison repeated (bounded attempts), so a
// difference is never an artefact of timing.
//
// Swap: copies the rebuilt items (with their versions) over the live tables. It requires the
// live projector to be stopped (checked by the log: seekGroup refuses while the group has
// members) so nothing writes the live tables meanwhile; the group stays at the position the
// rebuilt models reflect.

import { join } from 'node:path';
import { PaystreamError } from '@paystream/core';
import { TOPICS } from '@paystream/eventing';
import { covers, type Position } from '@paystream/log';
import {
  DynamoDbReadStore,
  MAX_TRANSACTION_ITEMS,
  type ReadStore,
  SqliteReadStore,
  type WriteOp,
} from '@paystream/readstore';
import type { ServiceContext } from '@paystream/runtime';
import { ensureProjectionTables } from '../projector.js';
import { PROJECTIONS_GROUP } from '../read-queries-impl.js';
import { PROJECTION_TABLES } from '../tables.js';
import { compareTables, type ItemDiff, type TableDiff } from './compare.js';
import { type RebuildProgress, rebuild } from './rebuild.js';

export interface ReplayProgress extends RebuildProgress {
  readonly phase: 'rebuild' | 'compare' | 'swap';
}

export interface ReplayOptions {
  readonly swap?: boolean;
  readonly onProgress?: (p: ReplayProgress) => void;
  /** How long to wait for a running live projector to reach the end of the log. */
  readonly liveWaitMs?: number;
  /** The fresh namespace; by default a new SQLite file (embedded) or table prefix (DynamoDB). */
  readonly openStore?: (namespace: string) => Promise<ReadStore> | ReadStore;
  /** Keep the rebuilt namespace after the run (default: dropped). */
  readonly keep?: boolean;
}

export interface ReplayResult {
  readonly equal: boolean;
  readonly namespace: string;
  readonly position: Position;
  readonly events: number;
  readonly undecodable: number;
  readonly rebuildMs: number;
  readonly eventsPerSecond: number;
  readonly tables: readonly TableDiff[];
  readonly differences: readonly ItemDiff[];
  readonly swapped: boolean;
}

const MAX_COMPARE_ATTEMPTS = 3;

type ReplayContext = Pick<ServiceContext, 'config' | 'engines'>;

/** The fresh namespace replay rebuilds into: a new SQLite file, or a new DynamoDB table prefix. */
export function openReplayStore(ctx: ReplayContext, namespace: string): ReadStore {
  if (ctx.config.mode === 'embedded') {
    // A new file, dropped unless the replay succeeds: built without a journal on disk or fsyncs.
    return new SqliteReadStore({
      filename: join(ctx.config.dataDir, `${namespace}.db`),
      scratch: true,
      writerThread: true,
    });
  }
  const k = ctx.config.kafka!;
  return new DynamoDbReadStore({
    region: k.awsRegion,
    ...(k.dynamodbEndpoint
      ? { endpoint: k.dynamodbEndpoint }
      : k.awsEndpoint
        ? { endpoint: k.awsEndpoint }
        : {}),
    prefix: `${k.tablePrefix}${namespace}_`,
  });
}

function samePosition(a: Position, b: Position): boolean {
  return covers(a, b) && covers(b, a);
}

export async function replay(ctx: ReplayContext, options: ReplayOptions = {}): Promise<ReplayResult> {
  const { engines } = ctx;
  const log = engines.log;
  const namespace = `replay_${Date.now().toString(36)}`;
  const store = await (options.openStore ?? ((ns) => openReplayStore(ctx, ns)))(namespace);
  const report = (phase: ReplayProgress['phase'], p: RebuildProgress) =>
    options.onProgress?.({ ...p, phase });
  try {
    await ensureProjectionTables(store);
    await ensureProjectionTables(engines.readStore);
    const end = await log.endPosition([TOPICS.events]);
    const caughtUp = await log.waitForGroup(PROJECTIONS_GROUP, end, options.liveWaitMs ?? 5_000);
    let target: Position = caughtUp ? end : await log.committed(PROJECTIONS_GROUP, [TOPICS.events]);
    const from: Record<string, number> = {};
    let events = 0;
    let undecodable = 0;
    let rebuildMs = 0;
    let result: { tables: TableDiff[]; differences: ItemDiff[] } | null = null;
    for (let attempt = 1; attempt <= MAX_COMPARE_ATTEMPTS; attempt++) {
      const r = await rebuild({
        log,
        codec: engines.bus.codec,
        store,
        from,
        to: target,
        fresh: attempt === 1,
        onProgress: (p) => report('rebuild', p),
      });
      events += r.events;
      undecodable += r.undecodable;
      rebuildMs += r.elapsedMs;
      report('compare', { events, totalEvents: events, elapsedMs: rebuildMs, eventsPerSecond: 0 });
      const compared = await compareTables(PROJECTION_TABLES, engines.readStore, store);
      const after = await log.committed(PROJECTIONS_GROUP, [TOPICS.events]);
      result = compared;
      if (samePosition(after, target)) break;
      // The live projector moved during the scan: catch the rebuild up and compare again.
      target = after;
    }
    if (result === null) throw new PaystreamError('replay_failed', 'replay compared nothing');
    const equal = result.tables.every((t) => t.onlyLive === 0 && t.onlyRebuilt === 0 && t.different === 0);
    let swapped = false;
    if (options.swap) {
      await swapIn(ctx, store, target);
      swapped = true;
      report('swap', { events, totalEvents: events, elapsedMs: rebuildMs, eventsPerSecond: 0 });
    }
    return {
      equal,
      namespace,
      position: target,
      events,
      undecodable,
      rebuildMs: Math.round(rebuildMs),
      eventsPerSecond: rebuildMs > 0 ? Math.round((events * 1000) / rebuildMs) : 0,
      tables: result.tables,
      differences: result.differences,
      swapped,
    };
  } finally {
    if (!options.keep) await store.dropTables(PROJECTION_TABLES);
    await store.close();
    if (!options.keep && ctx.config.mode === 'embedded' && !options.openStore) {
      const { rmSync } = await import('node:fs');
      for (const suffix of ['', '-wal', '-shm']) {
        rmSync(join(ctx.config.dataDir, `${namespace}.db${suffix}`), { force: true });
      }
    }
  }
}

/** Replaces the live read models with `rebuilt`, which reflects the log up to `position`. */
async function swapIn(ctx: ReplayContext, rebuilt: ReadStore, position: Position): Promise<void> {
  const { log, readStore } = ctx.engines;
  const offsets: Record<number, number> = {};
  for (const [k, v] of Object.entries(position)) offsets[Number(k.slice(k.lastIndexOf('/') + 1))] = v;
  try {
    // Rewrites the committed offsets to the rebuilt position; refuses while the group runs.
    await log.seekGroup(PROJECTIONS_GROUP, TOPICS.events, offsets);
  } catch (err) {
    throw new PaystreamError(
      'projector_running',
      `stop the projections service before swapping: ${(err as Error).message}`,
    );
  }
  await readStore.dropTables(PROJECTION_TABLES);
  await ensureProjectionTables(readStore);
  for (const table of PROJECTION_TABLES) {
    const items = await rebuilt.scan(table);
    for (let i = 0; i < items.length; i += MAX_TRANSACTION_ITEMS) {
      const ops: WriteOp[] = items
        .slice(i, i + MAX_TRANSACTION_ITEMS)
        .map((v) => ({ type: 'putIfNewer', table, item: v.item, version: v.version }));
      await readStore.transactWrite(ops);
    }
  }
}
