// One chaos run, in four phases, every one bounded in time:
//
//   1. setup    servers (Kafka mode: our own Kafka broker, since we restart it, plus DynamoDB
//               Local, moto and the schema registry (Apicurio), reused from PAYSTREAM_TEST_*
//               when set), then each of the six
//               services as its own process (`paystream run <service>`), ingest first (it
//               creates the tenant); cards for the customers;
//   2. chaos    the payments are driven over HTTP while, a few seconds after the last victim
//               is back, a service (in shuffled rounds, so each is hit) is SIGKILLed and started
//               again — on through the backlog after the load, until every accepted payment is
//               decided; at a quarter of the load poison messages go onto the commands and
//               inbound topics; at half of it the Kafka broker is restarted (Kafka mode);
//   3. quiesce  every service up, every accepted payment decided (auto-released ones
//               released), every consumer group at the end of its topics;
//   4. checks   see checks.ts and invariants.ts.
//
// Everything the run did is in <dir>/chaos.log, the services' own logs in <dir>/<service>.log,
// and the figures in <dir>/report.json. The folder is removed after a run that passed (unless
// CHAOS_KEEP=1) and kept after one that failed.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TenantDirectory } from '@paystream/auth';
import { TOPICS } from '@paystream/eventing';
import { createKmsKey } from '@paystream/keys';
import type { Position } from '@paystream/log';
import { PROJECTION_TABLES, PROJECTIONS_GROUP } from '@paystream/projections';
import { type Engines, loadConfig, openEngines } from '@paystream/runtime';
import {
  type KafkaBroker,
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  type LocalServer,
  startDynamoDbLocal,
  startKafka,
  startMoto,
  startSchemaRegistry,
} from '@paystream/testkit';
import { type CheckReport, type Poison, runChecks } from './checks.js';
import { type DriveResult, drivePayments, planJobs } from './driver.js';
import { type CheckResult, terminalStatus } from './invariants.js';
import { ChaosLog, seededRandom } from './journal.js';
import { createCards } from './setup.js';
import { type ChaosService, SERVICES, Supervisor } from './supervisor.js';
import { WebhookWitness } from './webhooks.js';

export interface ChaosOptions {
  readonly mode: 'kafka' | 'embedded';
  readonly payments: number;
  readonly concurrency: number;
  readonly customers: number;
  readonly seed: number;
  /** Pause between two kills: uniformly in [min, max] ms. */
  readonly killIntervalMs: readonly [number, number];
  /** Services down (killed, not yet serving again) at most at once. */
  readonly maxDown: number;
  /** Restart the Kafka broker once, at half of the load (Kafka mode). */
  readonly restartBroker: boolean;
  /** Every n-th payment has a short auto-release hold (0: none). */
  readonly autoReleaseEvery: number;
  readonly driveTimeoutMs: number;
  readonly quiesceTimeoutMs: number;
  readonly keep: boolean;
  readonly logLevel: string;
}

/** Options from the environment: CHAOS_PAYMENTS (default 20,000), CHAOS_CONCURRENCY, … */
export function chaosOptions(mode: ChaosOptions['mode'], env = process.env): ChaosOptions {
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) throw new Error(`${name} must be an integer ${min}–${max}`);
    return n;
  };
  const payments = int('CHAOS_PAYMENTS', 20_000, 1, 10_000_000);
  return {
    mode,
    payments,
    concurrency: int('CHAOS_CONCURRENCY', 32, 1, 1_024),
    customers: int('CHAOS_CUSTOMERS', Math.min(4_000, Math.max(50, Math.ceil(payments / 5))), 1, 100_000),
    seed: int('CHAOS_SEED', Math.floor(Math.random() * 1_000_000), 0, 2 ** 31),
    killIntervalMs: [
      int('CHAOS_KILL_MIN_MS', 3_000, 0, 600_000),
      int('CHAOS_KILL_MAX_MS', 8_000, 0, 600_000),
    ],
    maxDown: int('CHAOS_MAX_DOWN', 1, 1, 5),
    restartBroker: mode === 'kafka',
    autoReleaseEvery: int('CHAOS_AUTO_RELEASE_EVERY', 10, 0, 1_000_000),
    // At least 10 payments/s must get through, or the run fails instead of hanging.
    driveTimeoutMs: int(
      'CHAOS_DRIVE_TIMEOUT_MS',
      Math.max(10 * 60_000, payments * 100),
      1_000,
      24 * 3_600_000,
    ),
    quiesceTimeoutMs: int('CHAOS_QUIESCE_TIMEOUT_MS', 15 * 60_000, 1_000, 24 * 3_600_000),
    keep: env.CHAOS_KEEP === '1',
    logLevel: env.CHAOS_LOG_LEVEL || 'info',
  };
}

export interface ChaosReport {
  readonly mode: ChaosOptions['mode'];
  readonly ok: boolean;
  readonly dir: string;
  readonly seed: number;
  readonly payments: { readonly planned: number; readonly accepted: number; readonly refused: number };
  readonly drive: DriveResult['stats'] & { readonly elapsedS: number; readonly acceptedPerSecond: number };
  readonly chaos: {
    /** From the first payment until every payment was decided (the monkey's time). */
    readonly durationS: number;
    readonly kills: number;
    readonly perService: ReturnType<Supervisor['stats']>;
    readonly brokerRestartS: number | null;
    readonly poisons: readonly Poison[];
  };
  readonly quiesceS: number;
  readonly checksS: number;
  readonly totalS: number;
  readonly statuses: Record<string, number>;
  readonly checks: readonly CheckResult[];
  readonly details: Pick<CheckReport, 'figures' | 'replay' | 'audit' | 'durationsMs'>;
  readonly refused: DriveResult['refused'];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** The consumer groups and the topics they read: quiescence is all of them at the end. */
const GROUPS: readonly { group: string; topic: string }[] = [
  { group: 'paystream-escrow', topic: TOPICS.commands },
  { group: 'paystream-escrow-vault', topic: TOPICS.events },
  { group: 'paystream-fraud', topic: TOPICS.events },
  { group: 'paystream-ach-batcher', topic: TOPICS.events },
  { group: PROJECTIONS_GROUP, topic: TOPICS.events },
  { group: 'paystream-ingest-inbound', topic: TOPICS.inbound },
  { group: 'paystream-webhooks', topic: TOPICS.events },
];

interface Servers {
  readonly env: Record<string, string>;
  readonly broker: KafkaBroker | null;
  stop(): Promise<void>;
}

async function startServers(
  opts: ChaosOptions,
  dir: string,
  apiKey: string,
  log: ChaosLog,
): Promise<Servers> {
  // The fraud model would decline or send to review most of a load this dense (a few thousand
  // cards paying several times within minutes are velocity bursts), and a payment in review
  // waits for a person. High thresholds keep the payments flowing through capture and the
  // ledger; the deny rule for the simulator's fraud card still declines, as does the network.
  const rulesFile = join(dir, 'fraud-rules.json');
  writeFileSync(
    rulesFile,
    JSON.stringify({
      version: 1,
      thresholds: { reviewAt: 990, declineAt: 995 },
      deny: { cardPatterns: [{ bin: '410000', last4: '0019', note: 'simulator fraud test card' }] },
    }),
  );
  const base: Record<string, string> = {
    PAYSTREAM_DATA: join(dir, 'data'),
    PAYSTREAM_API_KEY: apiKey,
    LOG_LEVEL: opts.logLevel,
    FRAUD_RULES_FILE: rulesFile,
    // The witness's receivers are on loopback. Short deadlines and leases: a killed dispatcher's
    // leased deliveries come due again within seconds.
    PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE: '1',
    WEBHOOKS_POLL_INTERVAL_MS: '200',
    WEBHOOKS_MAX_IN_FLIGHT_PER_ENDPOINT: '32',
    WEBHOOKS_TIMEOUT_MS: '5000',
    WEBHOOKS_LEASE_MARGIN_MS: '5000',
  };
  if (opts.mode === 'embedded')
    return { env: { ...base, KAFKA_BROKERS: '' }, broker: null, stop: async () => {} };

  // Local servers accept any credentials; the SDK's default chain (in the services too) reads these.
  process.env.AWS_ACCESS_KEY_ID = LOCAL_AWS_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_AWS_CREDENTIALS.secretAccessKey;
  const t0 = Date.now();
  const started: { stop(): Promise<void> }[] = [];
  const reuse = (variable: string, start: () => Promise<LocalServer>) => async (): Promise<string> => {
    const given = process.env[variable];
    if (given) return given;
    const s = await start();
    started.push(s);
    return s.endpoint;
  };
  try {
    const [broker, dynamodb, aws, registry] = await Promise.all([
      // Always our own broker: the run restarts it.
      startKafka({ partitionsDefault: 3 }).then((k) => {
        started.push(k);
        return k;
      }),
      reuse('PAYSTREAM_TEST_DYNAMODB_ENDPOINT', startDynamoDbLocal)(),
      reuse('PAYSTREAM_TEST_AWS_ENDPOINT', startMoto)(),
      reuse('PAYSTREAM_TEST_SCHEMA_REGISTRY_URL', async () => {
        const r = await startSchemaRegistry();
        return { endpoint: r.url, stop: () => r.stop() };
      })(),
    ]);
    const kmsKeyId = await createKmsKey(
      { region: LOCAL_AWS_REGION, endpoint: aws, credentials: LOCAL_AWS_CREDENTIALS },
      'paystream chaos card data',
    );
    const run = randomBytes(4).toString('hex');
    log.line('servers ready', { ms: Date.now() - t0, kafka: broker.brokers, dynamodb, aws, registry });
    return {
      broker,
      env: {
        ...base,
        KAFKA_BROKERS: broker.brokers.join(','),
        SCHEMA_REGISTRY_URL: registry,
        DYNAMODB_ENDPOINT: dynamodb,
        AWS_ENDPOINT_URL: aws,
        AWS_REGION: LOCAL_AWS_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
        KMS_KEY_ID: kmsKeyId,
        S3_BUCKET: `paystream-chaos-${run}`,
        PAYSTREAM_TABLE_PREFIX: `chaos_${run}_`,
      },
      stop: async () => {
        await Promise.allSettled(started.map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw err;
  }
}

/** Garbage where commands and inbound records are read: each must end up dead-lettered. */
async function injectPoison(engines: Engines, log: ChaosLog): Promise<Poison[]> {
  const garbage = Buffer.concat([
    Buffer.from([0x7f]),
    Buffer.from('chaos poison: not an Avro envelope'),
    randomBytes(32),
  ]);
  const [onCommands] = await engines.log.append([
    { topic: TOPICS.commands, key: 'pay_chaos_poison', value: garbage },
  ]);
  const [onInbound] = await engines.log.append([
    { topic: TOPICS.inbound, key: 'chaos-poison', value: Buffer.from('{"this is": "not a command"') },
  ]);
  const poisons: Poison[] = [
    { label: 'garbage bytes on the commands topic', ...onCommands! },
    { label: 'malformed JSON on the inbound topic', ...onInbound! },
  ];
  log.line('POISON injected', { poisons });
  return poisons;
}

/** Without progress for this long, waiting on is pointless: something is stuck. */
const STALL_MS = 180_000;

/** Every accepted payment decided (and released, if its hold ended), by reading the read model. */
async function waitForDecisions(
  engines: Engines,
  drive: DriveResult,
  deadlineMs: number,
  log: ChaosLog,
): Promise<{ undecided: number }> {
  const payments = PROJECTION_TABLES.find((t) => t.name === 'payments')!;
  let pending = [...drive.accepted.values()];
  let lastLogMs = 0;
  let lastProgressMs = Date.now();
  while (pending.length > 0 && Date.now() < deadlineMs) {
    const keep: typeof pending = [];
    let run = 0;
    let i = 0;
    let holding = false;
    // From the oldest forwards; a run of undecided ones ends the sweep (they decide in order).
    for (; i < pending.length && run < 500; i++) {
      const a = pending[i]!;
      const item = await engines.readStore.get(payments, { id: a.id });
      const status = terminalStatus((item?.state ?? null) as { status?: unknown } | null);
      const waitingForRelease =
        status === 'held' && a.holdUntilMs !== null && Date.now() < a.holdUntilMs + 120_000;
      holding ||= waitingForRelease;
      if (status === null || waitingForRelease) {
        keep.push(a);
        run += 1;
      } else run = 0;
    }
    const before = pending.length;
    pending = keep.concat(pending.slice(i));
    if (pending.length < before || holding) lastProgressMs = Date.now();
    if (Date.now() - lastLogMs > 10_000) {
      log.line('waiting for decisions', { undecided: pending.length });
      lastLogMs = Date.now();
    }
    if (Date.now() - lastProgressMs > STALL_MS) {
      log.line('decisions stalled', { undecided: pending.length, forMs: STALL_MS });
      break;
    }
    if (pending.length > 0) await sleep(1_000);
  }
  return { undecided: pending.length };
}

/**
 * Every consumer group at the end of its topic, and the log not growing, twice in a row.
 * Returns the groups still behind (none when quiesced).
 */
async function waitForGroups(engines: Engines, deadlineMs: number, log: ChaosLog): Promise<string[]> {
  let stableRounds = 0;
  let lastEnd = '';
  let lastCommitted = '';
  let lastProgressMs = Date.now();
  let behind: string[] = [];
  while (Date.now() < deadlineMs) {
    const topics = [TOPICS.commands, TOPICS.events, TOPICS.inbound];
    const end: Position = await engines.log.endPosition(topics);
    behind = [];
    const committedAll: Position[] = [];
    for (const { group, topic } of GROUPS) {
      const committed = await engines.log.committed(group, [topic]);
      committedAll.push(committed);
      for (const [k, v] of Object.entries(end))
        if (k.startsWith(`${topic}/`) && (committed[k] ?? 0) < v) behind.push(`${group}@${k}`);
    }
    const endText = JSON.stringify(end);
    const committedText = JSON.stringify(committedAll);
    if (committedText !== lastCommitted || endText !== lastEnd) lastProgressMs = Date.now();
    stableRounds = behind.length === 0 && endText === lastEnd ? stableRounds + 1 : 0;
    lastEnd = endText;
    lastCommitted = committedText;
    if (stableRounds >= 2) return [];
    if (Date.now() - lastProgressMs > STALL_MS) {
      log.line('consumer groups stalled', { behind, forMs: STALL_MS });
      return behind;
    }
    if (behind.length > 0) log.line('waiting for consumer groups', { behind: behind.slice(0, 6) });
    await sleep(3_000);
  }
  return behind;
}

/**
 * Consumers that died for good in a process that came up and went on serving (one that died
 * while starting exits, and the supervisor starts it again): a crash kafkajs does not restart
 * ("restarting in …" is ours, see KafkaSubscription) counts until the same process logs that
 * group "restarted after a crash".
 */
function deadConsumers(supervisor: Supervisor): string[] {
  return SERVICES.flatMap((s) => {
    const file = supervisor.logFile(s);
    return existsSync(file)
      ? deadConsumersIn(s, readFileSync(file, 'utf8'), (pid) => supervisor.served(pid))
      : [];
  });
}

/** deadConsumers over one service's log text; `served`: the process came up and served. */
export function deadConsumersIn(
  service: string,
  logText: string,
  served: (pid: number) => boolean,
): string[] {
  const down = new Map<string, string>(); // `${pid} ${group}` → the crash
  for (const line of logText.split('\n')) {
    if (!line.includes('consumer group')) continue;
    let l: { time?: string; pid?: number; msg?: string; error?: string };
    try {
      l = JSON.parse(line) as typeof l;
    } catch {
      continue; // not a log line
    }
    const m = /^consumer group (\S+) (crashed|restarted after a crash)/.exec(l.msg ?? '');
    if (!m || l.pid === undefined || !served(l.pid)) continue;
    const key = `${l.pid} ${m[1]}`;
    if (m[2] === 'restarted after a crash') down.delete(key);
    else if (!l.msg!.includes('kafkajs restarts it'))
      down.set(key, `${service} pid ${l.pid} at ${l.time}: ${l.msg} (${l.error})`);
  }
  return [...down.values()];
}

export async function runChaos(opts: ChaosOptions, root: string): Promise<ChaosReport> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), `paystream-chaos-${opts.mode}-`));
  mkdirSync(join(dir, 'data'), { recursive: true });
  const log = new ChaosLog(join(dir, 'chaos.log'));
  log.line(`chaos run (${opts.mode})`, { ...opts, dir });
  const random = seededRandom(opts.seed);
  const apiKey = `psk_chaos_${randomBytes(16).toString('hex')}`;

  const servers = await startServers(opts, dir, apiKey, log);
  const supervisor = await Supervisor.create({ root, dir, env: servers.env, log });
  let engines: Engines | null = null;
  let report: ChaosReport | null = null;
  let witness: WebhookWitness | null = null;
  try {
    // 1. setup: ingest first (it creates the default tenant and its key), then the others.
    await supervisor.start('ingest');
    await Promise.all(SERVICES.filter((s) => s !== 'ingest').map((s) => supervisor.start(s)));
    engines = await openEngines(loadConfig({ ...process.env, ...servers.env, PORT: '0' }));
    const directory = new TenantDirectory(engines.readStore);
    await directory.init();
    // Several keys: ingest allows 10,000 requests a minute per key, and retries count too.
    const keys = [apiKey];
    for (let i = 0; i < 7; i++) {
      const k = `psk_chaos_${randomBytes(16).toString('hex')}`;
      await directory.addKey('default', k, ['read', 'write'], `chaos-${i}`);
      keys.push(k);
    }
    const cards = await createCards(supervisor.url('ingest'), apiKey, opts.customers);
    const cardsAt = await engines.log.endPosition([TOPICS.events]);
    if (!(await engines.log.waitForGroup(PROJECTIONS_GROUP, cardsAt, 300_000)))
      throw new Error('the cards were not projected within 300 s');
    witness = await WebhookWitness.start();
    // The webhook endpoints API is served by the API process (ingest), like every route.
    await witness.register(supervisor.url('ingest'), apiKey);
    log.line('setup done', { ms: Date.now() - t0, cards: cards.length });

    // 2. chaos: the load, and the monkey until the load is done and every payment decided.
    const jobs = planJobs({
      runId: randomBytes(4).toString('hex'),
      payments: opts.payments,
      cards,
      providers: 50,
      autoReleaseEvery: opts.autoReleaseEvery,
      holdMs: 90_000,
    });
    supervisor.watch();
    let acceptedCount = 0;
    let driving = true;
    const driveStarted = Date.now();
    const driving$ = drivePayments({
      url: supervisor.url('ingest'),
      keys,
      jobs,
      concurrency: opts.concurrency,
      deadlineMs: driveStarted + opts.driveTimeoutMs,
      onAccepted: () => {
        acceptedCount += 1;
      },
    }).finally(() => {
      driving = false;
    });

    // The monkey: a few seconds after the last victim is back (CHAOS_MAX_DOWN > 1 lets victims
    // overlap), a service (shuffled rounds, so each one is hit) is SIGKILLed and started again
    // in the background, sometimes at once, sometimes after a while. It goes on after the load,
    // while the pipeline works through its backlog and the holds end, until every accepted
    // payment is decided (or that stalls).
    let drive: DriveResult | null = null;
    let draining: Promise<void> | null = null;
    let drained = false;
    const chaosDeadline = driveStarted + opts.driveTimeoutMs + opts.quiesceTimeoutMs;
    let poisons: Poison[] | null = null;
    let brokerRestartMs: number | null = null;
    let round: ChaosService[] = [];
    const down = new Set<ChaosService>();
    const restarts: Promise<void>[] = [];
    const monkeyErrors: string[] = [];
    const pause = () => {
      const [min, max] = opts.killIntervalMs;
      return min + random() * (max - min);
    };
    let nextKillMs = Date.now() + pause();
    let lastProgressMs = Date.now();
    while (!drained) {
      await sleep(250);
      if (!driving && draining === null) {
        const result = await driving$;
        drive = result;
        log.line('load done; chaos goes on until every payment is decided', {
          accepted: result.accepted.size,
          refused: result.refused.length,
          elapsedS: seconds(result.elapsedMs),
          ...result.stats,
        });
        draining = waitForDecisions(engines, result, chaosDeadline, log).then(() => {
          drained = true;
        });
      }
      if (drained) break;
      const progress = acceptedCount / opts.payments;
      if (Date.now() - lastProgressMs > 10_000) {
        log.line('progress', {
          accepted: acceptedCount,
          perSecond: Math.round(acceptedCount / ((Date.now() - driveStarted) / 1000)),
          down: [...down],
        });
        lastProgressMs = Date.now();
      }
      if (poisons === null && progress >= 0.25) {
        poisons = await injectPoison(engines, log);
        continue;
      }
      if (opts.restartBroker && servers.broker && brokerRestartMs === null && progress >= 0.5) {
        log.line('restarting the Kafka broker');
        const b0 = Date.now();
        await servers.broker.restart();
        brokerRestartMs = Date.now() - b0;
        log.line('Kafka broker back', { ms: brokerRestartMs });
        continue;
      }
      if (Date.now() < nextKillMs || down.size >= opts.maxDown) continue;
      if (round.length === 0) {
        round = [...SERVICES];
        for (let i = round.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [round[i], round[j]] = [round[j]!, round[i]!];
        }
      }
      const at = round.findIndex((s) => !down.has(s));
      if (at < 0) continue;
      const victim = round.splice(at, 1)[0]!;
      // Sometimes straight back, sometimes down for a while.
      const downMs = random() < 0.5 ? 0 : Math.round(random() * 5_000);
      down.add(victim);
      restarts.push(
        (async () => {
          await supervisor.kill(victim);
          await sleep(downMs);
          await supervisor.start(victim);
        })()
          .catch((err: unknown) => {
            monkeyErrors.push(`${victim}: ${(err as Error).message}`);
          })
          .finally(() => {
            down.delete(victim);
            // The next pause starts when a victim is back: a Kafka-mode restart takes about a
            // session timeout (the group waits for the killed member), longer than the pause.
            nextKillMs = Math.max(nextKillMs, Date.now() + pause());
          }),
      );
      nextKillMs = Date.now() + pause();
    }
    await Promise.all(restarts);
    await draining;
    if (drive === null) throw new Error('unreachable: the chaos ended before the load');
    const chaosMs = Date.now() - driveStarted;
    log.line('chaos over', { ms: chaosMs });
    // A load too small to reach the marks still gets its poison and broker restart.
    poisons ??= await injectPoison(engines, log);
    if (opts.restartBroker && servers.broker && brokerRestartMs === null) {
      const b0 = Date.now();
      await servers.broker.restart();
      brokerRestartMs = Date.now() - b0;
      log.line('Kafka broker restarted after the load', { ms: brokerRestartMs });
    }

    // 3. quiesce: every service up, then decisions and consumer groups.
    const q0 = Date.now();
    await supervisor.settle();
    const quiesceDeadline = q0 + opts.quiesceTimeoutMs;
    const { undecided } = await waitForDecisions(engines, drive, quiesceDeadline, log);
    const behind = await waitForGroups(engines, quiesceDeadline, log);
    const groupsDone = behind.length === 0;
    const quiesceMs = Date.now() - q0;
    log.line(groupsDone && undecided === 0 ? 'quiesced' : 'did NOT quiesce', {
      ms: quiesceMs,
      undecided,
      behind,
    });

    // Webhook deliveries go on after the groups are at the end (retries, leases of killed
    // dispatchers); the witness waits for them within the quiesce deadline.
    const webhookResults = await witness.check(
      engines,
      supervisor.url('ingest'),
      apiKey,
      Math.max(quiesceDeadline, Date.now() + 120_000),
      log,
    );

    // 4. checks.
    const c0 = Date.now();
    const dead = deadConsumers(supervisor);
    const checked = await runChecks({
      engines,
      accepted: drive.accepted,
      ingestUrl: supervisor.url('ingest'),
      apiKey,
      poisons,
      root,
      env: servers.env,
    });
    const results: CheckResult[] = [
      {
        name: 'the load completed: every payment accepted',
        ok: drive.accepted.size === opts.payments && drive.refused.length === 0,
        detail: `${drive.accepted.size} accepted, ${drive.refused.length} refused, ${drive.stats.gaveUp} given up of ${opts.payments}`,
      },
      {
        name: 'every killed service started again',
        ok: monkeyErrors.length === 0,
        detail: monkeyErrors.length === 0 ? 'ok' : monkeyErrors.join('; '),
      },
      {
        name: 'the system quiesced (decisions made, every consumer group at the end)',
        ok: undecided === 0 && groupsDone,
        detail: `${undecided} undecided, groups ${groupsDone ? 'at the end' : `NOT at the end: ${behind.slice(0, 12).join(', ')}`} after ${seconds(quiesceMs)} s`,
      },
      {
        name: 'no consumer died inside a running service',
        ok: dead.length === 0,
        detail: dead.length === 0 ? 'none' : dead.slice(0, 10).join('; '),
      },
      ...checked.results,
      ...webhookResults,
    ];
    const stats = supervisor.stats();
    report = {
      mode: opts.mode,
      ok: results.every((r) => r.ok),
      dir,
      seed: opts.seed,
      payments: { planned: opts.payments, accepted: drive.accepted.size, refused: drive.refused.length },
      drive: {
        ...drive.stats,
        elapsedS: seconds(drive.elapsedMs),
        acceptedPerSecond: Math.round((drive.accepted.size / drive.elapsedMs) * 10_000) / 10,
      },
      chaos: {
        durationS: seconds(chaosMs),
        kills: Object.values(stats).reduce((n, s) => n + s.kills, 0),
        perService: stats,
        brokerRestartS: brokerRestartMs === null ? null : seconds(brokerRestartMs),
        poisons,
      },
      quiesceS: seconds(quiesceMs),
      checksS: seconds(Date.now() - c0),
      totalS: seconds(Date.now() - t0),
      statuses: checked.statuses,
      checks: results,
      details: {
        figures: checked.figures,
        replay: checked.replay,
        audit: checked.audit,
        durationsMs: checked.durationsMs,
      },
      refused: drive.refused.slice(0, 20),
    };
    writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    for (const r of results) log.line(`${r.ok ? 'PASS' : 'FAIL'} ${r.name}: ${r.detail}`);
    return report;
  } catch (err) {
    log.line('run aborted', { error: (err as Error).stack ?? String(err) });
    throw Object.assign(err as Error, { chaosLog: log.tail(200), dir });
  } finally {
    await supervisor.stopAll().catch(() => undefined);
    await witness?.close().catch(() => undefined);
    await engines?.close().catch(() => undefined);
    await servers.stop();
    if (report?.ok && !opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
