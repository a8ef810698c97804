// `paystream bench`: the all-in-one in this process (embedded engines in a temp dir by default;
// Kafka mode with --engine kafka and the Kafka-mode variables), driven over HTTP on loopback:
//   (a) fixed rate (default 1,000/s for --duration s): ingest latency of POST /v1/payments;
//   (b) maximum rate with --concurrency requests in flight for --duration s: sustained
//       end-to-end payments/s — accepted, scored, held (or declined) and visible in the read
//       model — counted by reading each accepted payment's projected status until it is decided;
//   (c) a no-op fastify route on the same machine at maximum rate: the ceiling.
// The load comes from a worker thread (bench-load.ts). Everything is bounded in time and count.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TenantDirectory } from '@paystream/auth';
import { PaystreamError } from '@paystream/core';
import { isPayment, type PaymentState } from '@paystream/escrow';
import { createReadQueries, type ReadQueries } from '@paystream/projections';
import { type Config, loadConfig } from '@paystream/runtime';
import Fastify from 'fastify';
import { runServices } from '../compose.js';
import { availableServices } from '../services.js';
import { type LoadResult, runLoad } from './bench-load.js';
import { perSecond, ratio, round, summarize } from './bench-stats.js';

export interface BenchOptions {
  readonly json: boolean;
  /** Requests per second in the fixed-rate phase. */
  readonly rate: number;
  /** Seconds of each of the fixed-rate and maximum-rate phases. */
  readonly duration: number;
  readonly engine: 'embedded' | 'kafka';
  /** Requests in flight in the maximum-rate phases. */
  readonly concurrency: number;
  /** Customers, each with its own card, the payments are spread over. */
  readonly customers: number;
}

export interface BenchReport {
  readonly engine: 'embedded' | 'kafka';
  readonly endToEndPerSecond: number | null;
  readonly ingestP50Ms: number | null;
  readonly ingestP95Ms: number | null;
  readonly ingestP99Ms: number | null;
  readonly ceilingPerSecond: number | null;
  readonly ratioToCeiling: number | null;
  readonly fixedRate: Record<string, unknown>;
  readonly maxRate: Record<string, unknown>;
  readonly ceiling: Record<string, unknown>;
  readonly machine: Record<string, unknown>;
}

const DEFAULT_CUSTOMERS = 500;
/** The ingest routes allow 10,000 requests a minute per key; the load is spread over keys. */
const KEYS = 64;
const POLL_MS = 200;
const REQUEST_TIMEOUT_MS = 30_000;

/** Still on the way to a decision (as POST /v1/payments?wait sees it); review counts as decided. */
function decidedStatus(state: PaymentState): string | null {
  if (!isPayment(state)) return null;
  if (state.status === 'pending' && state.pendingStep === 'review') return 'review';
  if (state.status === 'pending' || state.status === 'authorized') return null;
  return state.status;
}

/**
 * Follows accepted payments until the read model shows them decided. Checks from the oldest
 * undecided one forwards and stops a sweep after a run of undecided ones, so a sweep costs
 * about what was decided since the last one.
 */
class DecisionTracker {
  #pending: string[] = [];
  decided = 0;
  lastDecidedAt = 0;
  readonly statuses: Record<string, number> = {};

  constructor(
    private readonly queries: ReadQueries,
    private readonly tenantId: string,
  ) {}

  add(ids: readonly string[]): void {
    for (const id of ids) this.#pending.push(id);
  }

  get pending(): number {
    return this.#pending.length;
  }

  async sweep(maxChecks = 20_000, maxUndecidedRun = 500): Promise<void> {
    const keep: string[] = [];
    let i = 0;
    let run = 0;
    for (; i < this.#pending.length && i < maxChecks && run < maxUndecidedRun; i++) {
      const id = this.#pending[i]!;
      const ref = await this.queries.payment(this.tenantId, id);
      const status = ref ? decidedStatus(ref.state) : null;
      if (status === null) {
        keep.push(id);
        run++;
      } else {
        this.decided++;
        this.statuses[status] = (this.statuses[status] ?? 0) + 1;
        this.lastDecidedAt = performance.now();
        run = 0;
      }
    }
    this.#pending = keep.concat(this.#pending.slice(i));
  }

  /** Sweeps every POLL_MS until `untilDone()` holds and nothing is pending, or the deadline passes. */
  async follow(untilDone: () => boolean, deadline: number): Promise<void> {
    for (;;) {
      await this.sweep();
      if (untilDone() && this.#pending.length === 0) return;
      if (performance.now() > deadline) return;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A distinct Luhn-valid Visa-like number per customer (none of the simulator's special cards). */
function cardNumber(i: number): string {
  const body = `4716${String(i).padStart(11, '0')}`;
  return body + luhnCheckDigit(body);
}

async function pool<T>(items: readonly T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let i = next++; i < items.length; i = next++) await f(items[i]!);
    }),
  );
}

function benchConfig(engine: BenchOptions['engine'], dataDir: string, apiKey: string): Config {
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PAYSTREAM_API_KEY: apiKey,
  };
  if (engine === 'embedded') {
    return loadConfig({ ...env, KAFKA_BROKERS: '', PAYSTREAM_DATA: dataDir });
  }
  const config = loadConfig({ ...env, PAYSTREAM_DATA: process.env.PAYSTREAM_DATA || dataDir });
  if (config.mode !== 'kafka') {
    throw new PaystreamError(
      'invalid_config',
      '--engine kafka needs the Kafka-mode variables (KAFKA_BROKERS, KMS_KEY_ID, S3_BUCKET, …)',
    );
  }
  return config;
}

/** A no-op fastify route: JSON in, JSON out, nothing else — the most this machine serves. */
async function ceilingServer() {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  app.post('/noop', async () => ({ ok: true }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

/** Progress goes to stderr, so `--json` leaves exactly one JSON object on stdout. */
function say(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
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
  const apiKey = `psk_bench_${randomBytes(16).toString('hex')}`;
  const runId = randomBytes(4).toString('hex');
  const config = benchConfig(options.engine, dataDir, apiKey);
  say(`starting the all-in-one (${config.mode})`);
  const running = await runServices(config, availableServices());
  try {
    const directory = new TenantDirectory(running.engines.readStore);
    const keys = [apiKey];
    for (let i = 1; i < KEYS; i++) {
      const k = `psk_bench_${runId}_${i}_${randomBytes(8).toString('hex')}`;
      await directory.addKey('default', k, ['read', 'write'], 'bench');
      keys.push(k);
    }
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
            customerId: `cus_bench_${i}`,
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
        customers.push({ customerId: `cus_bench_${i}`, cardId: body.id });
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
    const fixed = await load('fixed', 'fixed', durationMs, (ids) => fixedTracker.add(ids));
    const latency = summarize(fixed.latenciesMs);
    await fixedTracker.follow(() => true, performance.now() + Math.max(30_000, 2 * durationMs));

    say(`(b) maximum rate: ${options.concurrency} in flight for ${options.duration} s`);
    const tracker = new DecisionTracker(queries, 'default');
    let driving = true;
    const started = performance.now();
    const following = tracker.follow(() => !driving, started + durationMs + Math.max(60_000, 2 * durationMs));
    const max = await load('max', 'max', durationMs, (ids) => tracker.add(ids));
    driving = false;
    const driveEnd = performance.now();
    await following;
    const endToEndMs = tracker.lastDecidedAt > 0 ? tracker.lastDecidedAt - started : 0;
    const endToEndPerSecond = perSecond(tracker.decided, endToEndMs);

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
      endToEndPerSecond: round(endToEndPerSecond, 1),
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
        decided: tracker.decided,
        undecided: tracker.pending,
        decisions: tracker.statuses,
        endToEndS: round(endToEndMs / 1000, 2),
        drainAfterLoadS: round(Math.max(0, tracker.lastDecidedAt - driveEnd) / 1000, 2),
      },
      ceiling: { concurrency: options.concurrency, ...loadFigures(ceiling) },
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
    [
      '(b) max rate accepted',
      `${m.acceptedPerSecond}/s (${m.accepted} in ${m.elapsedS} s, ${m.concurrency} in flight)`,
    ],
    [
      '    end to end (decided, read model)',
      `${r.endToEndPerSecond}/s (${m.decided} in ${m.endToEndS} s; ${JSON.stringify(m.decisions)})`,
    ],
    ['(c) ceiling (no-op fastify)', `${r.ceilingPerSecond}/s`],
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
}): BenchOptions {
  const int = (name: string, v: string | undefined, dflt: number, min: number, max: number): number => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      throw new PaystreamError('invalid_option', `--${name} must be an integer from ${min} to ${max}`, name);
    }
    return n;
  };
  const engine = raw.engine ?? (process.env.KAFKA_BROKERS ? 'kafka' : 'embedded');
  if (engine !== 'embedded' && engine !== 'kafka') {
    throw new PaystreamError('invalid_option', '--engine must be embedded or kafka', 'engine');
  }
  return {
    json: raw.json ?? false,
    rate: int('rate', raw.rate, 1_000, 1, 100_000),
    duration: int('duration', raw.duration, 10, 1, 600),
    concurrency: int('concurrency', raw.concurrency, 64, 1, 1_024),
    customers: int('customers', raw.customers, DEFAULT_CUSTOMERS, 1, 100_000),
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
