// The shape every Paystream service has, so the CLI can run all of them in one process
// (`paystream start`, embedded) or one per process (`paystream run <service>`, Kafka mode).
// Whichever way, the process running API_SERVICE serves the whole public API.

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
  /** HTTP routes served by this service's own process (ingest's commands). */
  readonly routes?: RouteRegistrar;
  readonly health?: readonly HealthCheck[];
  /** Stop consuming, finish the batch in flight, release resources. */
  stop(): Promise<void>;
}

/** Mounts routes on the process's one HTTP server. */
export type RouteRegistrar = (app: HttpServer) => Promise<void>;

/**
 * The service whose process serves the public API. Besides its own command routes it mounts
 * every service's `api`, so one base URL serves every route whichever services run beside it
 * (all-in-one, one process per service, containers, ECS behind one load balancer).
 */
export const API_SERVICE: ServiceName = 'ingest';

export interface ServiceModule {
  readonly name: ServiceName;
  start(ctx: ServiceContext): Promise<RunningService>;
  /**
   * Public routes of this service that need none of its consumers: they read the shared stores
   * and reach the consumers through the log. The API process mounts them (see API_SERVICE); the
   * service's own process then stays a worker serving only /health and /metrics.
   */
  api?(ctx: ServiceContext): Promise<RouteRegistrar>;
}
