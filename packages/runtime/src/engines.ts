// Every engine a service may touch, built once per process from configuration: the embedded
// set (SQLite files, a local master key, a directory) or the production set (Kafka, a
// Confluent-compatible registry, DynamoDB, KMS, S3). Services receive `Engines` and never know
// which set they run on.

import { join } from 'node:path';
import { type Clock, systemClock } from '@paystream/core';
import { EventBus } from '@paystream/eventing';
import { AwsKmsKeyManager, Envelope, Fingerprinter, LocalFileKeyManager } from '@paystream/keys';
import { type EventLog, SqliteEventLog } from '@paystream/log';
import { DirectoryObjectStore, type ObjectStore, S3ObjectStore } from '@paystream/objects';
import { DynamoDbReadStore, type ReadStore, SqliteReadStore } from '@paystream/readstore';
import {
  ConfluentSchemaRegistry,
  EmbeddedSchemaRegistry,
  EnvelopeCodec,
  type SchemaRegistry,
} from '@paystream/schemas';
import { AwsRequestCounter } from './aws-requests.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { mskIamSasl } from './msk-iam.js';

export interface Engines {
  readonly mode: Config['mode'];
  readonly clock: Clock;
  readonly log: EventLog;
  readonly registry: SchemaRegistry;
  readonly bus: EventBus;
  readonly readStore: ReadStore;
  /** Envelope encryption (AES-256-GCM under data keys from the key manager). */
  readonly envelope: Envelope;
  readonly fingerprints: Fingerprinter;
  readonly objects: ObjectStore;
  /** Requests sent to DynamoDB and KMS (Kafka mode; stays at zero in embedded mode). */
  readonly awsRequests: AwsRequestCounter;
  close(): Promise<void>;
}

export interface EngineOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Table-name prefix for the read store (replay builds into a fresh one). */
  readonly readStorePrefix?: string;
  /**
   * Counts DynamoDB and KMS requests (exposed through its metrics when it has them). Default: a
   * counter without Prometheus metrics, read through `engines.awsRequests.snapshot()`.
   */
  readonly awsRequests?: AwsRequestCounter;
}

async function assemble(
  config: Config,
  parts: Omit<Engines, 'bus' | 'close' | 'envelope' | 'fingerprints' | 'mode' | 'clock' | 'awsRequests'> & {
    keys: ConstructorParameters<typeof Envelope>[0];
  },
  clock: Clock,
  awsRequests: AwsRequestCounter,
): Promise<Engines> {
  const codec = await EnvelopeCodec.create(parts.registry);
  const bus = new EventBus(parts.log, codec);
  await bus.createTopics();
  const envelope = new Envelope(parts.keys, { clock });
  return {
    mode: config.mode,
    clock,
    log: parts.log,
    registry: parts.registry,
    bus,
    readStore: parts.readStore,
    envelope,
    fingerprints: new Fingerprinter(envelope, parts.objects),
    objects: parts.objects,
    awsRequests,
    async close() {
      await parts.log.close();
      await parts.readStore.close();
    },
  };
}

export async function openEngines(config: Config, options: EngineOptions = {}): Promise<Engines> {
  const clock = options.clock ?? systemClock;
  const awsRequests = options.awsRequests ?? new AwsRequestCounter();
  if (config.mode === 'embedded') {
    return await assemble(
      config,
      {
        log: new SqliteEventLog({
          path: join(config.dataDir, 'log.db'),
          onHandlerError: (err, where) =>
            options.logger?.error({ err, ...where }, 'consumer handler failed; retrying'),
        }),
        registry: new EmbeddedSchemaRegistry(),
        readStore: new SqliteReadStore({
          filename: join(config.dataDir, 'read.db'),
          prefix: options.readStorePrefix ?? '',
        }),
        keys: new LocalFileKeyManager({ masterKeyFile: join(config.dataDir, 'master.key') }),
        objects: new DirectoryObjectStore(join(config.dataDir, 'objects')),
      },
      clock,
      awsRequests,
    );
  }
  const k = config.kafka!;
  const aws = { region: k.awsRegion, ...(k.awsEndpoint ? { endpoint: k.awsEndpoint } : {}) };
  const { KafkaEventLog } = await import('@paystream/log/kafka');
  const readStore = new DynamoDbReadStore({
    region: k.awsRegion,
    ...(k.dynamodbEndpoint
      ? { endpoint: k.dynamodbEndpoint }
      : k.awsEndpoint
        ? { endpoint: k.awsEndpoint }
        : {}),
    prefix: options.readStorePrefix ?? k.tablePrefix,
  });
  awsRequests.instrumentDynamoDb(readStore.sdkClient, options.readStorePrefix ?? k.tablePrefix);
  const keys = new AwsKmsKeyManager({ keyId: k.kmsKeyId, ...aws });
  awsRequests.instrumentKms(keys.sdkClient);
  return await assemble(
    config,
    {
      log: new KafkaEventLog({
        brokers: k.brokers,
        clientId: 'paystream',
        ...(k.auth === 'aws-msk-iam' ? { ssl: true, sasl: mskIamSasl(k.awsRegion) } : {}),
        logger: (level, message, extra) =>
          options.logger?.[level === 'debug' ? 'debug' : level]({ ...extra }, message),
      }),
      registry: k.schemaRegistryUrl
        ? new ConfluentSchemaRegistry({ url: k.schemaRegistryUrl })
        : new EmbeddedSchemaRegistry(),
      readStore,
      keys,
      objects: new S3ObjectStore({ bucket: k.s3Bucket, ...aws }),
    },
    clock,
    awsRequests,
  );
}
