// DynamoDB Local from Maven Central, in memory (or in a folder) on a free loopback port. It stores tables through
// sqlite4java, whose JNI library Maven ships as a separate `.so` artifact: we resolve it next to
// the jars and point `java.library.path` (and sqlite4java's own property) at that folder.

import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { classpathOf, type MavenArtifact, requireCommand, resolveMavenLib } from './maven.js';
import { portOr, RUN_DIR, startProcess } from './process.js';

export const DYNAMODB_LOCAL_VERSION = '2.6.1';
/** The sqlite4java release DynamoDB Local 2.x is built against. */
export const SQLITE4JAVA_VERSION = '1.0.392';

const ARTIFACTS: MavenArtifact[] = [
  { groupId: 'com.amazonaws', artifactId: 'DynamoDBLocal', version: DYNAMODB_LOCAL_VERSION },
  {
    groupId: 'com.almworks.sqlite4java',
    artifactId: 'libsqlite4java-linux-amd64',
    version: SQLITE4JAVA_VERSION,
    type: 'so',
  },
];

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface LocalServerOptions {
  /**
   * Keep the server's state in this folder across restarts instead of in memory (`paystream up`):
   * DynamoDB Local's -dbPath; for moto, its recorded changes and KMS key material
   * (python/moto_persistent.py).
   */
  readonly dataDir?: string;
  /** Listen on this port when it is free (a restarted stack keeps its endpoints); else any. */
  readonly port?: number;
}

/** Fake credentials: local servers accept any, and real ones must never reach a test. */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
export const LOCAL_AWS_REGION = 'us-east-1';

/**
 * sqlite4java looks for `libsqlite4java-linux-amd64.so` (no version suffix) first; Maven names
 * the file with its version. A copy under the plain name makes the lookup independent of the
 * library's fallback rules.
 */
function prepareNativeLib(lib: string): void {
  const plain = join(lib, 'libsqlite4java-linux-amd64.so');
  if (existsSync(plain)) return;
  const versioned = readdirSync(lib).find(
    (f) => f.startsWith('libsqlite4java-linux-amd64') && f.endsWith('.so'),
  );
  if (!versioned) throw new Error(`sqlite4java native library missing from ${lib}`);
  copyFileSync(join(lib, versioned), plain);
}

export async function dynamoDbLocalLib(): Promise<string> {
  const lib = await resolveMavenLib(`dynamodb-local-${DYNAMODB_LOCAL_VERSION}`, ARTIFACTS);
  prepareNativeLib(lib);
  return lib;
}

/** A real ListTables call, unsigned-credential-tolerant as DynamoDB Local is. */
async function listTablesOk(endpoint: string): Promise<boolean> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
    },
    body: '{}',
    signal: AbortSignal.timeout(2000),
  });
  if (res.status !== 200) return false;
  const body = (await res.json()) as { TableNames?: unknown };
  return Array.isArray(body.TableNames);
}

export async function startDynamoDbLocal(opts: LocalServerOptions = {}): Promise<LocalServer> {
  await requireCommand(
    'java',
    ['-version'],
    'a Java 17+ runtime runs DynamoDB Local (apt-get install openjdk-17-jre-headless)',
  );
  const lib = await dynamoDbLocalLib();
  const port = await portOr(opts.port);
  const endpoint = `http://127.0.0.1:${port}`;
  // DynamoDB Local writes a metadata file into its working directory; keep it out of the repo.
  const cwd = opts.dataDir ?? join(RUN_DIR, `dynamodb-local-${port}`);
  mkdirSync(cwd, { recursive: true });
  const proc = await startProcess({
    name: 'dynamodb-local',
    command: 'java',
    cwd,
    args: [
      // A small heap: the machine has two cores and other JVMs (Kafka) run beside it.
      '-Xmx512m',
      '-XX:+UseSerialGC',
      `-Djava.library.path=${lib}`,
      `-Dsqlite4java.library.path=${lib}`,
      '-cp',
      classpathOf(lib),
      'com.amazonaws.services.dynamodbv2.local.main.ServerRunner',
      ...(opts.dataDir ? ['-dbPath', opts.dataDir] : ['-inMemory']),
      '-port',
      String(port),
      // Requests from the tests carry fake credentials and the same region; -sharedDb makes
      // every credential/region pair see the same tables, so a test can never miss a table
      // because of which client created it.
      '-sharedDb',
      // No usage reports leave a test machine (there is no network to send them to anyway).
      '-disableTelemetry',
    ],
    ready: () => listTablesOk(endpoint),
    readyTimeoutMs: 90_000,
  });
  return { endpoint, stop: () => proc.stop() };
}
