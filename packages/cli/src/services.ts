// Which service modules exist. Each later issue adds its module here.

import { achBatcherService } from '@paystream/ach-batcher';
import { PaystreamError } from '@paystream/core';
import { escrowService } from '@paystream/escrow';
import { fraudService } from '@paystream/fraud/service';
import { createIngestService } from '@paystream/ingest';
import { createReadQueries, projectionsService } from '@paystream/projections';
import { SERVICE_NAMES, type ServiceModule, type ServiceName } from '@paystream/runtime';
import { webhooksService } from '@paystream/webhooks';

// Ingest checks references and runs the escrow decider against the read models before it
// appends a command, so it is given the projections' queries over the same engines.
const ingestService: ServiceModule = {
  name: 'ingest',
  start: (ctx) => createIngestService({ queries: createReadQueries(ctx.engines) }).start(ctx),
};

const available: Partial<Record<ServiceName, ServiceModule>> = {
  ingest: ingestService,
  projections: projectionsService,
  escrow: escrowService,
  'ach-batcher': achBatcherService,
  fraud: fraudService,
  webhooks: webhooksService,
};

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

export function serviceModules(names: readonly ServiceName[]): ServiceModule[] {
  return names.flatMap((n) => {
    const m = available[n];
    if (!m) throw new PaystreamError('service_unavailable', `service ${n} is not part of this build yet`);
    return [m];
  });
}

export function availableServices(): ServiceName[] {
  return SERVICE_NAMES.filter((n) => available[n] !== undefined);
}
