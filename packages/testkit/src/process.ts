// Supervises the local server processes that integration tests talk to: start on a free
// loopback port, wait until healthy, stop the whole process group on teardown.

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where downloads and unpacked servers are cached between runs (CI reruns stay fast). */
export const CACHE_DIR = process.env.PAYSTREAM_CACHE_DIR ?? join(homedir(), '.cache', 'paystream');

/** Where server logs and data of this run go. */
export const RUN_DIR = process.env.PAYSTREAM_SERVERS_DIR ?? join(process.cwd(), '.servers');

export class MissingPrerequisite extends Error {
  constructor(what: string, hint: string) {
    super(`missing prerequisite: ${what}. ${hint}`);
    this.name = 'MissingPrerequisite';
  }
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** `preferred` when nothing listens there, else a free port. */
export async function portOr(preferred: number | undefined): Promise<number> {
  if (preferred === undefined || preferred <= 0) return await freePort();
  return await new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(freePort()));
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolve(preferred)));
  });
}

export async function tcpOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000);
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
    s.connect(port, host);
  });
}

/** Polls `check` until it returns true; bounded by `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await sleep(250);
  }
  throw new Error(
    `${what} did not become ready within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM the process group, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once, for crash tests. */
  kill(): Promise<void>;
  exited(): boolean;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;
/** Set by handOverSignals(): the caller stops the servers itself on a signal. */
let callerHandlesSignals = false;

/** SIGKILLs every server still running (synchronous: safe in an 'exit' handler). */
function killAll(): void {
  for (const p of live) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

const onSignal = (signal: NodeJS.Signals) => {
  killAll();
  process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
};

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed or interrupted test runner must not leave JVMs behind on a 2-core machine.
  process.once('exit', killAll);
  if (!callerHandlesSignals)
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);
}

/**
 * For a long-running owner of the servers (`paystream up`) that stops them in order on Ctrl-C:
 * no SIGKILL-and-exit on signals. Servers still left when the process exits are SIGKILLed.
 */
export function handOverSignals(): void {
  callerHandlesSignals = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, onSignal);
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /**
   * Append the output to this file instead of a new one under RUN_DIR (a process restarted
   * under the same name keeps one log, e.g. the chaos suite's services).
   */
  logFile?: string;
  /**
   * Fail as soon as the process exits while starting, instead of waiting out readyTimeoutMs
   * (a supervisor restarting services wants to try again at once).
   */
  failFastOnExit?: boolean;
}

export async function startProcess(opts: StartOptions): Promise<ManagedProcess> {
  installExitHook();
  const logFile = opts.logFile ?? join(RUN_DIR, `${opts.name}-${Date.now()}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  // The server writes straight into its log file. Through a pipe, a parent whose event loop is
  // busy (a synchronous wait, a long test) stops draining it, the pipe fills, and the server
  // blocks on its next log line: moto hung exactly so.
  const out = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      detached: true, // its own process group, so stop() reaches grandchildren too
      stdio: ['ignore', out, out],
    });
  } finally {
    closeSync(out); // the child holds its own copy
  }
  let exitCode: number | null = null;
  let hasExited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      hasExited = true;
      resolve();
    });
  });
  child.once('error', () => {
    hasExited = true;
  });
  if (child.pid === undefined) throw new MissingPrerequisite(opts.command, `could not start ${opts.name}`);
  const pid = child.pid;

  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  };
  const managed: ManagedProcess = {
    name: opts.name,
    pid,
    logFile,
    exited: () => hasExited,
    async stop(graceMs = 10_000) {
      if (!hasExited) {
        signalGroup('SIGTERM');
        await Promise.race([exitedPromise, sleep(graceMs, undefined, { ref: false })]);
        if (!hasExited) signalGroup('SIGKILL');
        await Promise.race([exitedPromise, sleep(2000, undefined, { ref: false })]);
      }
      live.delete(managed);
    },
    async kill() {
      signalGroup('SIGKILL');
      await Promise.race([exitedPromise, sleep(5000, undefined, { ref: false })]);
      live.delete(managed);
    },
  };
  live.add(managed);
  const exitedWhileStarting = () => new Error(`${opts.name} exited with code ${exitCode}; see ${logFile}`);
  try {
    const ready = waitUntil(
      opts.name,
      async () => {
        if (hasExited) throw exitedWhileStarting();
        return await opts.ready();
      },
      opts.readyTimeoutMs ?? 120_000,
    );
    if (opts.failFastOnExit) {
      let settled = false;
      await Promise.race([
        ready.finally(() => {
          settled = true;
        }),
        exitedPromise.then(() => {
          if (!settled) throw exitedWhileStarting();
        }),
      ]);
      ready.catch(() => undefined); // its own timeout may still fire after the exit won the race
    } else {
      await ready;
    }
  } catch (err) {
    await managed.stop(2000);
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(message.includes(logFile) ? message : `${message}; its log is ${logFile}`);
  }
  return managed;
}
