// `npx paystream up`: the distributed (Kafka-mode) stack on one machine, without Docker, in one
// terminal. Servers from the testkit's starters (or reused, see stack.ts), the six services as
// six processes under a supervisor, the whole API at one base URL (the ingest process serves
// every route), state under $PAYSTREAM_DATA, Ctrl-C stops everything.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { PaystreamError } from '@paystream/core';
import { API_SERVICE, SERVICE_NAMES } from '@paystream/runtime';
import { startStack } from './stack.js';
import { type ServiceSpec, ServiceSupervisor } from './supervisor.js';

/** How long `up` waits for every service's /health before saying it is still waiting. */
const READY_NOTICE_MS = 120_000;

async function portFree(port: number, host: string): Promise<boolean> {
  return await new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, host, () => srv.close(() => done(true)));
  });
}

async function freePort(host: string): Promise<number> {
  return await new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, host, () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? done(a.port) : fail(new Error('no port'))));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Which downloads a first run still has to make (the testkit caches them). */
async function pendingDownloads(env: NodeJS.ProcessEnv): Promise<string[]> {
  const t = await import('@paystream/testkit');
  const has = (...p: string[]) => existsSync(join(t.CACHE_DIR, ...p));
  const pending: string[] = [];
  if (!env.KAFKA_BROKERS && !has('maven', `kafka-${t.KAFKA_VERSION}`, '.complete'))
    pending.push(`Kafka ${t.KAFKA_VERSION} (Maven Central)`);
  if (!env.DYNAMODB_ENDPOINT && !has('maven', `dynamodb-local-${t.DYNAMODB_LOCAL_VERSION}`, '.complete'))
    pending.push(`DynamoDB Local ${t.DYNAMODB_LOCAL_VERSION} (Maven Central)`);
  if (!env.AWS_ENDPOINT_URL && !has('python', `moto-${t.MOTO_VERSION}`, '.paystream-installed'))
    pending.push(`moto ${t.MOTO_VERSION} (PyPI)`);
  return pending;
}

/** One line that keeps time while something slow runs: rewritten in place on a terminal. */
function progress(out: NodeJS.WriteStream, what: string): { done(): void } {
  const t0 = Date.now();
  const line = () => `${what} … ${Math.round((Date.now() - t0) / 1000)} s`;
  if (out.isTTY) {
    out.write(line());
    const timer = setInterval(() => out.write(`\r${line()}`), 1_000);
    return {
      done() {
        clearInterval(timer);
        out.write(`\r${line()}\n`);
      },
    };
  }
  out.write(`${line()}\n`);
  const timer = setInterval(() => out.write(`${line()}\n`), 15_000);
  return {
    done() {
      clearInterval(timer);
    },
  };
}

const tilde = (p: string) => (p.startsWith(homedir()) ? `~${p.slice(homedir().length)}` : p);

export async function upCommand(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const out = process.stdout;
  const colour = out.isTTY === true && !env.NO_COLOR;
  const dataDir = resolve(env.PAYSTREAM_DATA || './.paystream');
  const host = env.HOST || '127.0.0.1';
  const portRaw = env.PORT ?? '8080';
  const port = Number(portRaw);
  if (!/^\d+$/.test(portRaw) || port < 1 || port > 65_535)
    throw new PaystreamError(
      'invalid_config',
      `PORT: must be a TCP port number, got ${JSON.stringify(portRaw)}`,
      'PORT',
    );
  if (!(await portFree(port, host)))
    throw new PaystreamError(
      'port_in_use',
      `PORT ${port} on ${host} is in use (another paystream?); stop it or choose another, e.g. PORT=8081 npx paystream up`,
      'PORT',
    );
  mkdirSync(dataDir, { recursive: true });
  // Server logs go with the data, not into the working directory (read when the testkit loads).
  process.env.PAYSTREAM_SERVERS_DIR ??= join(dataDir, 'servers', 'logs');

  const notice = (line: string) => out.write(`up: ${line}\n`);
  const downloads = await pendingDownloads(env);
  const t0 = Date.now();
  const line = progress(
    out,
    downloads.length > 0
      ? `first run: downloading ${downloads.join(', ')} into ${tilde((await import('@paystream/testkit')).CACHE_DIR)} and starting the servers`
      : 'starting Kafka, the schema registry, DynamoDB Local and moto',
  );
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack({ dataDir, env, notice });
  } finally {
    line.done();
  }
  for (const l of stack.lines) notice(l);

  const specs: ServiceSpec[] = [];
  for (const name of SERVICE_NAMES) {
    const p = name === API_SERVICE ? port : await freePort(host);
    specs.push({ name, env: { PORT: String(p) } });
  }
  const supervisor = new ServiceSupervisor(specs, {
    out,
    colour,
    env: { ...stack.env, PAYSTREAM_DATA: dataDir, HOST: host, LOG_LEVEL: env.LOG_LEVEL || 'info' },
  });

  let stopping: Promise<void> | null = null;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C: no more waiting (the testkit SIGKILLs its servers as the process exits).
      supervisor.killNow();
      process.exit(130);
    }
    supervisor.say(`${signal}: stopping the services, then the servers (Ctrl-C again to kill at once)`);
    stopping = (async () => {
      await supervisor.stop();
      await stack.stop();
      supervisor.say('stopped');
      process.exit(0);
    })();
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, stop);
  supervisor.start();

  const apiUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const urls = specs.map((s) => `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${s.env.PORT}`);
  let noticed = Date.now();
  while (!(await Promise.all(urls.map(healthy))).every(Boolean)) {
    if (stopping) return;
    if (Date.now() - noticed > READY_NOTICE_MS) {
      supervisor.say('still waiting for every service to report healthy at /health …');
      noticed = Date.now();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (stopping) return;

  const keyFile = join(dataDir, 'api-key');
  const apiKey =
    env.PAYSTREAM_API_KEY || (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '(see above)');
  const exports = {
    ...stack.env,
    PAYSTREAM_DATA: dataDir,
  };
  const bold = (s: string) => (colour ? `\u001b[1m${s}\u001b[0m` : s);
  out.write(
    [
      '',
      bold(
        `Paystream is up (Kafka mode, ${specs.length} services as processes) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      ),
      `  API      ${apiUrl}   every route; OpenAPI at ${apiUrl}/docs`,
      `  API key  ${apiKey}`,
      `  data     ${dataDir}`,
      '',
      'The Kafka-mode variables, for tools that join this stack (paystream replay, audit verify, bench --engine kafka):',
      ...Object.entries(exports).map(([k, v]) => `  export ${k}=${v}`),
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}
