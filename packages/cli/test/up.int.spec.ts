// `npx paystream up` as a user runs it: its own Kafka, DynamoDB Local and moto with state under
// PAYSTREAM_DATA, the six services as six processes, and the README's walk-through — card,
// payment held, release, balance, trial balance, audit, costs, an ACH window — through the one
// printed URL. A crashed service is restarted; Ctrl-C leaves no process behind; a second `up` on
// the same folder finds the payment and can still open the card (the KMS key survived).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@paystream/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { PAYSTREAM_BIN } from '../src/up/supervisor.js';

const dataDir = mkdtempSync(join(tmpdir(), 'paystream-up-'));
const READY_MS = 300_000;

/** Processes whose environment names this test's data folder: `up`, its servers and services. */
function ours(): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!env.includes(`PAYSTREAM_DATA=${dataDir}`)) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      found.push({ pid: Number(entry), cmd });
    } catch {
      /* gone, or not ours */
    }
  }
  return found;
}

interface Up {
  readonly child: ChildProcess;
  output: string;
  readonly readyMs: number;
  readonly url: string;
  readonly apiKey: string;
  readonly exports: Record<string, string>;
}

async function startUp(port: number): Promise<Up> {
  const env: NodeJS.ProcessEnv = {};
  // A user's shell: none of the Kafka-mode variables (the test runner's servers are not reused).
  for (const [k, v] of Object.entries(process.env))
    if (!/^(KAFKA_|SCHEMA_REGISTRY|DYNAMODB_|AWS_|KMS_|S3_|PAYSTREAM_)/.test(k)) env[k] = v;
  const t0 = Date.now();
  const child = spawn(process.execPath, [PAYSTREAM_BIN, 'up'], {
    env: { ...env, PAYSTREAM_DATA: dataDir, PORT: String(port), NO_COLOR: '1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const up = { child, output: '' } as { -readonly [K in keyof Up]: Up[K] };
  child.stdout!.on('data', (b: Buffer) => {
    up.output += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    up.output += b.toString();
  });
  const deadline = Date.now() + READY_MS;
  while (!up.output.includes('Ctrl-C stops everything.')) {
    if (child.exitCode !== null) throw new Error(`paystream up exited ${child.exitCode}:\n${up.output}`);
    if (Date.now() > deadline) throw new Error(`paystream up not ready in ${READY_MS} ms:\n${up.output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  up.readyMs = Date.now() - t0;
  up.url = /^ {2}API {6}(\S+)/m.exec(up.output)?.[1] ?? '';
  up.apiKey = /^ {2}API key {2}(\S+)/m.exec(up.output)?.[1] ?? '';
  up.exports = Object.fromEntries(
    [...up.output.matchAll(/^ {2}export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  return up;
}

/** Ctrl-C, as a terminal sends it; resolves with the exit code. */
async function interrupt(up: Up): Promise<number | null> {
  const exited = new Promise<number | null>((r) => up.child.once('exit', (code) => r(code)));
  up.child.kill('SIGINT');
  return await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 90_000))]);
}

function api(up: Up) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${up.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${up.apiKey}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

async function eventually<T>(
  what: string,
  f: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await f();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 500));
    last = await f();
  }
  return last;
}

let running: Up | null = null;
afterAll(async () => {
  if (running && running.child.exitCode === null) await interrupt(running);
  for (const p of ours()) process.kill(p.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npx paystream up', () => {
  let paymentId = '';
  let cardId = '';

  it('runs the distributed stack and serves the README walk-through at one URL; Ctrl-C leaves nothing', async () => {
    const port = await freePort();
    const up = await startUp(port);
    running = up;
    console.log(`paystream up ready in ${(up.readyMs / 1000).toFixed(1)} s (servers cached)`);
    expect(up.url).toBe(`http://127.0.0.1:${port}`);
    expect(up.apiKey).toMatch(/^psk_/);
    expect(Object.keys(up.exports)).toEqual(
      expect.arrayContaining([
        'KAFKA_BROKERS',
        'DYNAMODB_ENDPOINT',
        'AWS_ENDPOINT_URL',
        'KMS_KEY_ID',
        'S3_BUCKET',
      ]),
    );
    // A quiet start: no warning from a service (WARN and above) and no Node warning.
    const noisy = up.output.split('\n').filter((l) => /^\S+ +\| \S+ (WARN|ERROR|FATAL) |Warning:/.test(l));
    expect(up.output).toMatch(/^ingest +\| \d\d:\d\d:\d\d INFO {2}paystream is running/m);
    expect(noisy).toEqual([]);
    // Six services, each its own process, plus the servers.
    const services = ours().filter((p) =>
      / run (ingest|fraud|escrow|ach-batcher|projections|webhooks)/.test(p.cmd),
    );
    expect(services).toHaveLength(6);

    const call = api(up);
    const card = await call('POST', '/v1/payment-methods/cards', {
      customerId: 'cus_maya',
      number: '4242424242424242',
      expMonth: 12,
      expYear: 2030,
      cvc: '123',
    });
    expect(card.status).toBe(201);
    cardId = String(card.body.id);
    const pay = await call(
      'POST',
      '/v1/payments?wait=20000',
      {
        amount: 12500,
        currency: 'USD',
        customerId: 'cus_maya',
        providerId: 'prv_rex',
        paymentMethodId: cardId,
      },
      { 'idempotency-key': 'booking-42' },
    );
    expect(pay.status).toBe(202);
    expect(pay.body.status).toBe('held');
    paymentId = String(pay.body.id);
    // The read API on the same URL (in split mode it used to answer route_not_found here).
    const seen = await call('GET', `/v1/payments/${paymentId}?after=${pay.body.position}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: paymentId, status: 'held', fraud: { decision: 'approve' } });
    const release = await call('POST', `/v1/escrows/${pay.body.escrowId}/release`, {});
    expect(release.status).toBe(202);
    await eventually(
      'provider balance',
      () => call('GET', '/v1/providers/prv_rex/balance'),
      (r) => r.status === 200 && r.body.available === 11500,
    );
    const tb = await call('GET', '/v1/ledger/trial-balance');
    expect(tb.body).toEqual({
      balanced: true,
      currencies: [{ currency: 'USD', debits: 12500, credits: 12500 }],
    });
    const audit = await call('GET', '/v1/audit/verify');
    expect(audit.body).toMatchObject({ ok: true, problemCount: 0 });
    const costs = await call('GET', '/v1/analytics/costs');
    expect(costs.status).toBe(200);
    expect(costs.body.payments).toBe(1);
    // The webhook endpoints API too (the webhooks process only dispatches).
    const hooks = await call('GET', '/v1/webhook-endpoints');
    expect(hooks.status).toBe(200);
    // The ACH batcher's routes too: the worker answers through the log.
    const close = await call('POST', '/v1/ach/windows/close', {});
    expect(close.status).toBe(200);

    // A crashed service is restarted by the supervisor.
    const escrow = ours().find((p) => / run escrow/.test(p.cmd));
    expect(escrow).toBeDefined();
    process.kill(escrow!.pid, 'SIGKILL');
    await eventually(
      'escrow restarted',
      async () => ours().filter((p) => / run escrow/.test(p.cmd) && p.pid !== escrow!.pid).length,
      (n) => n === 1,
    );
    expect(up.output).toMatch(/up escrow exited \(signal SIGKILL\); restarting in 1 s/);

    expect(ours().length).toBeGreaterThanOrEqual(10); // up, 3 servers, 6 services
    expect(await interrupt(up)).toBe(0);
    expect(up.output).toMatch(/up stopped/);
    expect(ours()).toEqual([]);
  }, 600_000);

  it('keeps its state under PAYSTREAM_DATA across a restart, the card key included', async () => {
    const up = await startUp(await freePort());
    running = up;
    console.log(`paystream up ready again in ${(up.readyMs / 1000).toFixed(1)} s`);
    const call = api(up);
    const before = await call('GET', `/v1/payments/${paymentId}`);
    expect(before.body).toMatchObject({ id: paymentId, status: 'released' });
    // Escrow opens the card sealed in the first run to authorize: the KMS key is the same.
    const again = await call(
      'POST',
      '/v1/payments?wait=20000',
      {
        amount: 2500,
        currency: 'USD',
        customerId: 'cus_maya',
        providerId: 'prv_rex',
        paymentMethodId: cardId,
      },
      { 'idempotency-key': 'booking-43' },
    );
    expect(again.body.status).toBe('held');
    const replay = await call(
      'POST',
      '/v1/payments?wait=20000',
      {
        amount: 12500,
        currency: 'USD',
        customerId: 'cus_maya',
        providerId: 'prv_rex',
        paymentMethodId: cardId,
      },
      { 'idempotency-key': 'booking-42' },
    );
    expect(replay.body.id).toBe(paymentId);
    expect(await interrupt(up)).toBe(0);
    expect(ours()).toEqual([]);
  }, 600_000);
});
