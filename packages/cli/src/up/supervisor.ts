// Runs each Paystream service as its own process (`paystream run <service>`), as a deployment
// would, in one terminal: every output line prefixed with the service's name in its colour, a
// crashed service restarted after a backoff, and an orderly stop that leaves nothing running.

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { formatLogLine } from './log-format.js';

/** The CLI entry point the services are started with. */
export const PAYSTREAM_BIN = fileURLToPath(new URL('../../bin/paystream.js', import.meta.url));

/** ANSI colours for the prefixes, one per service, in start order. */
const COLOURS = [36, 33, 35, 32, 34, 31] as const;

export interface ServiceSpec {
  readonly name: string;
  /** Extra environment of this service (its PORT). */
  readonly env: Readonly<Record<string, string>>;
}

export interface SupervisorOptions {
  /** Environment every service gets (the Kafka-mode variables, PAYSTREAM_DATA, …). */
  readonly env: Readonly<Record<string, string>>;
  readonly out: Writable;
  readonly colour: boolean;
  /** First restart delay; doubles per crash in a row up to maxBackoffMs. Default 1 s. */
  readonly minBackoffMs?: number;
  /** Default 30 s. */
  readonly maxBackoffMs?: number;
  /** A service up this long has recovered: its next crash waits minBackoffMs again. Default 60 s. */
  readonly stableAfterMs?: number;
  /** How long stop() waits for a service to exit after SIGTERM before SIGKILL. Default 20 s. */
  readonly stopGraceMs?: number;
}

/** The delay before the `crashes`-th restart in a row (1-based). */
export function backoffDelay(crashes: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, crashes - 1));
}

interface Slot {
  readonly spec: ServiceSpec;
  readonly prefix: string;
  child: ChildProcess | null;
  exited: Promise<void>;
  startedAt: number;
  crashes: number;
  restarts: number;
  timer: NodeJS.Timeout | null;
}

export class ServiceSupervisor {
  readonly #opts: SupervisorOptions;
  readonly #slots: Slot[];
  #stopping = false;

  constructor(specs: readonly ServiceSpec[], opts: SupervisorOptions) {
    this.#opts = opts;
    const width = Math.max(...specs.map((s) => s.name.length));
    this.#slots = specs.map((spec, i) => {
      const label = spec.name.padEnd(width);
      const colour = COLOURS[i % COLOURS.length];
      return {
        spec,
        prefix: opts.colour ? `\u001b[${colour}m${label} |\u001b[0m ` : `${label} | `,
        child: null,
        exited: Promise.resolve(),
        startedAt: 0,
        crashes: 0,
        restarts: 0,
        timer: null,
      };
    });
  }

  /** A line from the supervisor itself. */
  say(line: string): void {
    const tag = this.#opts.colour ? '\u001b[1mup\u001b[0m' : 'up';
    this.#opts.out.write(`${tag} ${line}\n`);
  }

  start(): void {
    for (const slot of this.#slots) this.#launch(slot);
  }

  /** Process ids of the running services (tests check that none is left after stop). */
  pids(): number[] {
    return this.#slots.flatMap((s) =>
      s.child?.pid !== undefined && s.child.exitCode === null ? [s.child.pid] : [],
    );
  }

  restarts(name: string): number {
    return this.#slots.find((s) => s.spec.name === name)?.restarts ?? 0;
  }

  #launch(slot: Slot): void {
    const child = spawn(process.execPath, [PAYSTREAM_BIN, 'run', slot.spec.name], {
      env: { ...process.env, ...this.#opts.env, ...slot.spec.env },
      // Its own process group: the terminal's Ctrl-C reaches the supervisor only, which stops
      // the services in order (and a SIGKILL reaches anything a service started).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    slot.child = child;
    slot.startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) =>
        this.#opts.out.write(`${slot.prefix}${formatLogLine(line, this.#opts.colour)}\n`),
      );
    }
    slot.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        resolve();
        if (this.#stopping) return;
        this.#crashed(slot, signal ? `signal ${signal}` : `code ${code}`);
      });
      child.once('error', (err) => {
        resolve();
        if (!this.#stopping) this.#crashed(slot, err.message);
      });
    });
  }

  #crashed(slot: Slot, how: string): void {
    if (slot.timer) return;
    const stable = this.#opts.stableAfterMs ?? 60_000;
    slot.crashes = Date.now() - slot.startedAt >= stable ? 1 : slot.crashes + 1;
    const delay = backoffDelay(
      slot.crashes,
      this.#opts.minBackoffMs ?? 1_000,
      this.#opts.maxBackoffMs ?? 30_000,
    );
    this.say(`${slot.spec.name} exited (${how}); restarting in ${(delay / 1000).toFixed(0)} s`);
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (this.#stopping) return;
      slot.restarts += 1;
      this.#launch(slot);
    }, delay);
  }

  /** SIGTERM every service (each commits and leaves its groups), SIGKILL what is left after the grace. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const grace = this.#opts.stopGraceMs ?? 20_000;
    await Promise.all(
      this.#slots.map(async (slot) => {
        if (slot.timer) clearTimeout(slot.timer);
        slot.timer = null;
        const child = slot.child;
        if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
        signalGroup(child.pid, 'SIGTERM');
        const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), grace).unref());
        if ((await Promise.race([slot.exited, timeout])) === 'timeout') {
          this.say(`${slot.spec.name} did not stop within ${grace / 1000} s; killing it`);
          signalGroup(child.pid, 'SIGKILL');
          await slot.exited;
        }
      }),
    );
  }

  /** Immediate SIGKILL of every service group (a second Ctrl-C, or the process exiting). */
  killNow(): void {
    this.#stopping = true;
    for (const slot of this.#slots) if (slot.child?.pid) signalGroup(slot.child.pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}
