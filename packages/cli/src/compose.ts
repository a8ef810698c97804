// The composition root: opens the engines, starts the chosen services and serves their routes
// on one HTTP server. `paystream start` runs every service (embedded); `paystream run <name>`
// runs one (Kafka mode), each scaling out through consumer groups.

import { registerConsole } from '@paystream/console';
import {
  AwsRequestCounter,
  type Config,
  createHttpServer,
  createLogger,
  createMetrics,
  type Engines,
  Lifecycle,
  type Logger,
  openEngines,
  type RunningService,
  type ServiceModule,
  type ServiceName,
  startEmf,
} from '@paystream/runtime';
import { serviceModules } from './services.js';

export interface Running {
  readonly url: string;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  /** The engines the services run on (bench and tests read positions and read models). */
  readonly engines: Engines;
}

export interface RunOptions {
  /** Where logs go (default stdout); tests capture them to scan for secrets. */
  readonly logDestination?: import('node:stream').Writable;
  /** The clock every engine and service reads (tests move it to reach retry times). */
  readonly clock?: import('@paystream/core').Clock;
}

export async function runServices(
  config: Config,
  names: readonly ServiceName[],
  options: RunOptions = {},
): Promise<Running> {
  const logger = createLogger({
    level: config.logLevel,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const metrics = createMetrics();
  const lifecycle = new Lifecycle(logger);
  const engines = await openEngines(config, {
    logger,
    awsRequests: new AwsRequestCounter({ metrics }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  lifecycle.add({ name: 'engines', close: () => engines.close() });
  if (config.metricsEmfIntervalS !== null) {
    // CloudWatch metrics from the counters (deployments on ECS: stdout goes to CloudWatch Logs).
    const emf = startEmf(metrics, {
      service: names.length === 1 ? names[0]! : 'paystream',
      intervalMs: config.metricsEmfIntervalS * 1000,
    });
    lifecycle.add({ name: 'metrics-emf', close: () => emf.stop() });
  }

  const modules: ServiceModule[] = serviceModules(names);
  const running: { name: string; service: RunningService }[] = [];
  for (const m of modules) {
    const service = await m.start({ config, engines, logger: logger.child({ service: m.name }), metrics });
    running.push({ name: m.name, service });
    lifecycle.add({ name: m.name, close: () => service.stop() });
  }

  const app = await createHttpServer({
    logger,
    metrics,
    service: names.length === 1 ? names[0]! : 'paystream',
    health: [
      {
        name: 'log',
        check: async () => {
          await engines.log.partitionsOf('paystream.events');
          return true;
        },
      },
      ...running.flatMap((r) => r.service.health ?? []),
    ],
  });
  for (const r of running) if (r.service.routes) await r.service.routes(app);
  // The operator console is served wherever the public API is (ingest): the all-in-one, and the
  // ingest service behind the one base URL of the distributed deployment.
  if (names.includes('ingest')) await registerConsole(app);
  // Closed first (registered last): stop taking requests before the consumers stop.
  lifecycle.add({ name: 'http', close: () => app.close() });
  const url = await app.listen({ port: config.port, host: config.host });
  logger.info({ url, mode: config.mode, services: names }, 'paystream is running');
  return { url, logger, lifecycle, engines };
}
