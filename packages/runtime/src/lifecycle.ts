// Graceful shutdown: on SIGINT/SIGTERM stop taking work, drain what is in flight, close engines —
// in the reverse order things were started — bounded by a deadline, then exit.

import type { Logger } from './logger.js';

export interface Closer {
  readonly name: string;
  close(): Promise<void> | void;
}

export class Lifecycle {
  readonly #closers: Closer[] = [];
  #closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Registers something to close; closed in reverse order of registration. */
  add(closer: Closer): void {
    this.#closers.push(closer);
  }

  async close(deadlineMs = 15_000): Promise<void> {
    this.#closing ??= (async () => {
      const timer = setTimeout(() => {
        this.logger.error({ deadlineMs }, 'shutdown deadline passed; exiting');
        process.exit(1);
      }, deadlineMs);
      timer.unref();
      for (const c of [...this.#closers].reverse()) {
        try {
          await c.close();
          this.logger.debug({ component: c.name }, 'closed');
        } catch (err) {
          this.logger.error({ err, component: c.name }, 'error while closing');
        }
      }
      clearTimeout(timer);
    })();
    return this.#closing;
  }

  /** Closes on SIGINT/SIGTERM and exits 0 (a second signal exits at once). */
  exitOnSignals(): void {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(130);
      signalled = true;
      this.logger.info({ signal }, 'shutting down');
      void this.close().then(() => process.exit(0));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
}
