// A real Apache Kafka broker for tests: KRaft mode (one process is both broker and
// controller), run straight from the Maven Central jars with the machine's `java`.
//
// Version: 3.9.2, the last 3.x, pinned as the safe default. Kafka 4.x removed old protocol API
// versions (KIP-896), and kafkajs 2.2.4 (unmaintained since 2023) still carries old ones; in
// practice kafkajs negotiates the highest version both sides know, and the whole Kafka spec
// (contract, transactions, fencing, crash test) also passed against 4.1.1
// (PAYSTREAM_KAFKA_VERSION=4.1.1). 3.9 stays the default because it keeps every version kafkajs
// might fall back to. PAYSTREAM_KAFKA_VERSION picks another version from Maven Central.
//
// Classpath: org.apache.kafka:kafka_2.13 with its runtime dependencies, plus
// org.slf4j:slf4j-reload4j (the binding the binary distribution ships; without a binding the
// broker logs nothing, and Kafka 3.x's Log4jController needs the log4j 1 API on the classpath).

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { classpathOf, type MavenArtifact, requireCommand, resolveMavenLib } from './maven.js';
import { freePort, type ManagedProcess, portOr, RUN_DIR, startProcess, tcpOpen } from './process.js';

const run = promisify(execFile);

export const KAFKA_VERSION = process.env.PAYSTREAM_KAFKA_VERSION ?? '3.9.2';

const artifacts = (version: string): MavenArtifact[] => [
  { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version },
  { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' },
];

export interface KafkaBroker {
  /** `host:port` of the PLAINTEXT listener, for kafkajs `brokers`. */
  readonly brokers: string[];
  /** The current broker process (a new one after restart()). */
  readonly process: ManagedProcess;
  readonly dataDir: string;
  stop(): Promise<void>;
  /** Stops the broker and starts it again on the same ports with the same data. */
  restart(): Promise<void>;
}

export interface StartKafkaOptions {
  /** `num.partitions` for topics created without an explicit count. Default 1. */
  partitionsDefault?: number;
  /** How long to wait for the broker to answer a metadata request. Default 120 s. */
  readyTimeoutMs?: number;
  /**
   * Keep config, log dirs and logs in this folder and leave them there on stop (`paystream up`):
   * a later start on the same folder continues the same cluster. Default: a fresh folder under
   * RUN_DIR, removed on stop.
   */
  dataDir?: string;
  /** Listen on this port when it is free (a restarted stack keeps its endpoint); else any. */
  port?: number;
}

const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
`;

/** Resolves (and caches) the broker's jars; returns the classpath. */
export async function kafkaClasspath(version = KAFKA_VERSION): Promise<string> {
  const lib = await resolveMavenLib(`kafka-${version}`, artifacts(version));
  return classpathOf(lib);
}

async function brokerAnswers(broker: string): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'paystream-testkit-probe',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0 || cluster.controller === null) return false;
    // The group coordinator (and __consumer_offsets) loads lazily; answering an offset fetch
    // means consumer groups work, so tests do not start against a coordinator still loading.
    await admin.fetchOffsets({ groupId: 'paystream-testkit-probe' });
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaBroker> {
  await requireCommand(
    'java',
    ['-version'],
    'A Java runtime (17+) is needed to run Apache Kafka (apt-get install openjdk-17-jre-headless)',
  );
  const classpath = await kafkaClasspath();
  const port = await portOr(opts.port);
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();

  const keep = opts.dataDir !== undefined;
  const dir = opts.dataDir ?? join(RUN_DIR, `kafka-${port}-${Date.now()}`);
  const dataDir = join(dir, 'data');
  if (!keep) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const propsFile = join(dir, 'server.properties');
  const log4jFile = join(dir, 'log4j.properties');
  writeFileSync(log4jFile, LOG4J);
  writeFileSync(
    propsFile,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${dataDir}`,
      `num.partitions=${opts.partitionsDefault ?? 1}`,
      'default.replication.factor=1',
      'offsets.topic.replication.factor=1',
      // Fewer internal partitions than the default 50: a single-node test broker starts faster.
      'offsets.topic.num.partitions=4',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=4',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'num.network.threads=2',
      'num.io.threads=4',
      'log.flush.interval.messages=9223372036854775807',
      'log.retention.hours=-1',
      'delete.topic.enable=true',
      '',
    ].join('\n'),
  );

  const java = (main: string, args: string[]) => [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4jFile}`,
    `-Dkafka.logs.dir=${dir}`,
    '-cp',
    classpath,
    main,
    ...args,
  ];

  // Format the storage once (a random cluster id), like `kafka-storage.sh format`. A kept folder
  // is already formatted with its own cluster id, which a second format would refuse.
  const clusterId = randomClusterId();
  if (!existsSync(join(dataDir, 'meta.properties')))
    try {
      await run(
        'java',
        // `--cluster-id=<id>` as one argument: an id may start with '-', which argparse would read as an option.
        java('kafka.tools.StorageTool', [
          'format',
          `--cluster-id=${clusterId}`,
          '-c',
          propsFile,
          '--ignore-formatted',
        ]),
        {
          timeout: 120_000,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      // The message is the whole java command line (a long classpath); its output says why.
      throw new Error(
        `Kafka storage format failed (config in ${propsFile}):\n${e.stdout ?? ''}${e.stderr ?? e.message}`,
      );
    }

  const broker = `127.0.0.1:${port}`;
  const launch = async (): Promise<ManagedProcess> => {
    try {
      return await startProcess({
        name: `kafka-${port}`,
        command: 'java',
        args: java('kafka.Kafka', [propsFile]),
        ready: async () => (await tcpOpen(port)) && (await brokerAnswers(broker)),
        readyTimeoutMs: opts.readyTimeoutMs ?? 120_000,
      });
    } catch (err) {
      throw new Error(
        `Kafka ${KAFKA_VERSION} did not start (data and config in ${dir}): ${(err as Error).message}`,
      );
    }
  };

  let current = await launch();
  return {
    brokers: [broker],
    dataDir: dir,
    get process() {
      return current;
    },
    async stop() {
      await current.stop(15_000);
      // Logs stay in RUN_DIR; the data goes unless asked to keep it (PAYSTREAM_KEEP_SERVER_DATA).
      if (!keep && !process.env.PAYSTREAM_KEEP_SERVER_DATA) rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await current.stop(15_000);
      // The controller socket can linger briefly; wait until the port is free again.
      for (let i = 0; i < 40 && (await tcpOpen(port)); i++) await new Promise((r) => setTimeout(r, 250));
      current = await launch();
    },
  };
}

function randomClusterId(): string {
  // A Kafka cluster id is a base64url-encoded 16-byte UUID (22 characters).
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url');
}
