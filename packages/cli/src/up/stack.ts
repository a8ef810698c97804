// The servers under `paystream up`: Apache Kafka (KRaft), the schema registry, DynamoDB Local and
// moto (KMS + S3), each started by the testkit's starters with its state under
// $PAYSTREAM_DATA/servers — or reused as they are when the matching variable is set
// (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DYNAMODB_ENDPOINT, AWS_ENDPOINT_URL). Then the card-data
// key (behind an alias, created once) — the bucket is created by the object store on first use.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PaystreamError } from '@paystream/core';
import { ensureKmsAlias } from '@paystream/keys';

export const KMS_ALIAS = 'alias/paystream-card-data';
export const S3_BUCKET = 'paystream-local';
/** Local servers accept any credentials; the SDK's default chain reads these. */
export const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' } as const;

export interface Stack {
  /** The Kafka-mode variables every service gets (and the `export` block prints). */
  readonly env: Readonly<Record<string, string>>;
  /** What was started and what was reused, one line each. */
  readonly lines: readonly string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** A one-line notice (registry fallback, first-run downloads). */
  readonly notice: (line: string) => void;
}

interface Ports {
  kafka?: number;
  dynamodb?: number;
  moto?: number;
}

/** Ports of the last run: a restarted stack keeps its endpoints when they are free. */
function loadPorts(file: string): Ports {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Ports;
  } catch {
    return {};
  }
}

interface Part {
  readonly line: string;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

const reused = (name: string, variable: string, value: string): Part => ({
  line: `${name}: reusing ${variable}=${value}`,
  env: { [variable]: value },
  stop: async () => undefined,
});

export async function startStack(opts: StackOptions): Promise<Stack> {
  const { env, dataDir } = opts;
  const dir = join(dataDir, 'servers');
  mkdirSync(dir, { recursive: true });
  const portsFile = join(dir, 'ports.json');
  const last = loadPorts(portsFile);
  const testkit = await import('@paystream/testkit');
  // On Ctrl-C `up` stops the services first, then the servers (see up.ts).
  testkit.handOverSignals();

  const kafka = async (): Promise<Part> => {
    if (env.KAFKA_BROKERS) return reused('kafka', 'KAFKA_BROKERS', env.KAFKA_BROKERS);
    const k = await testkit.startKafka({
      partitionsDefault: 3,
      dataDir: join(dir, 'kafka'),
      ...(last.kafka ? { port: last.kafka } : {}),
    });
    return {
      line: `kafka ${testkit.KAFKA_VERSION} (KRaft): ${k.brokers.join(',')}, data in ${k.dataDir}`,
      env: { KAFKA_BROKERS: k.brokers.join(',') },
      stop: () => k.stop(),
    };
  };
  const dynamodb = async (): Promise<Part> => {
    if (env.DYNAMODB_ENDPOINT) return reused('dynamodb', 'DYNAMODB_ENDPOINT', env.DYNAMODB_ENDPOINT);
    const d = await testkit.startDynamoDbLocal({
      dataDir: join(dir, 'dynamodb'),
      ...(last.dynamodb ? { port: last.dynamodb } : {}),
    });
    return {
      line: `DynamoDB Local ${testkit.DYNAMODB_LOCAL_VERSION}: ${d.endpoint}, data in ${join(dir, 'dynamodb')}`,
      env: { DYNAMODB_ENDPOINT: d.endpoint },
      stop: () => d.stop(),
    };
  };
  const moto = async (): Promise<Part> => {
    if (env.AWS_ENDPOINT_URL) return reused('KMS/S3', 'AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL);
    const m = await testkit.startMoto({
      dataDir: join(dir, 'moto'),
      ...(last.moto ? { port: last.moto } : {}),
    });
    return {
      line: `moto ${testkit.MOTO_VERSION} (KMS, S3): ${m.endpoint}, data in ${join(dir, 'moto')}`,
      env: { AWS_ENDPOINT_URL: m.endpoint },
      stop: () => m.stop(),
    };
  };
  const registry = async (): Promise<Part> => {
    if (env.SCHEMA_REGISTRY_URL)
      return reused('schema registry', 'SCHEMA_REGISTRY_URL', env.SCHEMA_REGISTRY_URL);
    try {
      // A registry that forgets its schemas on restart would hand out new ids, and records already
      // on the log name the old ones: it keeps its state (H2 on a file) in the data folder.
      const r = await testkit.startSchemaRegistry({
        dataDir: join(dir, 'registry'),
        onBuild: () =>
          opts.notice('building the schema registry from Maven Central (first run only, ~1 min)'),
      });
      return {
        line: `schema registry: ${r.url}`,
        env: { SCHEMA_REGISTRY_URL: r.url },
        stop: () => r.stop(),
      };
    } catch (err) {
      if (!(err instanceof testkit.MissingPrerequisite)) throw err;
      // The embedded registry holds the same schemas under fixed ids (schemas/avro).
      const why = err.message.split('. ')[0];
      opts.notice(`no schema registry server (${why}); using the embedded registry`);
      return { line: 'schema registry: embedded (schemas/avro)', env: {}, stop: async () => undefined };
    }
  };

  const results = await Promise.allSettled([kafka(), dynamodb(), moto(), registry()]);
  const parts = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    // Reverse order: the registry (which may keep its state in Kafka) before Kafka.
    for (const p of [...parts].reverse()) await p.stop().catch(() => undefined);
  };
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length > 0) {
    await stop();
    throw new PaystreamError(
      'servers_unavailable',
      `could not start the servers:\n  - ${failures.join('\n  - ')}`,
    );
  }
  const started: Record<string, string> = Object.assign({}, ...parts.map((p) => p.env));
  const port = (url: string | undefined) => (url ? Number(new URL(url).port) || undefined : undefined);
  writeFileSync(
    portsFile,
    JSON.stringify({
      kafka: env.KAFKA_BROKERS ? last.kafka : Number(started.KAFKA_BROKERS?.split(':')[1]),
      dynamodb: env.DYNAMODB_ENDPOINT ? last.dynamodb : port(started.DYNAMODB_ENDPOINT),
      moto: env.AWS_ENDPOINT_URL ? last.moto : port(started.AWS_ENDPOINT_URL),
    }),
  );

  const region = env.AWS_REGION || 'us-east-1';
  const awsEndpoint = started.AWS_ENDPOINT_URL!;
  // The local servers take any credentials. Credentials of the caller's own (for a reused
  // endpoint) are inherited by the services and never printed.
  const own = Boolean((env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) || env.AWS_PROFILE);
  const credentials: Record<string, string> = own ? {} : { ...LOCAL_CREDENTIALS };
  const kmsKeyId = env.KMS_KEY_ID || KMS_ALIAS;
  try {
    if (kmsKeyId.startsWith('alias/')) {
      const key = await ensureKmsAlias(
        {
          region,
          endpoint: awsEndpoint,
          ...(own
            ? {}
            : {
                credentials: {
                  accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
                  secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
                },
              }),
        },
        kmsKeyId,
        'Paystream card and account data (paystream up)',
      );
      const keyFile = join(dir, 'kms-key-id');
      const remembered = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined;
      if (remembered && remembered !== key.keyId)
        opts.notice(
          `${kmsKeyId} now names key ${key.keyId}, not ${remembered} as in the last run: card data sealed before cannot be opened`,
        );
      writeFileSync(keyFile, `${key.keyId}\n`);
    }
  } catch (err) {
    await stop();
    throw new PaystreamError(
      'key_service_unavailable',
      `could not prepare the KMS key ${kmsKeyId}: ${(err as Error).message}`,
      'KMS_KEY_ID',
    );
  }

  const lines = parts.map((p) => p.line);
  return {
    env: {
      ...started,
      AWS_REGION: region,
      KMS_KEY_ID: kmsKeyId,
      S3_BUCKET: env.S3_BUCKET || S3_BUCKET,
      PAYSTREAM_TABLE_PREFIX: env.PAYSTREAM_TABLE_PREFIX || 'paystream_',
      ...credentials,
    },
    lines,
    stop,
  };
}
