// The projections service: consumes the events topic (group paystream-projections), keeps the
// read models, and serves the read API. Replay and audit run from the same modules (replay/,
// audit/) under `npx paystream replay` and `npx paystream audit verify`.
//
// Dead letters. A record that does not decode (as everywhere, see EventBus) and an event the
// projections or the read store keep refusing (LiveProjector's policy in projector.ts) go to the
// dead-letter topic with the reason, in the same commit as the batch's offsets, so the
// partition goes on; a store outage is only ever waited out.

import { TenantDirectory } from '@paystream/auth';
import { EventBus, TOPICS } from '@paystream/eventing';
import { type Batch, type BatchContext, type LogRecord, partitionKey } from '@paystream/log';
import type { RunningService, ServiceContext, ServiceModule } from '@paystream/runtime';
import { registerConsoleRoutes } from './http/console-routes.js';
import { registerReadRoutes } from './http/routes.js';
import { DEFAULT_ITEM_CACHE_LIMITS, type ItemCacheLimits, PartitionItemCache } from './item-cache.js';
import {
  ensureProjectionTables,
  failureReason,
  isTransientFailure,
  LiveProjector,
  MAX_PROJECTION_ATTEMPTS,
} from './projector.js';
import { createReadQueries, PROJECTIONS_GROUP } from './read-queries-impl.js';
import type { ProjectedEvent } from './work.js';

export { createReadQueries, PROJECTIONS_GROUP };

/** Records per projected batch in the live consumer (the log's own bound is 10,000). */
export const LIVE_BATCH_RECORDS = 1_000;
/** Events the read models may trail the log by and still report healthy. */
export const MAX_HEALTHY_LAG = 100_000;

export interface ProjectionsOptions {
  /** Deliveries in a row an event may fail before it is dead-lettered (default 8). */
  readonly maxAttempts?: number;
  /** Bounds of the partition-local item cache (item-cache.ts); null: no cache. */
  readonly itemCache?: ItemCacheLimits | null;
}

export function createProjectionsService(options: ProjectionsOptions = {}): ServiceModule {
  return {
    name: 'projections',
    async start(ctx: ServiceContext): Promise<RunningService> {
      const { engines, metrics, logger } = ctx;
      await ensureProjectionTables(engines.readStore);
      const directory = new TenantDirectory(engines.readStore);
      await directory.init();
      const projected = metrics.counter('projections_events_total', 'Events projected into read models');
      const staleWrites = metrics.counter(
        'projections_stale_writes_total',
        'Read-model writes refused because a newer version was stored (redelivery)',
      );
      const batchMs = metrics.histogram('projections_batch_duration_ms', 'Time to project one batch (ms)');
      const deadLetters = metrics.counter(
        'projections_dead_letters_total',
        'Records the projections gave up on and sent to the dead-letter topic, by cause',
        ['cause'],
      );
      const cache =
        options.itemCache === null
          ? undefined
          : new PartitionItemCache(options.itemCache ?? DEFAULT_ITEM_CACHE_LIMITS);
      const cacheItems = metrics.gauge(
        'projections_item_cache_items',
        'Read-model items kept in the partition-local cache',
      );
      const cacheBytes = metrics.gauge(
        'projections_item_cache_bytes',
        'Estimated bytes of the partition-local item cache',
      );
      const projector = new LiveProjector(engines.readStore, {
        ...(cache ? { cache } : {}),
        maxAttempts: options.maxAttempts ?? MAX_PROJECTION_ATTEMPTS,
        onAttemptFailed: (event, err, attempt) =>
          logger.warn(
            { ...describe(event), attempt, reason: failureReason(err) },
            'projecting an event failed; the batch will be redelivered',
          ),
      });

      // Staged into the batch's commit: the dead letter exists if and only if the offset moved on.
      const deadLetter = (record: LogRecord, reason: string, cause: string, batchCtx: BatchContext) => {
        batchCtx.append([EventBus.deadLetterRecord(record, reason)]);
        deadLetters.inc({ cause });
      };

      const handle = async (batch: Batch, batchCtx: BatchContext): Promise<void> => {
        const started = performance.now();
        const events: ProjectedEvent[] = [];
        const raw = new Map<number, LogRecord>();
        for (const r of batch.records) {
          try {
            await engines.bus.codec.prepare([r.value]);
            events.push({ envelope: engines.bus.codec.decode(r.value), position: r });
            raw.set(r.offset, r);
          } catch (err) {
            if (isTransientFailure(err)) throw err;
            const reason = failureReason(err);
            deadLetter(r, reason, 'undecodable', batchCtx);
            logger.error(
              { topic: r.topic, partition: r.partition, offset: r.offset, reason },
              'undecodable record sent to the dead-letter topic',
            );
          }
        }
        const range = {
          topic: batch.topic,
          partition: batch.partition,
          first: batch.records[0]!.offset,
          next: batch.records.at(-1)!.offset + 1,
        };
        const result = await projector.project(events, range);
        for (const d of result.deadLetters) {
          deadLetter(raw.get(d.event.position.offset)!, d.reason, 'projection_failed', batchCtx);
          logger.error(
            { ...describe(d.event), attempts: d.attempts, reason: d.reason },
            'event sent to the dead-letter topic: the projections refused it on every attempt',
          );
        }
        projected.inc(result.events - result.deadLetters.length);
        if (cache) {
          cacheItems.set(cache.size);
          cacheBytes.set(cache.bytes);
        }
        if (result.stale > 0) staleWrites.inc(result.stale);
        batchMs.observe(performance.now() - started);
      };

      const subscription = await engines.log.subscribe(
        {
          groupId: PROJECTIONS_GROUP,
          topics: [TOPICS.events],
          maxBatchRecords: LIVE_BATCH_RECORDS,
          // Another member may move a revoked partition on: our copy of its items is dropped.
          onRevoked: (partitions) => {
            for (const p of partitions) cache?.drop(partitionKey(p.topic, p.partition));
          },
        },
        handle,
      );
      const queries = createReadQueries(engines);
      return {
        routes: async (app) => {
          await registerReadRoutes(app, { ctx, directory, queries });
          await registerConsoleRoutes(app, { ctx, directory });
        },
        health: [
          {
            // Healthy while the read models are within MAX_HEALTHY_LAG events of the log.
            name: 'projections',
            check: async () => {
              const [end, committed] = await Promise.all([
                engines.log.endPosition([TOPICS.events]),
                engines.log.committed(PROJECTIONS_GROUP, [TOPICS.events]),
              ]);
              let lag = 0;
              for (const [k, v] of Object.entries(end)) lag += Math.max(0, v - (committed[k] ?? 0));
              return lag <= MAX_HEALTHY_LAG;
            },
          },
        ],
        async stop() {
          await subscription.stop();
        },
      };
    },
  };
}

/** What a log line says about an event: ids and position, never the payload. */
function describe(e: ProjectedEvent) {
  return {
    topic: e.position.topic,
    partition: e.position.partition,
    offset: e.position.offset,
    eventId: e.envelope.eventId,
    type: e.envelope.type,
    aggregateId: e.envelope.aggregateId,
    tenantId: e.envelope.tenantId,
  };
}

export const projectionsService: ServiceModule = createProjectionsService();
