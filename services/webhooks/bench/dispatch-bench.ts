// How fast the dispatcher drains stored deliveries to one fast receiver on loopback, on the
// embedded engines: N pending deliveries written straight into the store, then timed until every
// one is recorded as succeeded. `npx tsx services/webhooks/bench/dispatch-bench.ts [N] [perEndpoint]`

import { randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openTestEngines } from '@paystream/runtime/testing';
import { Dispatcher } from '../src/delivery/dispatcher.js';
import { newDelivery } from '../src/domain/delivery.js';
import { newEndpoint } from '../src/domain/endpoint.js';
import { deliveryId } from '../src/domain/ids.js';
import { httpSender } from '../src/http/sender.js';
import { SecretBox } from '../src/secrets.js';
import { newSecretBytes } from '../src/signing/signature.js';
import { systemResolver } from '../src/ssrf/guard.js';
import { WebhookRepository } from '../src/store/repository.js';
import { WEBHOOK_TABLES } from '../src/store/tables.js';

const n = Number(process.argv[2] ?? 2_000);
const perEndpoint = Number(process.argv[3] ?? 4);
let received = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received += 1;
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const te = await openTestEngines();
await te.engines.readStore.ensureTables(WEBHOOK_TABLES);
const repo = new WebhookRepository(te.engines.readStore);
const secrets = new SecretBox(te.engines.envelope);
const now = Date.now();
const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
const endpoint = newEndpoint({
  id: 'whep_bench',
  tenantId: 'default',
  url,
  events: ['payment.held'],
  description: null,
  secret: await secrets.seal('default', 'whep_bench', newSecretBytes(), now),
  nowMs: now,
});
await repo.putEndpoint(endpoint, 1);
const body = JSON.stringify({
  id: 'x',
  type: 'payment.held',
  created: new Date(now).toISOString(),
  data: { pad: 'x'.repeat(1500) },
});
for (let i = 0; i < n; i++) {
  const id = `evt_bench_${i}`;
  await repo.putEvent({
    id,
    tenantId: 'default',
    type: 'payment.held',
    body: body.replace('"x"', `"${id}"`),
  });
  await repo.putDelivery(
    newDelivery({
      id: deliveryId(id, endpoint.id),
      tenantId: 'default',
      endpointId: endpoint.id,
      eventId: id,
      eventType: 'payment.held',
      nowMs: now,
    }),
    1,
  );
}
const dispatcher = new Dispatcher({
  repo,
  secrets,
  clock: te.engines.clock,
  random: () => randomInt(0, 2 ** 32) / 2 ** 32,
  sender: httpSender,
  resolver: systemResolver,
  logger: te.logger,
  metrics: te.metrics,
  allowPrivate: true,
  maxInFlightPerEndpoint: perEndpoint,
  maxInFlight: 256,
  timeoutMs: 10_000,
  leaseMarginMs: 20_000,
});
const t0 = performance.now();
const timer = setInterval(() => void dispatcher.poll(), 50);
while (
  (await repo.dueDeliveries(endpoint.id, Number.MAX_SAFE_INTEGER, 1)).length > 0 ||
  dispatcher.inFlight > 0
)
  await new Promise((r) => setTimeout(r, 20));
const s = (performance.now() - t0) / 1000;
clearInterval(timer);
await dispatcher.stop();
console.log(
  JSON.stringify({
    deliveries: n,
    received,
    perEndpointInFlight: perEndpoint,
    seconds: Math.round(s * 100) / 100,
    perSecond: Math.round(n / s),
  }),
);
server.close();
await te.cleanup();
