// The load generator of `paystream bench`: a worker thread, so the client has its own event loop
// (on a 2-core machine the server keeps the main thread and the client takes the other core,
// much as a separate process would). node:http with keep-alive on loopback. Two modes:
//   fixed — open loop: request i is due at start + i/rate, whatever the answers do;
//   max   — closed loop: `concurrency` requests always in flight until the duration is over.
// The worker body is plain JavaScript (an eval'd worker needs no TypeScript loader).

import { Worker } from 'node:worker_threads';

export interface LoadSpec {
  readonly url: string;
  readonly path: string;
  readonly mode: 'fixed' | 'max';
  readonly durationMs: number;
  /** fixed: requests per second. */
  readonly rate?: number;
  /** max: requests in flight; fixed: the most in flight before sends wait. */
  readonly concurrency: number;
  /** Bearer keys, used in turn (the per-key rate limit is 10,000 a minute). */
  readonly keys: readonly string[];
  /** Payments: one of these customers and cards per request. Absent: a tiny no-op body. */
  readonly customers?: readonly { customerId: string; cardId: string }[];
  /** Idempotency-Key prefix, unique per run and phase. */
  readonly keyPrefix: string;
  /** A request without an answer by then counts as failed (status 0). */
  readonly requestTimeoutMs: number;
}

export interface LoadResult {
  readonly sent: number;
  readonly ok: number;
  /** fixed: requests still due when the duration ended (the server fell behind), never sent. */
  readonly unsent: number;
  readonly statuses: Record<string, number>;
  /** Milliseconds from sending a request to its whole answer, for 2xx answers. */
  readonly latenciesMs: number[];
  readonly elapsedMs: number;
  /** fixed: how far behind its schedule the generator fell at worst. */
  readonly maxLagMs: number;
  readonly firstError: string | null;
}

const WORKER = `
const { workerData: w, parentPort } = require('node:worker_threads');
const http = require('node:http');
const u = new URL(w.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: w.concurrency, maxFreeSockets: w.concurrency });
const statuses = {};
const latencies = [];
let sent = 0, ok = 0, inFlight = 0, maxLag = 0, unsent = 0, firstError = null;
let ids = [];
const flush = () => { if (ids.length) { parentPort.postMessage({ type: 'ids', ids }); ids = []; } };
const idTimer = setInterval(flush, 100);

function one() {
  const i = sent++;
  inFlight++;
  let body;
  if (w.customers) {
    const c = w.customers[i % w.customers.length];
    body = JSON.stringify({
      amount: 1000 + ((i * 7919) % 49000),
      currency: 'USD',
      customerId: c.customerId,
      providerId: 'prv_bench_' + (i % 50),
      paymentMethodId: c.cardId,
    });
  } else {
    body = '{"n":' + i + '}';
  }
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    authorization: 'Bearer ' + w.keys[i % w.keys.length],
    'idempotency-key': w.keyPrefix + i,
  };
  const t0 = performance.now();
  return new Promise((resolve) => {
    let finished = false;
    const done = (status, text) => {
      if (finished) return;
      finished = true;
      inFlight--;
      const ms = performance.now() - t0;
      statuses[status] = (statuses[status] || 0) + 1;
      if (status >= 200 && status < 300) {
        ok++;
        latencies.push(ms);
        if (w.customers) {
          try { ids.push(JSON.parse(text).id); } catch {}
        }
      } else if (firstError === null) {
        firstError = status + ' ' + String(text).slice(0, 300);
      }
      resolve();
    };
    const req = http.request(
      { host: u.hostname, port: u.port, method: 'POST', path: w.path, agent, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { text += c; });
        res.on('end', () => done(res.statusCode, text));
        res.on('error', (e) => done(0, String(e)));
      },
    );
    req.setTimeout(w.requestTimeoutMs, () => req.destroy(new Error('no answer in ' + w.requestTimeoutMs + ' ms')));
    req.on('error', (e) => done(0, String(e)));
    req.end(body);
  });
}

async function fixed() {
  const start = performance.now();
  const total = Math.round((w.rate * w.durationMs) / 1000);
  const inflight = new Set();
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) * w.rate) / 1000) + 1);
      while (sent < due && inFlight < w.concurrency) {
        const lag = now - (start + (sent * 1000) / w.rate);
        if (lag > maxLag) maxLag = lag;
        const p = one();
        inflight.add(p);
        p.then(() => inflight.delete(p));
      }
      // Bounded in time: what the server could not take by the end of the duration is not sent.
      if (sent >= total || now - start >= w.durationMs) {
        unsent = total - sent;
        resolve();
      } else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inflight);
  return performance.now() - start;
}

async function max() {
  const start = performance.now();
  const end = start + w.durationMs;
  await Promise.all(
    Array.from({ length: w.concurrency }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  return performance.now() - start;
}

(w.mode === 'fixed' ? fixed() : max()).then((elapsedMs) => {
  clearInterval(idTimer);
  flush();
  agent.destroy();
  parentPort.postMessage({ type: 'done', result: { sent, ok, unsent, statuses, latenciesMs: latencies, elapsedMs, maxLagMs: maxLag, firstError } });
});
`;

/** Runs one load phase in a worker; `onIds` receives the ids of accepted payments as they come. */
export function runLoad(spec: LoadSpec, onIds?: (ids: string[]) => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: spec });
    let result: LoadResult | null = null;
    worker.on('message', (m: { type: 'ids'; ids: string[] } | { type: 'done'; result: LoadResult }) => {
      if (m.type === 'ids') onIds?.(m.ids);
      else result = m.result;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`bench load worker exited with code ${code} before it finished`));
    });
  });
}
