// The shape every Paystream service has, so the CLI can run all of them in one process
// (`paystream start`, embedded) or one per process (`paystream run <service>`, Kafka mode).

import type { Config } from './config.js';
import type { Engines } from './engines.js';
import type { HealthCheck, HttpServer } from './http.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export const SERVICE_NAMES = ['ingest', 'fraud', 'escrow', 'ach-batcher', 'projections', 'webhooks'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceContext {
  readonly config: Config;
  readonly engines: Engines;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface RunningService {
  /** HTTP routes this service contributes (registered on the process's one server). */
  readonly routes?: (app: HttpServer) => Promise<void>;
  readonly health?: readonly HealthCheck[];
  /** Stop consuming, finish the batch in flight, release resources. */
  stop(): Promise<void>;
}

export interface ServiceModule {
  readonly name: ServiceName;
  start(ctx: ServiceContext): Promise<RunningService>;
}
