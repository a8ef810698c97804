// Runs each Paystream service as its own process (`paystream run <service>`), as a deployment
// would, and lets the chaos monkey SIGKILL and restart them. Every service keeps one port and
// one log file across restarts. A process that dies on its own (not killed by the monkey) is
// restarted too — as an orchestrator would — and recorded as an unplanned exit.

import { join } from 'node:path';
import { freePort, type ManagedProcess, startProcess } from '@paystream/testkit';
import type { ChaosLog } from './journal.js';

export const SERVICES = ['ingest', 'fraud', 'escrow', 'ach-batcher', 'projections', 'webhooks'] as const;
export type ChaosService = (typeof SERVICES)[number];

export interface SupervisorOptions {
  /** The repository root (where packages/cli/bin/paystream.js is). */
  readonly root: string;
  /** The run's folder: service logs go there. */
  readonly dir: string;
  /** The Paystream configuration every service gets (PAYSTREAM_DATA or the Kafka variables). */
  readonly env: Readonly<Record<string, string>>;
  readonly log: ChaosLog;
  /** How long a (re)started service may take to serve HTTP. Default 120 s. */
  readonly readyTimeoutMs?: number;
  /** Attempts to start a service before giving up (it may exit while the broker is down). */
  readonly startAttempts?: number;
}

interface Slot {
  readonly name: ChaosService;
  readonly port: number;
  proc: ManagedProcess | null;
  /** Serializes kill/start of one service. */
  busy: Promise<void>;
  starts: number;
  kills: number;
  unplannedExits: number;
}

/** Answers HTTP at all (a 503 while the broker restarts still means the process is up). */
async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

export class Supervisor {
  readonly #opts: SupervisorOptions;
  readonly #slots = new Map<ChaosService, Slot>();
  /** Every process that came up and served (one that exits while starting is not in it). */
  readonly #served = new Set<number>();
  #watcher: NodeJS.Timeout | null = null;
  #stopping = false;
  /** A test runner being stopped kills the services (testkit's exit hook): do not restart them. */
  readonly #onSignal = () => {
    this.#stopping = true;
  };

  private constructor(opts: SupervisorOptions, slots: Slot[]) {
    this.#opts = opts;
    for (const s of slots) this.#slots.set(s.name, s);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, this.#onSignal);
  }

  static async create(opts: SupervisorOptions): Promise<Supervisor> {
    const slots: Slot[] = [];
    const used = new Set<number>();
    for (const name of SERVICES) {
      let port = await freePort();
      while (used.has(port)) port = await freePort();
      used.add(port);
      slots.push({ name, port, proc: null, busy: Promise.resolve(), starts: 0, kills: 0, unplannedExits: 0 });
    }
    return new Supervisor(opts, slots);
  }

  #slot(name: ChaosService): Slot {
    const s = this.#slots.get(name);
    if (!s) throw new Error(`unknown service ${name}`);
    return s;
  }

  url(name: ChaosService): string {
    return `http://127.0.0.1:${this.#slot(name).port}`;
  }

  logFile(name: ChaosService): string {
    return join(this.#opts.dir, `${name}.log`);
  }

  #serialized(slot: Slot, f: () => Promise<void>): Promise<void> {
    const next = slot.busy.then(f, f);
    slot.busy = next.catch(() => undefined);
    return next;
  }

  async #launch(slot: Slot): Promise<void> {
    const attempts = this.#opts.startAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      const t0 = Date.now();
      try {
        slot.proc = await startProcess({
          name: `chaos-${slot.name}`,
          command: process.execPath,
          args: [join(this.#opts.root, 'packages/cli/bin/paystream.js'), 'run', slot.name],
          cwd: this.#opts.root,
          env: { ...this.#opts.env, PORT: String(slot.port), HOST: '127.0.0.1' },
          logFile: this.logFile(slot.name),
          ready: () => answers(slot.port),
          readyTimeoutMs: this.#opts.readyTimeoutMs ?? 120_000,
          failFastOnExit: true,
        });
        slot.starts += 1;
        this.#served.add(slot.proc.pid);
        this.#opts.log.line(`started ${slot.name}`, { pid: slot.proc.pid, ms: Date.now() - t0, attempt });
        return;
      } catch (err) {
        slot.proc = null;
        this.#opts.log.line(`start of ${slot.name} failed`, { attempt, error: (err as Error).message });
        if (attempt >= attempts) throw new Error(`${slot.name} did not start in ${attempts} attempts`);
        await new Promise((r) => setTimeout(r, Math.min(10_000, 1_000 * attempt)));
      }
    }
  }

  /** Starts one service and waits until it serves HTTP (retrying a start that exits). */
  start(name: ChaosService): Promise<void> {
    const slot = this.#slot(name);
    return this.#serialized(slot, async () => {
      if (this.#stopping) throw new Error('the supervisor is stopping');
      await this.#launch(slot);
    });
  }

  /** SIGKILLs a service (its whole process group) and waits until it is gone. */
  kill(name: ChaosService): Promise<void> {
    const slot = this.#slot(name);
    return this.#serialized(slot, async () => {
      const p = slot.proc;
      if (!p) return;
      slot.proc = null;
      await p.kill();
      slot.kills += 1;
      this.#opts.log.line(`SIGKILL ${name}`, { pid: p.pid });
    });
  }

  /** Restarts services that died without being killed; checks every second. */
  watch(): void {
    this.#watcher ??= setInterval(() => {
      if (this.#stopping) return;
      for (const slot of this.#slots.values()) {
        const p = slot.proc;
        if (!p?.exited()) continue;
        slot.proc = null;
        slot.unplannedExits += 1;
        this.#opts.log.line(`UNPLANNED EXIT of ${slot.name}; restarting it`, {
          pid: p.pid,
          log: this.logFile(slot.name),
        });
        void this.#serialized(slot, () => this.#launch(slot)).catch((err: unknown) =>
          this.#opts.log.line(`restart of ${slot.name} failed`, { error: (err as Error).message }),
        );
      }
    }, 1_000);
  }

  /** Waits until no kill or start is in flight and every service is up. */
  async settle(): Promise<void> {
    for (const slot of this.#slots.values()) {
      await slot.busy;
      if (!slot.proc || slot.proc.exited()) await this.start(slot.name);
    }
  }

  async stopAll(): Promise<void> {
    this.#stopping = true;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, this.#onSignal);
    if (this.#watcher) clearInterval(this.#watcher);
    await Promise.all(
      [...this.#slots.values()].map(async (slot) => {
        await slot.busy;
        await slot.proc?.stop(15_000);
        slot.proc = null;
      }),
    );
  }

  /** Whether `pid` was one of our services that came up and served. */
  served(pid: number): boolean {
    return this.#served.has(pid);
  }

  stats(): Record<ChaosService, { starts: number; kills: number; unplannedExits: number }> {
    const out = {} as Record<ChaosService, { starts: number; kills: number; unplannedExits: number }>;
    for (const s of this.#slots.values())
      out[s.name] = { starts: s.starts, kills: s.kills, unplannedExits: s.unplannedExits };
    return out;
  }
}
