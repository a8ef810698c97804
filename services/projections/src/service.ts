// The projections service: consumes the events topic (group paystream-projections), keeps the
// read models, and serves the read API. Replay and audit run from the same modules (replay/,
// audit/) under `npx paystream replay` and `npx paystream audit verify`.

import { TenantDirectory } from '@paystream/auth';
import { TOPICS } from '@paystream/eventing';
import type { RunningService, ServiceContext, ServiceModule } from '@paystream/runtime';
import { registerReadRoutes } from './http/routes.js';
import { ensureProjectionTables, projectBatch } from './projector.js';
import { createReadQueries, PROJECTIONS_GROUP } from './read-queries-impl.js';

export { createReadQueries, PROJECTIONS_GROUP };

/** Records per projected batch in the live consumer (the log's own bound is 10,000). */
export const LIVE_BATCH_RECORDS = 1_000;
/** Events the read models may trail the log by and still report healthy. */
export const MAX_HEALTHY_LAG = 100_000;

export const projectionsService: ServiceModule = {
  name: 'projections',
  async start(ctx: ServiceContext): Promise<RunningService> {
    const { engines, metrics } = ctx;
    await ensureProjectionTables(engines.readStore);
    const directory = new TenantDirectory(engines.readStore);
    await directory.init();
    const projected = metrics.counter('projections_events_total', 'Events projected into read models');
    const staleWrites = metrics.counter(
      'projections_stale_writes_total',
      'Read-model writes refused because a newer version was stored (redelivery)',
    );
    const batchMs = metrics.histogram('projections_batch_duration_ms', 'Time to project one batch (ms)');
    const subscription = await engines.bus.consume(
      { groupId: PROJECTIONS_GROUP, topics: [TOPICS.events], maxBatchRecords: LIVE_BATCH_RECORDS },
      async (records) => {
        const started = performance.now();
        const stats = await projectBatch(engines.readStore, records);
        projected.inc(stats.events);
        if (stats.stale > 0) staleWrites.inc(stats.stale);
        batchMs.observe(performance.now() - started);
      },
    );
    const queries = createReadQueries(engines);
    return {
      routes: async (app) => registerReadRoutes(app, { ctx, directory, queries }),
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
