// `paystream demo`: a simulated marketplace day against the whole system, in this process —
// embedded engines in a fresh temp data dir by default (or --data), Kafka mode from the
// Kafka-mode variables — driven over HTTP on loopback like any client:
//   customers' cards and providers' bank accounts; payments drawn from the fraud generator's
//   labelled mix plus the documented test cards; fraud reviews; releases, partial and full
//   refunds, disputes opened and resolved; two ACH window closes with one return file between
//   them; then the summary: volume, declines by reason, escrow states, ACH files, the trial
//   balance, the audit chain and our cost against a card processor's.
// The running system has no simulated clock (every service reads the system clock), so the day
// is compressed: its traffic arrives in seconds, holds end after seconds, releases and window
// closes are explicit. Exit 1 unless the books balance and nothing unexpected happened.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadQueries } from '@paystream/projections';
import { type Running, runServices } from '../compose.js';
import { availableServices } from '../services.js';
import {
  allInOneConfig,
  apiKeys,
  type EngineChoice,
  engineOption,
  intOption,
  newApiKey,
} from './all-in-one.js';
import { closeWindows, type ReturnsOutcome, sendReturnFile, type WrittenFile } from './demo-ach.js';
import { DemoClient } from './demo-client.js';
import {
  AUTO_RELEASE_HOLD_MS,
  actOnEscrows,
  awaitAutoReleases,
  fetchPayments,
  registerInstruments,
  reviewPayments,
  sendPayments,
} from './demo-day.js';
import { planDemoDay } from './demo-plan.js';
import { DemoProgress } from './demo-progress.js';
import { achFigures, type DemoSummary, paymentFigures, renderSummary } from './demo-summary.js';

export interface DemoOptions {
  readonly json: boolean;
  readonly seed: number;
  readonly payments: number;
  readonly engine: EngineChoice;
  /** PAYSTREAM_DATA for the run; null: a fresh temp dir, removed afterwards. */
  readonly data: string | null;
  /** Progress on stderr. */
  readonly progress: boolean;
  /** Payments in review the operator leaves for later (the console's screenshots and tests). */
  readonly leaveInReview?: number;
  /** Called with the running system after the day, before it stops (console tests, screenshots). */
  readonly whileRunning?: (running: DemoRunning) => Promise<void>;
}

export interface DemoRunning {
  readonly url: string;
  /** The bootstrap key of tenant `default` (all scopes). */
  readonly apiKey: string;
  readonly running: Running;
}

/** Keys the requests rotate over (10,000 ingest requests a minute each). */
const KEYS = 8;
/** Bound on the read models catching up with everything before the summary is read. */
const CATCH_UP_MS = 60_000;
export const DEFAULT_PAYMENTS = 2_000;
export const DEFAULT_SEED = 42;

const CLOCK_NOTE = `system clock (the running system has no simulated one), so the day is compressed: the generator's last simulated day arrives in seconds with at most one ordinary payment per customer, holds end after ${AUTO_RELEASE_HOLD_MS / 1000} s or are released explicitly, ACH windows are closed early`;

async function readTotals(client: DemoClient, fromIso: string) {
  const tb = await client.call('GET', '/v1/ledger/trial-balance');
  const costs = await client.call('GET', `/v1/analytics/costs?from=${encodeURIComponent(fromIso)}&limit=1`);
  const audit = await client.call('GET', '/v1/audit/verify', { admin: true });
  const totals = (costs?.body.totals ?? {}) as Record<string, number>;
  return {
    trialBalance: {
      balanced: tb?.body.balanced === true,
      currencies: (tb?.body.currencies ?? []) as { currency: string; debits: number; credits: number }[],
    },
    costs: {
      payments: Number(costs?.body.payments ?? 0),
      volumeMinor: Number(costs?.body.volumeMinor ?? 0),
      ourCostMinor: Number(totals.ourCostMinor ?? 0),
      processorBaselineMinor: Number(totals.processorBaselineMinor ?? 0),
      savingMinor: Number(totals.savingMinor ?? 0),
      savingBps: Number(costs?.body.savingBps ?? 0),
    },
    audit: { ok: audit?.body.ok === true, events: Number(audit?.body.events ?? 0) },
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const startedMs = performance.now();
  const fromIso = new Date(Date.now() - 1_000).toISOString();
  const progress = new DemoProgress(options.progress);
  const plan = planDemoDay(options.seed, options.payments);
  // Kafka mode honours PAYSTREAM_DATA like bench; embedded never touches your data unless --data.
  const given = options.data ?? (options.engine === 'kafka' ? process.env.PAYSTREAM_DATA || null : null);
  const dataDir = given ?? mkdtempSync(join(tmpdir(), 'paystream-demo-'));
  const temporary = given === null;
  const apiKey = newApiKey('demo');
  const runId = randomBytes(4).toString('hex');
  const config = allInOneConfig(options.engine, dataDir, apiKey);
  progress.phase(`starting the all-in-one (${config.mode}, data in ${dataDir})`);
  const running = await runServices(config, availableServices());
  try {
    const client = new DemoClient(running.url, await apiKeys(running, apiKey, KEYS, 'demo', runId));
    const queries = createReadQueries(running.engines);

    const cardIds = await registerInstruments(client, plan, progress);
    const ids = await sendPayments(client, queries, plan, cardIds, runId, progress);
    const views = await fetchPayments(client, ids);
    const reviews = await reviewPayments(client, plan, ids, views, progress, options.leaveInReview ?? 0);
    const actions = await actOnEscrows(client, plan, ids, views, progress);

    progress.phase('ACH: closing the windows, a return file, closing again');
    let returned: ReturnsOutcome | null = null;
    const first = (await closeWindows(client)) ?? [];
    const toReturn = first.find((f) => f.entryCount > 0);
    if (toReturn) returned = await sendReturnFile(client, toReturn);
    else
      client.note({ what: 'ACH', status: null, code: null, message: 'the first window close wrote no file' });
    await awaitAutoReleases(client, plan, ids, views, progress);
    progress.phase('ACH: closing the next window');
    const closes: WrittenFile[][] = [first, (await closeWindows(client)) ?? []];

    progress.phase('summary');
    if (!(await queries.catchUp(CATCH_UP_MS))) {
      client.note({ what: 'read models', status: null, code: null, message: 'did not catch up in time' });
    }
    const final = paymentFigures(plan.payments, await fetchPayments(client, ids));
    const totals = await readTotals(client, fromIso);
    progress.done();
    if (options.whileRunning) await options.whileRunning({ url: running.url, apiKey, running });
    const tbNonzero = totals.trialBalance.currencies.some((c) => c.debits > 0);
    return {
      engine: config.mode,
      seed: options.seed,
      clock: CLOCK_NOTE,
      elapsedS: Math.round((performance.now() - startedMs) / 100) / 10,
      traffic: {
        customers: new Set(plan.payments.map((p) => p.customerId)).size,
        cards: plan.cards.length,
        providers: plan.bankAccounts.length,
        patterns: Object.fromEntries(Object.entries(final.byPattern).map(([k, v]) => [k, v.payments])),
      },
      volume: final.volume,
      declines: final.declines,
      fraud: { decisions: final.decisions, byPattern: final.byPattern, reviews },
      escrows: final.escrows,
      actions,
      ach: {
        ...achFigures(closes),
        returns: returned?.returns ?? [],
        notifications: returned?.notifications ?? [],
      },
      ...totals,
      unexpected: { count: client.unexpectedCount, first: client.unexpected },
      ok: totals.trialBalance.balanced && tbNonzero && totals.audit.ok && client.unexpectedCount === 0,
    };
  } finally {
    progress.done();
    await running.lifecycle.close();
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  }
}

export function parseDemoOptions(raw: {
  json?: boolean;
  seed?: string;
  payments?: string;
  engine?: string;
  data?: string;
}): DemoOptions {
  return {
    json: raw.json ?? false,
    seed: intOption('seed', raw.seed, DEFAULT_SEED, 0, 2 ** 31 - 1),
    payments: intOption('payments', raw.payments, DEFAULT_PAYMENTS, 10, 100_000),
    engine: engineOption(raw.engine),
    data: raw.data ?? null,
    progress: true,
  };
}

/** `paystream demo`: exit 0 only when the books balance and nothing unexpected happened. */
export async function demoCommand(options: DemoOptions): Promise<number> {
  const summary = await runDemo(options);
  if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else console.log(renderSummary(summary));
  return summary.ok ? 0 : 1;
}
