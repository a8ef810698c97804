// Embedded log: batched append throughput, and append→consume throughput and latency.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from '../src/sqlite/sqlite-event-log.js';
import { payload, round, sentAt, summarize } from './stats.js';

export interface LogBenchResult {
  engine: string;
  appendEventsPerSecond: number;
  consumeEventsPerSecond: number;
  endToEndP50Ms: number;
  endToEndP99Ms: number;
  events: number;
  batchSize: number;
  valueBytes: number;
}

export async function benchSqlite(
  events = 200_000,
  synchronous: 'FULL' | 'NORMAL' = 'FULL',
  batchSize = 1_000,
  valueBytes = 300,
): Promise<LogBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-bench-'));
  const log = new SqliteEventLog({ path: join(dir, 'log.db'), synchronous });
  try {
    await log.createTopics([
      { name: 'bench.append', partitions: 12 },
      { name: 'bench.e2e', partitions: 12 },
    ]);
    // (a) batched appends: the batches are built first, so only the log's work is timed.
    const batches = Array.from({ length: Math.ceil(events / batchSize) }, (_, b) =>
      Array.from({ length: batchSize }, (_, j) => ({
        topic: 'bench.append',
        key: `pay_${b * batchSize + j}`,
        value: payload(valueBytes, 0n),
      })),
    );
    let t0 = process.hrtime.bigint();
    for (const batch of batches) await log.append(batch);
    const appendSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

    // (b) append → consume through a subscription, latency from append call to handler
    const latencies: number[] = [];
    let received = 0;
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const sub = await log.subscribe(
      { groupId: 'bench', topics: ['bench.e2e'], maxBatchRecords: 1_000 },
      async (b) => {
        const now = process.hrtime.bigint();
        for (const r of b.records) latencies.push(Number(now - sentAt(r.value)) / 1e6);
        received += b.records.length;
        if (received >= events) resolveDone();
      },
    );
    t0 = process.hrtime.bigint();
    for (let i = 0; i < events; i += batchSize) {
      const now = process.hrtime.bigint();
      await log.append(
        Array.from({ length: batchSize }, (_, j) => ({
          topic: 'bench.e2e',
          key: `pay_${i + j}`,
          value: payload(valueBytes, now),
        })),
      );
      // Yield so the consumer interleaves with the producer, as it would in the service.
      await new Promise((r) => setImmediate(r));
    }
    await done;
    const e2eSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await sub.stop();
    const { p50Ms, p99Ms } = summarize(latencies);
    return {
      engine: `sqlite (synchronous=${synchronous})`,
      appendEventsPerSecond: Math.round(events / appendSeconds),
      consumeEventsPerSecond: Math.round(events / e2eSeconds),
      endToEndP50Ms: p50Ms,
      endToEndP99Ms: p99Ms,
      events,
      batchSize,
      valueBytes: round(valueBytes, 0),
    };
  } finally {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
