// The clock port. Every time-based rule (hold periods, ACH windows, velocity windows, key
// retention) reads time from a Clock so tests can move it deliberately.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that only moves when told to. */
export class TestClock implements Clock {
  #nowMs: number;

  constructor(startMs = Date.UTC(2026, 0, 5, 15, 0, 0)) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a clock only moves forward, got ${ms}`);
    this.#nowMs += ms;
  }

  set(ms: number): void {
    if (ms < this.#nowMs) throw new RangeError('a clock only moves forward');
    this.#nowMs = ms;
  }
}
