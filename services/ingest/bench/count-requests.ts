// Counts what ingest sends to DynamoDB and KMS per payment: ingest's own routes over DynamoDB
// read models (a fresh table prefix) and a KMS key, against the endpoints in the environment
// (PAYSTREAM_TEST_DYNAMODB_ENDPOINT, PAYSTREAM_TEST_AWS_ENDPOINT for moto). The log is the
// embedded SQLite one, so nothing is written to a shared broker. A projections service on a
// second, uncounted store keeps the read models current (ingest reads cards from them).
//
//   npx tsx services/ingest/bench/count-requests.ts [payments=300] [concurrency=20] [cards=20]
//
// Counted on ingest's store object (one ReadStore call = one request), so the same script
// counts any version of ingest; the AWS SDK middleware counter is printed too when present.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsKmsKeyManager, createKmsKey, Envelope, Fingerprinter } from '@paystream/keys';
import { createReadQueries, projectionsService } from '@paystream/projections';
import { DynamoDbReadStore, type ReadStore, type TableDef } from '@paystream/readstore';
import {
  type AwsRequestCounter,
  createHttpServer,
  createLogger,
  createMetrics,
  type Engines,
  type InstrumentableClient,
  loadConfig,
  openEngines,
} from '@paystream/runtime';
import { createIngestService } from '../src/index.js';

const [payments = 300, concurrency = 20, cards = 20] = process.argv.slice(2).map(Number);
const dynamoEndpoint = process.env.PAYSTREAM_TEST_DYNAMODB_ENDPOINT;
const awsEndpoint = process.env.PAYSTREAM_TEST_AWS_ENDPOINT;
if (!dynamoEndpoint || !awsEndpoint) {
  throw new Error('set PAYSTREAM_TEST_DYNAMODB_ENDPOINT and PAYSTREAM_TEST_AWS_ENDPOINT');
}
const aws = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

/** ReadStore calls by `method table`. */
const calls = new Map<string, number>();
function counted(store: ReadStore): ReadStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const first = args[0] as TableDef | ({ table: TableDef } | TableDef)[] | undefined;
        const table = Array.isArray(first)
          ? [...new Set(first.map((x) => ('table' in x ? x.table.name : (x as TableDef).name)))].join('+')
          : (first as TableDef | undefined)?.name;
        const key = `${String(prop)} ${table ?? ''}`.trim();
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as ReadStore;
}

const dir = mkdtempSync(join(tmpdir(), 'ingest-count-'));
const prefix = `cnt${randomBytes(3).toString('hex')}_`;
const config = loadConfig({ PAYSTREAM_DATA: dir, PORT: '0', LOG_LEVEL: 'silent' });
const logger = createLogger({ level: 'silent' });
const base = await openEngines(config, { logger });

const ingestDynamo = new DynamoDbReadStore({ ...aws, endpoint: dynamoEndpoint, prefix });
const projectionsDynamo = new DynamoDbReadStore({ ...aws, endpoint: dynamoEndpoint, prefix });
// Absent in versions before the counter existed (the ReadStore-call counts work on any version).
const counter: AwsRequestCounter | undefined = base.awsRequests;
const sdk: InstrumentableClient | undefined = ingestDynamo.sdkClient;
if (counter && sdk) counter.instrumentDynamoDb(sdk, prefix);
const kmsKeyId = await createKmsKey({ ...aws, endpoint: awsEndpoint }, 'ingest request count');
const kms = new AwsKmsKeyManager({ ...aws, endpoint: awsEndpoint, keyId: kmsKeyId });
const kmsClient: InstrumentableClient | undefined = kms.sdkClient;
if (counter && kmsClient) counter.instrumentKms(kmsClient);
const envelope = new Envelope(kms, { clock: base.clock });
const ingestStore = counted(ingestDynamo);
const engines = {
  ...base,
  readStore: ingestStore,
  envelope,
  fingerprints: new Fingerprinter(envelope, base.objects),
} as Engines;
const projectionEngines = { ...base, readStore: projectionsDynamo } as Engines;

const metrics = createMetrics();
const projections = await projectionsService.start({ config, engines: projectionEngines, logger, metrics });
const ingest = await createIngestService({
  queries: createReadQueries(engines),
  options: { inbound: false, announce: () => {} },
}).start({ config, engines, logger, metrics });
const app = await createHttpServer({ logger, metrics, service: 'ingest' });
await ingest.routes?.(app);
await app.ready();
const apiKey = readFileSync(join(dir, 'api-key'), 'utf8').trim();
const post = async (url: string, payload: object, key: string) => {
  const res = await app.inject({
    method: 'POST',
    url,
    payload,
    headers: { authorization: `Bearer ${apiKey}`, 'idempotency-key': key },
  });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string };
};

const cardIds: string[] = [];
for (let i = 0; i < cards; i++) {
  const c = await post(
    '/v1/payment-methods/cards',
    { customerId: `cus_${i}`, number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
    `card-${i}`,
  );
  cardIds.push(c.id);
}
await createReadQueries(engines).catchUp(10_000);

calls.clear();
const sdkBefore = counter?.snapshot();
const kmsBefore = envelope.stats().kmsRequests;
const started = performance.now();
for (let done = 0; done < payments; done += concurrency) {
  await Promise.all(
    Array.from({ length: Math.min(concurrency, payments - done) }, (_, j) => {
      const i = done + j;
      return post(
        '/v1/payments',
        {
          amount: 1000 + i,
          currency: 'USD',
          customerId: `cus_${i % cards}`,
          providerId: 'prov_walker',
          paymentMethodId: cardIds[i % cards]!,
        },
        `pay-${i}`,
      );
    }),
  );
}
const elapsedMs = performance.now() - started;

const perPayment = (n: number) => Math.round((n / payments) * 1000) / 1000;
const byCall = Object.fromEntries([...calls].sort().map(([k, n]) => [k, perPayment(n)]));
const total = [...calls.values()].reduce((a, b) => a + b, 0);
const auth = [...calls].filter(([k]) => /api_keys|tenants/.test(k)).reduce((a, [, n]) => a + n, 0);
const sdkAfter = counter?.snapshot();
console.log(
  JSON.stringify(
    {
      payments,
      concurrency,
      elapsedMs: Math.round(elapsedMs),
      readStoreCallsPerPayment: perPayment(total),
      readStoreCallsPerPaymentWithoutAuth: perPayment(total - auth),
      byCall,
      kmsRequestsPerPayment: perPayment(envelope.stats().kmsRequests - kmsBefore),
      ...(sdkBefore && sdkAfter
        ? {
            sdkDynamoRequestsPerPayment: perPayment(sdkAfter.dynamodbRequests - sdkBefore.dynamodbRequests),
            sdkItemsWrittenPerPayment: perPayment(
              sdkAfter.dynamodbItemsWrittenTotal - sdkBefore.dynamodbItemsWrittenTotal,
            ),
            sdkKmsRequestsPerPayment: perPayment(sdkAfter.kmsRequests - sdkBefore.kmsRequests),
          }
        : {}),
    },
    null,
    2,
  ),
);

await app.close();
await ingest.stop();
await projections.stop();
// Drop what this run created on the shared server.
await projectionsDynamo.dropTables(await listTables(prefix));
await ingestDynamo.close();
await projectionsDynamo.close();
await base.close();
rmSync(dir, { recursive: true, force: true });

/** The tables under `prefix`, as definitions dropTables accepts (only the name is used). */
async function listTables(p: string): Promise<TableDef[]> {
  const { DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({ ...aws, endpoint: dynamoEndpoint });
  const names: string[] = [];
  let start: string | undefined;
  do {
    const out = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(out.TableNames ?? []).filter((n) => n.startsWith(p)));
    start = out.LastEvaluatedTableName;
  } while (start);
  client.destroy();
  return names.map(
    (n) => ({ name: n.slice(p.length), pk: { name: 'x', type: 'string' }, indexes: [] }) as TableDef,
  );
}
