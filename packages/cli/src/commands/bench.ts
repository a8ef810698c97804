// `paystream bench`: the all-in-one in this process (embedded engines in a temp dir by default;
// Kafka mode with --engine kafka and the Kafka-mode variables), driven over HTTP on loopback:
//   (a) fixed rate (default 1,000/s for --duration s): ingest latency of POST /v1/payments;
//   (b) maximum rate with --concurrency requests in flight for --duration s: payments/s
//       decided (accepted → scored → authorized → captured → held, or declined, seen on the
//       events topic by a consumer group of the bench's own) and visible (the projections group
//       committed past the decision, so the read models hold it) — the bench never reads the
//       read store, so it adds nothing to the requests it counts; AWS SDK requests and DynamoDB
//       items written in the phase are counted by middleware (runtime/aws-requests.ts), per payment;
//   (c) a no-op fastify route on the same machine at maximum rate: the ceiling;
//   (d) Kafka mode: DynamoDB's own ceiling on this machine — BatchWriteItem of 25 ~400-byte
//       items, 8 in flight, into a scratch table on the same endpoint (not counted in (b)).
// The load comes from a worker thread (bench-load.ts). Everything is bounded in time and count.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import { PaystreamError } from '@paystream/core';
import { createReadQueries } from '@paystream/projections';
import { DynamoDbReadStore, defineTable } from '@paystream/readstore';
import { type Config, diffAwsRequests } from '@paystream/runtime';
import Fastify from 'fastify';
import { runServices } from '../compose.js';
import { availableServices } from '../services.js';
import {
  allInOneConfig,
  apiKeys,
  type EngineChoice,
  engineOption,
  intOption,
  newApiKey,
  pool,
} from './all-in-one.js';
import { allowListBenchCustomers } from './bench-fraud-rules.js';
import { type LoadResult, runLoad } from './bench-load.js';
import { perSecond, ratio, round, summarize } from './bench-stats.js';
import { cardNumber } from './card-numbers.js';
import { DecisionFollower } from './decision-follower.js';
import { DecisionTracker } from './decision-tracker.js';

export interface BenchOptions {
  readonly json: boolean;
  /** Requests per second in the fixed-rate phase. */
  readonly rate: number;
  /** Seconds of each of the fixed-rate and maximum-rate phases. */
  readonly duration: number;
  readonly engine: EngineChoice;
  /** Requests in flight in the maximum-rate phases. */
  readonly concurrency: number;
  /** Customers, each with its own card, the payments are spread over. */
  readonly customers: number;
  /** Let the fraud model decide (it declines the bench's velocity); default: allow-listed. */
  readonly fraudDecides: boolean;
}

export interface BenchReport {
  readonly engine: EngineChoice;
  /** Max-rate phase: payments decided on the events topic per second. */
  readonly decidedPerSecond: number | null;
  /** Max-rate phase: payments visible in the read models per second. */
  readonly endToEndPerSecond: number | null;
  /** Kafka mode: DynamoDB requests (reads and writes, every service) per decided payment. */
  readonly dynamoRequestsPerPayment: number | null;
  readonly dynamoItemsWrittenPerPayment: number | null;
  /** Kafka mode: BatchWriteItem items/s the same DynamoDB endpoint takes on a scratch table. */
  readonly dynamoCeilingItemsPerSecond: number | null;
  readonly kmsRequestsPerPayment: number | null;
  readonly mainThreadMsPerPayment: number | null;
  readonly ingestP50Ms: number | null;
  readonly ingestP95Ms: number | null;
  readonly ingestP99Ms: number | null;
  readonly ceilingPerSecond: number | null;
  readonly ratioToCeiling: number | null;
  readonly fixedRate: Record<string, unknown>;
  readonly maxRate: Record<string, unknown>;
  readonly ceiling: Record<string, unknown>;
  readonly dynamoCeiling: Record<string, unknown> | null;
  readonly machine: Record<string, unknown>;
}

const DEFAULT_CUSTOMERS = 500;
/** The ingest routes allow 10,000 requests a minute per key; the load is spread over keys. */
const KEYS = 64;
const REQUEST_TIMEOUT_MS = 30_000;

/** A no-op fastify route: JSON in, JSON out, nothing else — the most this machine serves. */
async function ceilingServer() {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  app.post('/noop', async () => ({ ok: true }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

/**
 * How long the server's event loop (every service shares it in the all-in-one) was blocked:
 * a request waits at least that long, whatever the route does.
 */
function loopDelay() {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  return {
    stop: () => {
      h.disable();
      const ms = (ns: number) => round(ns / 1e6, 1);
      return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
    },
  };
}

/** Progress goes to stderr, so `--json` leaves exactly one JSON object on stdout. */
function say(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/**
 * DynamoDB's own write ceiling here: BatchWriteItem of 25 items of ~400 bytes, `writers` bulk
 * loads at once (each keeps 4 batches in flight), into a scratch table on the read store's
 * endpoint, dropped afterwards. Its client is not the engines' (not counted).
 */
async function dynamoCeiling(config: Config, runId: string, ms: number) {
  const k = config.kafka!;
  const endpoint = k.dynamodbEndpoint ?? k.awsEndpoint;
  const store = new DynamoDbReadStore({
    region: k.awsRegion,
    ...(endpoint ? { endpoint } : {}),
    prefix: `benchceiling${runId}_`,
  });
  const table = defineTable({ name: 'scratch', key: { pk: 'id' } });
  const writers = 2;
  const pad = 'x'.repeat(360);
  try {
    await store.ensureTables([table]);
    let items = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let n = 0; performance.now() - started < ms; n += 100) {
          const batch = Array.from({ length: 100 }, (_, i) => ({
            item: { id: `w${w}_${n + i}`, amountMinor: n + i, pad },
            version: 1,
          }));
          await store.bulkLoad(table, batch);
          items += batch.length;
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    return {
      itemsPerSecond: round(perSecond(items, elapsedMs), 1),
      items,
      elapsedS: round(elapsedMs / 1000, 2),
      batchItems: 25,
      inFlight: writers * 4,
      itemBytes: 400,
    };
  } finally {
    await store.dropTables([table]).catch(() => undefined);
    await store.close();
  }
}

function perPayment(n: number, payments: number, digits = 3): number | null {
  return payments > 0 ? round(n / payments, digits) : null;
}

function loadFigures(r: LoadResult) {
  return {
    sent: r.sent,
    accepted: r.ok,
    unsent: r.unsent,
    statuses: r.statuses,
    elapsedS: round(r.elapsedMs / 1000, 2),
    firstError: r.firstError,
  };
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const durationMs = options.duration * 1000;
  const dataDir = mkdtempSync(join(tmpdir(), 'paystream-bench-'));
  const apiKey = newApiKey('bench');
  const runId = randomBytes(4).toString('hex');
  // Kafka mode keeps PAYSTREAM_DATA when set (its engines are the servers, not this dir).
  const config = allInOneConfig(
    options.engine,
    options.engine === 'kafka' ? process.env.PAYSTREAM_DATA || dataDir : dataDir,
    apiKey,
  );
  const customerId = (i: number) => `cus_bench_${runId}_${i}`;
  const restoreRules = options.fraudDecides
    ? () => {}
    : allowListBenchCustomers(
        dataDir,
        Array.from({ length: options.customers }, (_, i) => customerId(i)),
      );
  say(`starting the all-in-one (${config.mode})`);
  let running: Awaited<ReturnType<typeof runServices>>;
  try {
    running = await runServices(config, availableServices());
  } finally {
    restoreRules();
  }
  try {
    const keys = await apiKeys(running, apiKey, KEYS, 'bench', runId);
    const queries = createReadQueries(running.engines);

    say(`creating ${options.customers} customers and cards`);
    const customers: { customerId: string; cardId: string }[] = [];
    await pool(
      Array.from({ length: options.customers }, (_, i) => i),
      16,
      async (i) => {
        const res = await fetch(`${running.url}/v1/payment-methods/cards`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys[i % keys.length]}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            customerId: customerId(i),
            number: cardNumber(i),
            expMonth: 12,
            expYear: 2035,
            cvc: '123',
          }),
        });
        const body = (await res.json()) as { id?: string; message?: string };
        if (res.status !== 201 || !body.id) {
          throw new PaystreamError('bench_failed', `card ${i}: ${res.status} ${body.message ?? ''}`);
        }
        customers.push({ customerId: customerId(i), cardId: body.id });
      },
    );

    const load = (phase: string, mode: 'fixed' | 'max', ms: number, onIds?: (ids: string[]) => void) =>
      runLoad(
        {
          url: running.url,
          path: '/v1/payments',
          mode,
          durationMs: ms,
          rate: options.rate,
          concurrency: mode === 'fixed' ? 512 : options.concurrency,
          keys,
          customers,
          keyPrefix: `bench-${runId}-${phase}-`,
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
        },
        onIds,
      );

    // Warm-up (JIT, caches, SQLite pages), not measured; then let the pipeline drain.
    const warm = new DecisionTracker(queries, 'default');
    await load('warm', 'max', Math.min(1_000, durationMs), (ids) => warm.add(ids));
    await warm.follow(() => true, performance.now() + 30_000);

    say(`(a) fixed rate: ${options.rate}/s for ${options.duration} s`);
    const fixedTracker = new DecisionTracker(queries, 'default');
    const fixedLoop = loopDelay();
    const fixed = await load('fixed', 'fixed', durationMs, (ids) => fixedTracker.add(ids));
    const fixedLoopDelay = fixedLoop.stop();
    const latency = summarize(fixed.latenciesMs);
    await fixedTracker.follow(() => true, performance.now() + Math.max(30_000, 2 * durationMs));

    say(`(b) maximum rate: ${options.concurrency} in flight for ${options.duration} s`);
    const follower = await DecisionFollower.start(
      running.engines.log,
      running.engines.bus.codec,
      `paystream-bench-${runId}`,
    );
    const countsBefore = running.engines.awsRequests.snapshot();
    let driving = true;
    const started = performance.now();
    const following = follower.follow(
      () => !driving,
      started + durationMs + Math.max(60_000, 2 * durationMs),
    );
    const maxLoop = loopDelay();
    const eluBefore = perf.eventLoopUtilization();
    const max = await load('max', 'max', durationMs, (ids) => follower.add(ids));
    const maxLoopDelay = maxLoop.stop();
    driving = false;
    const driveEnd = performance.now();
    await following;
    const elu = perf.eventLoopUtilization(eluBefore);
    const countsAfter = running.engines.awsRequests.snapshot();
    await follower.stop();
    const decidedMs = follower.lastDecidedAt > 0 ? follower.lastDecidedAt - started : 0;
    const decidedPerSecond = perSecond(follower.decided, decidedMs);
    const endToEndMs = follower.lastVisibleAt > 0 ? follower.lastVisibleAt - started : 0;
    const endToEndPerSecond = perSecond(follower.visible, endToEndMs);
    const payments = follower.decided;
    const counted = diffAwsRequests(countsBefore, countsAfter);
    const requestsByOperation: Record<string, number> = {};
    for (const [name, n] of Object.entries(counted.dynamodb)) {
      const op = `dynamodb.${name.split(' ')[0]}`;
      requestsByOperation[op] = (requestsByOperation[op] ?? 0) + n;
    }
    for (const [op, n] of Object.entries(counted.kms)) requestsByOperation[`kms.${op}`] = n;
    const kafka = config.mode === 'kafka';
    const dynamoRequests = counted.dynamodbRequests;
    const itemsWritten = counted.dynamodbItemsWrittenTotal;
    const itemsPerPayment = kafka ? perPayment(itemsWritten, payments) : null;

    let ceilingDynamo: Awaited<ReturnType<typeof dynamoCeiling>> | null = null;
    if (kafka) {
      say('(d) DynamoDB ceiling: BatchWriteItem of 25, 8 in flight, scratch table, 3 s');
      ceilingDynamo = await dynamoCeiling(config, runId, 3_000);
    }

    const ceilingMs = Math.min(durationMs, 5_000);
    say(`(c) ceiling: a no-op fastify route, ${options.concurrency} in flight for ${ceilingMs / 1000} s`);
    const noop = await ceilingServer();
    let ceiling: LoadResult;
    try {
      ceiling = await runLoad({
        url: noop.url,
        path: '/noop',
        mode: 'max',
        durationMs: ceilingMs,
        concurrency: options.concurrency,
        keys: ['none'],
        keyPrefix: 'noop-',
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      });
    } finally {
      await noop.close();
    }
    const ceilingPerSecond = perSecond(ceiling.ok, ceiling.elapsedMs);
    const acceptedPerSecond = perSecond(max.ok, max.elapsedMs);

    return {
      engine: config.mode,
      decidedPerSecond: round(decidedPerSecond, 1),
      endToEndPerSecond: round(endToEndPerSecond, 1),
      dynamoRequestsPerPayment: kafka ? perPayment(dynamoRequests, payments) : null,
      dynamoItemsWrittenPerPayment: itemsPerPayment,
      dynamoCeilingItemsPerSecond: ceilingDynamo?.itemsPerSecond ?? null,
      kmsRequestsPerPayment: kafka ? perPayment(counted.kmsRequests, payments) : null,
      mainThreadMsPerPayment: payments > 0 ? round(elu.active / payments, 3) : null,
      ingestP50Ms: round(latency.p50, 2),
      ingestP95Ms: round(latency.p95, 2),
      ingestP99Ms: round(latency.p99, 2),
      ceilingPerSecond: round(ceilingPerSecond, 1),
      ratioToCeiling: ratio(endToEndPerSecond, ceilingPerSecond),
      fixedRate: {
        targetPerSecond: options.rate,
        durationS: options.duration,
        ...loadFigures(fixed),
        achievedPerSecond: round(perSecond(fixed.sent, fixed.elapsedMs), 1),
        ingestMeanMs: round(latency.mean, 2),
        ingestMaxMs: round(latency.max, 2),
        maxScheduleLagMs: round(fixed.maxLagMs, 2),
        eventLoopDelayMs: fixedLoopDelay,
        decided: fixedTracker.decided,
        undecided: fixedTracker.pending,
        decisions: fixedTracker.statuses,
      },
      maxRate: {
        concurrency: options.concurrency,
        durationS: options.duration,
        ...loadFigures(max),
        acceptedPerSecond: round(acceptedPerSecond, 1),
        acceptedRatioToCeiling: ratio(acceptedPerSecond, ceilingPerSecond),
        decided: follower.decided,
        undecided: follower.pending,
        visible: follower.visible,
        notVisible: follower.invisible,
        decisions: follower.statuses,
        decidedS: round(decidedMs / 1000, 2),
        endToEndS: round(endToEndMs / 1000, 2),
        drainAfterLoadS: round(Math.max(0, follower.lastVisibleAt - driveEnd) / 1000, 2),
        // Requests of every service in the phase (the bench's own observation reads no store).
        awsRequests: requestsByOperation,
        // `op table`; a request naming several tables (a projector transaction) counts under `*`.
        dynamoRequestsByTable: counted.dynamodb,
        dynamoItemsWrittenByTable: counted.dynamodbItemsWritten,
        dynamoItemsWritten: kafka ? itemsWritten : null,
        // Visible throughput over what DynamoDB itself takes, at this many items per payment.
        visibleRatioToDynamoCeiling:
          ceilingDynamo?.itemsPerSecond && itemsPerPayment
            ? ratio(endToEndPerSecond, ceilingDynamo.itemsPerSecond / itemsPerPayment)
            : null,
        eventLoopDelayMs: maxLoopDelay,
        // Every service shares the main thread: its busy time per decided payment is the cost
        // of one payment across ingest, fraud, escrow and projections (less noisy than rates).
        mainThreadUtilization: round(elu.utilization, 3),
        mainThreadMsPerPayment: payments > 0 ? round(elu.active / payments, 3) : null,
      },
      ceiling: { concurrency: options.concurrency, ...loadFigures(ceiling) },
      dynamoCeiling: ceilingDynamo,
      machine: {
        cpus: cpus().length,
        node: process.version,
        loadAverage1m: round(loadavg()[0] ?? Number.NaN, 2),
        loadGenerator: 'worker thread, node:http keep-alive, loopback',
        apiKeys: KEYS,
        customers: options.customers,
      },
    };
  } finally {
    await running.lifecycle.close();
    if (options.engine === 'embedded') rmSync(dataDir, { recursive: true, force: true });
  }
}

function table(r: BenchReport): string {
  const f = r.fixedRate;
  const m = r.maxRate;
  const loop = (d: unknown) => {
    const { p99, max } = d as { p99: number; max: number };
    return `${p99} / ${max} ms`;
  };
  const rows: [string, string][] = [
    ['engine', r.engine],
    [
      '(a) fixed rate',
      `${f.targetPerSecond}/s for ${f.durationS} s: ${f.accepted}/${f.sent} accepted, ${f.unsent} due but not sent (server behind)`,
    ],
    [
      '    ingest p50 / p95 / p99',
      `${r.ingestP50Ms} / ${r.ingestP95Ms} / ${r.ingestP99Ms} ms (max ${f.ingestMaxMs} ms)`,
    ],
    ['    event loop blocked p99 / max', `${loop(f.eventLoopDelayMs)}`],
    [
      '(b) max rate accepted',
      `${m.acceptedPerSecond}/s (${m.accepted} in ${m.elapsedS} s, ${m.concurrency} in flight)`,
    ],
    [
      '    decided (events topic)',
      `${r.decidedPerSecond}/s (${m.decided} in ${m.decidedS} s; ${JSON.stringify(m.decisions)})`,
    ],
    ['    end to end (visible, read models)', `${r.endToEndPerSecond}/s (${m.visible} in ${m.endToEndS} s)`],
    [
      '    DynamoDB requests / items written per payment',
      `${r.dynamoRequestsPerPayment ?? '-'} / ${r.dynamoItemsWrittenPerPayment ?? '-'}`,
    ],
    ['    KMS requests per payment', `${r.kmsRequestsPerPayment ?? '-'}`],
    ['    event loop blocked p99 / max', `${loop(m.eventLoopDelayMs)}`],
    [
      '    main thread busy per payment',
      `${m.mainThreadMsPerPayment} ms (utilization ${m.mainThreadUtilization})`,
    ],
    ['(c) ceiling (no-op fastify)', `${r.ceilingPerSecond}/s`],
    [
      '(d) DynamoDB ceiling (BatchWriteItem 25)',
      r.dynamoCeilingItemsPerSecond === null
        ? '-'
        : `${r.dynamoCeilingItemsPerSecond} items/s; visible / (ceiling / items per payment) = ${m.visibleRatioToDynamoCeiling}`,
    ],
    ['end to end / ceiling', String(r.ratioToCeiling)],
    ['machine', `${r.machine.cpus} cpus, node ${r.machine.node}, load ${r.machine.loadAverage1m}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

export function parseBenchOptions(raw: {
  json?: boolean;
  rate?: string;
  duration?: string;
  engine?: string;
  concurrency?: string;
  customers?: string;
  fraudDecides?: boolean;
}): BenchOptions {
  const engine = engineOption(raw.engine);
  return {
    json: raw.json ?? false,
    rate: intOption('rate', raw.rate, 1_000, 1, 100_000),
    duration: intOption('duration', raw.duration, 10, 1, 600),
    concurrency: intOption('concurrency', raw.concurrency, 64, 1, 1_024),
    customers: intOption('customers', raw.customers, DEFAULT_CUSTOMERS, 1, 100_000),
    fraudDecides: raw.fraudDecides ?? false,
    engine,
  };
}

/** `paystream bench`: exit 0 once the figures are printed (goals are reported, not enforced). */
export async function benchCommand(options: BenchOptions): Promise<number> {
  const report = await runBench(options);
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else console.log(table(report));
  return 0;
}
