// The small, allocation-free building blocks of streaming features. All state is plain arrays
// of numbers, so a snapshot is JSON and restoring it is a parse.

/**
 * A sliding-window count and sum in O(1) memory: the "sliding window counter" used by rate
 * limiters. Time is cut into buckets one window wide; the estimate at time t is the current
 * bucket plus the previous bucket weighted by how much of it still overlaps [t − W, t].
 * It is exact when the previous bucket's events were spread evenly, and always lies between
 * the current bucket's total and the last two buckets' total — never negative.
 * Layout: [bucketIndex, currentCount, currentSum, previousCount, previousSum].
 */
export type Window = [number, number, number, number, number];

export function newWindow(): Window {
  return [-2, 0, 0, 0, 0];
}

function roll(w: Window, index: number): void {
  if (index === w[0]) return;
  if (index === w[0] + 1) {
    w[3] = w[1];
    w[4] = w[2];
  } else {
    w[3] = 0;
    w[4] = 0;
  }
  w[0] = index;
  w[1] = 0;
  w[2] = 0;
}

/** Estimated count in (t − widthMs, t]. Callers pass non-decreasing t per window. */
export function windowCount(w: Window, tMs: number, widthMs: number): number {
  roll(w, Math.floor(tMs / widthMs));
  const overlap = 1 - (tMs - w[0] * widthMs) / widthMs;
  return w[1] + w[3] * overlap;
}

/** Estimated sum in (t − widthMs, t]. */
export function windowSum(w: Window, tMs: number, widthMs: number): number {
  roll(w, Math.floor(tMs / widthMs));
  const overlap = 1 - (tMs - w[0] * widthMs) / widthMs;
  return w[2] + w[4] * overlap;
}

export function windowAdd(w: Window, tMs: number, widthMs: number, value: number): void {
  roll(w, Math.floor(tMs / widthMs));
  w[1] += 1;
  w[2] += value;
}

/**
 * Welford's running mean and variance, over ln(amount) so that a customer's amounts — roughly
 * log-normal — give a usable z-score. Inputs are validated safe-integer cents; only the
 * statistic is a float. Layout: [n, mean, m2].
 */
export type Welford = [number, number, number];

export function newWelford(): Welford {
  return [0, 0, 0];
}

export function welfordAdd(s: Welford, x: number): void {
  s[0] += 1;
  const delta = x - s[1];
  s[1] += delta / s[0];
  s[2] += delta * (x - s[1]);
}

export function welfordStd(s: Welford): number {
  return s[0] < 2 ? 0 : Math.sqrt(s[2] / (s[0] - 1));
}

/**
 * A bounded set of recently seen members with their last-seen times, stored as 32-bit hashes:
 * memory stays fixed per key and the raw identifiers (IPs, device ids, fingerprints) are not
 * copied into feature state. A hash collision can only make a new member look known, at odds
 * of about 1 in 4 billion per pair. When full, the member seen longest ago is replaced.
 * Layout: [hash0, seenMs0, hash1, seenMs1, ...].
 */
export type RecentSet = number[];

export function recentHas(set: RecentSet, hash: number): boolean {
  for (let i = 0; i < set.length; i += 2) if (set[i] === hash) return true;
  return false;
}

/** Distinct members seen in (t − widthMs, t], not counting `exceptHash`. */
export function recentDistinct(set: RecentSet, tMs: number, widthMs: number, exceptHash: number): number {
  let n = 0;
  for (let i = 0; i < set.length; i += 2) {
    if (set[i] !== exceptHash && tMs - set[i + 1]! < widthMs) n += 1;
  }
  return n;
}

export function recentTouch(set: RecentSet, hash: number, tMs: number, capacity: number): void {
  let oldest = 0;
  for (let i = 0; i < set.length; i += 2) {
    if (set[i] === hash) {
      set[i + 1] = Math.max(set[i + 1]!, tMs);
      return;
    }
    if (set[i + 1]! < set[oldest + 1]!) oldest = i;
  }
  if (set.length < capacity * 2) {
    set.push(hash, tMs);
  } else {
    set[oldest] = hash;
    set[oldest + 1] = tMs;
  }
}

/** FNV-1a, 32-bit: deterministic across processes and fast on short ids. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
