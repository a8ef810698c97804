// The real servers the integration suites talk to, started on loopback: Apache Kafka (KRaft,
// from the Maven Central jars), DynamoDB Local (Maven Central), moto (PyPI) for KMS and S3, and
// Apicurio Registry (built from Maven Central) as the Confluent-compatible schema registry.
// Endpoints already given in the environment are reused as they are (e.g. servers started by
// `npm run servers up`, testcontainers, or a CI service), which makes the start idempotent.

import { startDynamoDbLocal, startMoto } from './aws.js';
import { startKafka } from './kafka.js';
import { schemaRegistryAnswers, startSchemaRegistry } from './registry.js';

export const ENV = {
  kafka: 'PAYSTREAM_TEST_KAFKA_BROKERS',
  dynamodb: 'PAYSTREAM_TEST_DYNAMODB_ENDPOINT',
  aws: 'PAYSTREAM_TEST_AWS_ENDPOINT',
  registry: 'PAYSTREAM_TEST_SCHEMA_REGISTRY_URL',
} as const;

export interface TestServers {
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

interface Started {
  readonly name: string;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

async function reuseOr(name: string, variable: string, start: () => Promise<Started>): Promise<Started> {
  const given = process.env[variable];
  if (given) {
    // A given registry is checked at once: a wrong URL would otherwise surface as a decode error.
    if (variable === ENV.registry && !(await schemaRegistryAnswers(given)))
      throw new Error(`${variable}=${given} does not answer GET /subjects like a schema registry`);
    return { name, env: { [variable]: given }, stop: async () => undefined };
  }
  const t0 = Date.now();
  const s = await start();
  console.log(
    `[servers] ${name} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${Object.values(s.env).join(' ')}`,
  );
  return s;
}

export async function startTestServers(): Promise<TestServers> {
  const results = await Promise.allSettled([
    reuseOr('kafka', ENV.kafka, async () => {
      const k = await startKafka({ partitionsDefault: 3 });
      return { name: 'kafka', env: { [ENV.kafka]: k.brokers.join(',') }, stop: () => k.stop() };
    }),
    reuseOr('dynamodb-local', ENV.dynamodb, async () => {
      const d = await startDynamoDbLocal();
      return { name: 'dynamodb-local', env: { [ENV.dynamodb]: d.endpoint }, stop: () => d.stop() };
    }),
    reuseOr('moto (KMS, S3)', ENV.aws, async () => {
      const m = await startMoto();
      return { name: 'moto', env: { [ENV.aws]: m.endpoint }, stop: () => m.stop() };
    }),
    reuseOr('schema registry (Apicurio)', ENV.registry, async () => {
      const r = await startSchemaRegistry({ onBuild: (m) => console.log(`[servers] ${m}`) });
      return { name: 'schema-registry', env: { [ENV.registry]: r.url }, stop: () => r.stop() };
    }),
  ]);
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  const stop = async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  if (failures.length > 0) {
    await stop();
    // Never skip: a missing server fails the run and says what is missing.
    throw new Error(
      `integration servers could not start:\n  - ${failures.map((f) => f.message).join('\n  - ')}`,
    );
  }
  return { env: Object.assign({}, ...started.map((s) => s.env)), stop };
}
