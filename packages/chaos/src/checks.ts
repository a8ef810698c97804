// The checks after quiescence, gathered from where the system keeps its truth: the events log
// (read in full), the read models, the read API, the dead-letter topic, and the operator
// commands a real operator would run (`paystream replay`, `paystream audit verify`) as child
// processes with the same configuration as the services.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { TOPICS } from '@paystream/eventing';
import type { LogRecord } from '@paystream/log';
import { PROJECTION_TABLES } from '@paystream/projections';
import type { Engines } from '@paystream/runtime';
import type { Envelope } from '@paystream/schemas';
import type { Accepted } from './driver.js';
import {
  type CheckResult,
  checkEventLog,
  checkPayments,
  type LogFigures,
  type PaymentView,
} from './invariants.js';

export interface Poison {
  readonly label: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface CheckContext {
  /** Engines opened by the test process on the same configuration as the services. */
  readonly engines: Engines;
  readonly accepted: ReadonlyMap<string, Accepted>;
  /** The API process (ingest): every public route. */
  readonly ingestUrl: string;
  readonly apiKey: string;
  readonly poisons: readonly Poison[];
  readonly root: string;
  readonly env: Readonly<Record<string, string>>;
  /** Accepted payments re-sent with the same key and body: the answer must name the same payment. */
  readonly resendSample?: number;
}

export interface CheckReport {
  readonly results: CheckResult[];
  readonly statuses: Record<string, number>;
  readonly figures: LogFigures | null;
  readonly replay: unknown;
  readonly audit: unknown;
  readonly durationsMs: Record<string, number>;
}

const READ_BATCH = 5_000;
const table = (name: string) => {
  const t = PROJECTION_TABLES.find((d) => d.name === name);
  if (!t) throw new Error(`no read-model table ${name}`);
  return t;
};

/** Every record of a topic, partition by partition. */
export async function readTopic(engines: Engines, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const partitions = await engines.log.partitionsOf(topic);
  const end = await engines.log.endPosition([topic]);
  for (let p = 0; p < partitions; p++) {
    const high = end[`${topic}/${p}`] ?? 0;
    for (let from = 0; from < high; ) {
      const records = await engines.log.read(topic, p, from, READ_BATCH);
      if (records.length === 0) break;
      out.push(...records);
      from = records.at(-1)!.offset + 1;
    }
  }
  return out;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `paystream <args>` as an operator would run it, bounded in time. */
export function paystreamCli(
  root: string,
  env: Readonly<Record<string, string>>,
  args: readonly string[],
  timeoutMs = 30 * 60_000,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'packages/cli/bin/paystream.js'), ...args],
      {
        cwd: root,
        env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
        timeout: timeoutMs,
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function lastJson(stdout: string): Record<string, unknown> | null {
  const start = stdout.indexOf('{');
  if (start < 0) return null;
  try {
    return JSON.parse(stdout.slice(start)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export async function runChecks(ctx: CheckContext): Promise<CheckReport> {
  const results: CheckResult[] = [];
  const durationsMs: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      durationsMs[name] = Date.now() - t0;
    }
  };
  const { engines } = ctx;

  // The read models' payments and the whole events log.
  const payments: PaymentView[] = await timed('scanPayments', async () =>
    (await engines.readStore.scan(table('payments'), 5_000_000)).map((v) => ({
      id: String(v.item.id),
      state: (v.item.state ?? null) as PaymentView['state'],
    })),
  );
  const paymentCheck = checkPayments(ctx.accepted, payments, Date.now());
  results.push(...paymentCheck.results);

  const records = await timed('readEvents', () => readTopic(engines, TOPICS.events));
  const events: Envelope[] = [];
  const undecodable: string[] = [];
  await engines.bus.codec.prepare(records.map((r) => r.value)).catch(() => undefined);
  for (const r of records) {
    try {
      events.push(engines.bus.codec.decode(r.value));
    } catch (err) {
      undecodable.push(`${r.partition}/${r.offset}: ${(err as Error).message}`);
    }
  }
  results.push({
    name: 'every record on the events topic decodes',
    ok: undecodable.length === 0,
    detail: undecodable.length === 0 ? `${records.length} records` : undecodable.slice(0, 20).join('; '),
  });
  const awaitingReview = new Set(
    payments
      .filter((p) => p.state?.status === 'pending' && p.state.pendingStep === 'review')
      .map((p) => p.id),
  );
  const logCheck = checkEventLog(ctx.accepted, events, awaitingReview);
  results.push(...logCheck.results);

  // The ledger read model holds each entry once, and the read API agrees the books balance.
  const journalItems = await timed('scanJournal', () =>
    engines.readStore.scan(table('journal_entries'), 5_000_000),
  );
  results.push({
    name: 'the journal read model holds each entry of the log once',
    ok: journalItems.length === logCheck.figures.journalEntries,
    detail: `${journalItems.length} items, ${logCheck.figures.journalEntries} distinct entries on the log`,
  });
  const tb = await timed('trialBalance', async () => {
    const res = await fetch(`${ctx.ingestUrl}/v1/ledger/trial-balance`, {
      headers: { authorization: `Bearer ${ctx.apiKey}` },
      signal: AbortSignal.timeout(60_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  });
  const currencies = (tb.body.currencies ?? []) as { currency: string; debits: number; credits: number }[];
  results.push({
    name: 'GET /v1/ledger/trial-balance is balanced',
    ok:
      tb.status === 200 &&
      tb.body.balanced === true &&
      currencies.length > 0 &&
      currencies.every((c) => c.debits === c.credits),
    detail: JSON.stringify(tb.body),
  });

  // Same key, same body → the same payment, however many times and however long after.
  const sample = [...ctx.accepted.entries()].filter((_, i, all) => {
    const n = ctx.resendSample ?? 100;
    return all.length <= n || i % Math.ceil(all.length / n) === 0;
  });
  const resendMismatch: string[] = [];
  await timed('resend', async () => {
    for (const [key, a] of sample) {
      const res = await fetch(`${ctx.ingestUrl}/v1/payments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ctx.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: a.payload,
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await res.json()) as { id?: string };
      if (res.status !== 202 || body.id !== a.id)
        resendMismatch.push(`${key}: ${res.status} ${body.id ?? JSON.stringify(body)} ≠ ${a.id}`);
    }
  });
  results.push({
    name: 'a resent payment (same key, same body) names the same payment',
    ok: resendMismatch.length === 0,
    detail: resendMismatch.length === 0 ? `${sample.length} resent` : resendMismatch.slice(0, 20).join('; '),
  });

  // The poison messages are on the dead-letter topic with their reason.
  const dead = await timed('readDeadLetters', () => readTopic(engines, TOPICS.deadLetter));
  for (const p of ctx.poisons) {
    const found = dead.filter(
      (r) =>
        r.headers['source-topic'] === p.topic &&
        r.headers['source-partition'] === String(p.partition) &&
        r.headers['source-offset'] === String(p.offset),
    );
    const reasons = found.map((r) => r.headers.reason ?? '');
    results.push({
      name: `the dead-letter topic holds the poison (${p.label}) with its reason`,
      ok: found.length >= 1 && reasons.every((r) => r.length > 0),
      detail:
        found.length === 0
          ? `nothing from ${p.topic}/${p.partition}/${p.offset} among ${dead.length} dead letters`
          : `${found.length}× from ${p.topic}/${p.partition}/${p.offset}: ${reasons.join(' | ')}`,
    });
  }
  const unexpected = dead.filter(
    (r) =>
      !ctx.poisons.some(
        (p) =>
          r.headers['source-topic'] === p.topic &&
          r.headers['source-partition'] === String(p.partition) &&
          r.headers['source-offset'] === String(p.offset),
      ),
  );
  results.push({
    name: 'nothing but the poison was dead-lettered',
    ok: unexpected.length === 0,
    detail:
      unexpected.length === 0
        ? `${dead.length} dead letters`
        : unexpected
            .slice(0, 20)
            .map(
              (r) =>
                `${r.headers['source-topic']}/${r.headers['source-partition']}/${r.headers['source-offset']}: ${r.headers.reason}`,
            )
            .join('; '),
  });

  // What an operator runs: replay (rebuilt read models equal the live ones) and audit verify.
  const replay = await timed('replay', () => paystreamCli(ctx.root, ctx.env, ['replay', '--json']));
  const replayJson = lastJson(replay.stdout);
  results.push({
    name: '`paystream replay`: the read models equal a full replay',
    ok: replay.code === 0 && replayJson?.equal === true,
    detail:
      replay.code === 0 && replayJson?.equal === true
        ? `${String(replayJson.events)} events replayed in ${String(replayJson.rebuildMs)} ms`
        : `exit ${replay.code}; differences ${JSON.stringify(replayJson?.differences ?? null).slice(0, 3_000)}; ${replay.stderr.slice(-2_000)}`,
  });
  const audit = await timed('audit', () => paystreamCli(ctx.root, ctx.env, ['audit', 'verify', '--json']));
  const auditJson = lastJson(audit.stdout);
  results.push({
    name: '`paystream audit verify` passes',
    ok: audit.code === 0 && auditJson?.ok === true,
    detail:
      audit.code === 0 && auditJson?.ok === true
        ? `${String(auditJson.events)} events in ${String(auditJson.aggregates)} aggregates`
        : `exit ${audit.code}; first problem ${JSON.stringify(auditJson?.firstProblem ?? null)}; ${audit.stderr.slice(-2_000)}`,
  });

  return {
    results,
    statuses: paymentCheck.statuses,
    figures: logCheck.figures,
    replay: replayJson
      ? { equal: replayJson.equal, events: replayJson.events, rebuildMs: replayJson.rebuildMs }
      : null,
    audit: auditJson ? { ok: auditJson.ok, events: auditJson.events, elapsedMs: auditJson.elapsedMs } : null,
    durationsMs,
  };
}
