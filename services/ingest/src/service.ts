// The ingest service: the public command API and the inbound topic consumer (ARCHITECTURE.md §1). It
// authenticates, validates, tokenizes, enforces idempotency and appends commands; invalid input
// never reaches the log.
//
// It reads (cards, payments, escrow ids) through the projections' ReadQueries port, handed in
// by the composition root: `createIngestService({ queries })`.

import { join } from 'node:path';
import { bootstrapDefaultTenant, TenantDirectory } from '@paystream/auth';
import type { ReadQueries } from '@paystream/projections';
import type { ServiceContext, ServiceModule } from '@paystream/runtime';
import { CardCache, type CardCacheOptions } from './commands/card-cache.js';
import type { CommandDeps } from './commands/deps.js';
import { DEFAULT_RATE_LIMIT, type RateLimitOptions, registerIngestRoutes } from './http/routes.js';
import { DEFAULT_MAX_WAIT_MS } from './http/wait.js';
import { type IdempotencyOptions, IdempotencyStore } from './idempotency/store.js';
import { InboundConsumer } from './inbound/consumer.js';

export interface IngestOptions {
  /** Per API key; default 10,000 requests per minute. */
  readonly rateLimit?: RateLimitOptions;
  /** Upper bound of `?wait=` on POST /v1/payments; default 30,000 ms. */
  readonly maxWaitMs?: number;
  readonly idempotency?: IdempotencyOptions;
  /** Bounds of the in-process card cache. */
  readonly cardCache?: CardCacheOptions;
  /** Consume the inbound topic (default true). */
  readonly inbound?: boolean;
  readonly inboundMaxBatchRecords?: number;
  /**
   * Where the first-start API key line goes (default: stdout). It is the one place a secret is
   * printed, deliberately not through the logger, whose output is shipped and kept.
   */
  readonly announce?: (line: string) => void;
}

export interface IngestDeps {
  readonly queries: ReadQueries;
  readonly options?: IngestOptions;
}

export function createIngestService(deps: IngestDeps): ServiceModule {
  const options = deps.options ?? {};
  return {
    name: 'ingest',
    async start(ctx: ServiceContext) {
      const logger = ctx.logger.child({ service: 'ingest' });
      const { engines } = ctx;
      const directory = new TenantDirectory(engines.readStore);
      await directory.init();
      const keyFile = join(ctx.config.dataDir, 'api-key');
      const boot = await bootstrapDefaultTenant(directory, keyFile, ctx.config.apiKey);
      if (boot.created) {
        const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
        announce(`API key for tenant "default": ${boot.apiKey} (saved to ${keyFile})`);
      }

      const idempotency = new IdempotencyStore(engines.readStore, engines.clock, options.idempotency);
      await idempotency.init();
      const commands: CommandDeps = {
        engines,
        queries: deps.queries,
        cards: new CardCache(deps.queries, options.cardCache),
      };

      const inbound =
        options.inbound === false
          ? null
          : await new InboundConsumer({
              bus: engines.bus,
              directory,
              commands,
              idempotency,
              logger,
              metrics: ctx.metrics,
              ...(options.inboundMaxBatchRecords ? { maxBatchRecords: options.inboundMaxBatchRecords } : {}),
            }).start();
      logger.info({ inbound: inbound !== null }, 'ingest started');

      return {
        routes: (app) =>
          registerIngestRoutes(app, {
            directory,
            commands,
            bus: engines.bus,
            idempotency,
            queries: deps.queries,
            rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
            maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
          }),
        async stop() {
          await inbound?.stop();
        },
      };
    },
  };
}
