// The chaos log: one line per thing the suite did to the system (a kill, a restart, the broker
// restart, the poison) and per phase, with the time since the start. Written synchronously to
// a file in the run's folder, so it survives whatever happens to the test process, and printed
// when a check fails.

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mulberry32 } from '@paystream/core';

export class ChaosLog {
  readonly file: string;
  readonly #startedMs = Date.now();

  constructor(file: string) {
    this.file = file;
  }

  line(message: string, data?: Record<string, unknown>): void {
    const atS = ((Date.now() - this.#startedMs) / 1000).toFixed(1).padStart(7);
    const extra = data === undefined ? '' : ` ${JSON.stringify(data)}`;
    appendFileSync(this.file, `${new Date().toISOString()} +${atS}s ${message}${extra}\n`);
  }

  /** The last `lines` lines (the whole log by default). */
  tail(lines = Number.POSITIVE_INFINITY): string {
    if (!existsSync(this.file)) return '';
    const all = readFileSync(this.file, 'utf8').trimEnd().split('\n');
    return all.slice(Math.max(0, all.length - lines)).join('\n');
  }
}

/** A seeded PRNG, so a run's choices can be replayed with CHAOS_SEED. */
export const seededRandom = mulberry32;
