// Rounding for figures people add up by hand. Every reported total is rounded once, and the
// parts under it are apportioned (largest remainder) so they sum to it exactly; a difference
// (saving = baseline − ours) is taken between rounded figures, never rounded on its own; and
// ratios (basis points, projections) round half to even, so ties do not drift one way.

/** n / d rounded half to even (d > 0). */
export function divHalfEven(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('divHalfEven: the divisor must be positive');
  const sign = n < 0n ? -1n : 1n;
  const abs = n * sign;
  const q = abs / d;
  const twiceRest = (abs - q * d) * 2n;
  const up = twiceRest > d || (twiceRest === d && q % 2n === 1n);
  return sign * (up ? q + 1n : q);
}

/**
 * Splits `total` whole units over parts in proportion to their exact amounts (`unit` of them
 * make one whole): each part gets its floor, and the units left over go to the largest
 * remainders (ties to the earlier part). Parts are non-negative; the result sums to `total`.
 */
export function apportion(parts: readonly bigint[], unit: bigint, total: bigint): bigint[] {
  const floors = parts.map((p) => p / unit);
  let left = total - floors.reduce((a, b) => a + b, 0n);
  const order = parts
    .map((p, i) => ({ i, rest: p % unit }))
    .sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1));
  const out = [...floors];
  for (let k = 0; left > 0n && order.length > 0; k = (k + 1) % order.length, left--) {
    out[order[k]!.i]! += 1n;
  }
  return out;
}

/** A saving as basis points of a volume, half to even; 0 when there is no volume. */
export function basisPoints(savingMinor: number, volumeMinor: number): number {
  if (volumeMinor <= 0) return 0;
  return Number(divHalfEven(BigInt(savingMinor) * 10_000n, BigInt(volumeMinor)));
}
