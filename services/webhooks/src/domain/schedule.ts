// When a failed delivery is tried again: exponential backoff with ±20 % jitter over about three
// days, then the delivery is given up (a manual retry can start it again). Randomness is passed
// in, so the schedule is a pure function of the attempt number and a number in [0, 1).

const S = 1_000;
const M = 60 * S;
const H = 60 * M;

/** Delay before attempt n+2 after attempt n+1 failed (index n). 12 attempts in all. */
export const RETRY_DELAYS_MS: readonly number[] = [
  5 * S,
  30 * S,
  2 * M,
  10 * M,
  30 * M,
  1 * H,
  3 * H,
  6 * H,
  12 * H,
  24 * H,
  24 * H,
];

export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
export const JITTER_FRACTION = 0.2;

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based), or null when it was the
 * last. `random` is uniform in [0, 1); the wait is the base delay scaled into [0.8, 1.2).
 */
export function retryDelayMs(attempt: number, random: number): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be ≥ 1, got ${attempt}`);
  if (!(random >= 0 && random < 1)) throw new RangeError(`random must be in [0, 1), got ${random}`);
  const base = RETRY_DELAYS_MS[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER_FRACTION + 2 * JITTER_FRACTION * random));
}
