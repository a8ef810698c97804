// Small helpers shared by the benchmarks: percentiles over recorded latencies.

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const idx = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[idx]!;
}

export function summarize(latenciesMs: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)) };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A payload of `bytes` bytes that carries its send time, like a small Avro event. */
export function payload(bytes: number, sentAtNs: bigint): Buffer {
  const b = Buffer.alloc(bytes, 0x61);
  b.writeBigInt64BE(sentAtNs, 0);
  return b;
}

export function sentAt(value: Buffer): bigint {
  return value.readBigInt64BE(0);
}
