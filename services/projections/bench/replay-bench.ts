// Replay throughput: generates a history with the escrow decider, appends it to a fresh
// embedded log, then rebuilds every read model from offset zero into a fresh SQLite read store
// and prints events/s. `npm run bench:replay -w @paystream/projections [-- events]`.
//
// Prints one JSON line: {engine, events, writes, rebuildMs, eventsPerSecond, cpuMs, eventsPerCpuSecond,
// closeMs, generateMs, appendMs}. cpuMs is the whole process's CPU time during the rebuild (every
// thread: the writer thread and V8's GC helpers included).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@paystream/eventing';
import { SqliteReadStore } from '@paystream/readstore';
import { openTestEngines } from '@paystream/runtime/testing';
import { ensureProjectionTables } from '../src/projector.js';
import { rebuild } from '../src/replay/rebuild.js';
import { generateHistory } from '../src/testing/history.js';

const target = Number(process.argv[2] ?? 100_000);
const t = await openTestEngines();
const dir = mkdtempSync(join(tmpdir(), 'paystream-replay-bench-'));
try {
  let started = performance.now();
  const events = generateHistory(t.engines.bus.codec, { minEvents: target });
  const generateMs = performance.now() - started;
  started = performance.now();
  for (let i = 0; i < events.length; i += 5_000) await t.engines.bus.publish(events.slice(i, i + 5_000));
  const appendMs = performance.now() - started;
  // The fresh namespace as replay opens it (replay.ts defaultStore): a scratch file, bulk loads
  // written on a writer thread.
  const store = new SqliteReadStore({ filename: join(dir, 'rebuilt.db'), scratch: true, writerThread: true });
  await ensureProjectionTables(store);
  const to = await t.engines.log.endPosition([TOPICS.events]);
  const cpuBefore = process.cpuUsage();
  const r = await rebuild({
    log: t.engines.log,
    codec: t.engines.bus.codec,
    store,
    from: {},
    to,
    fresh: true,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Closing a scratch store is its one fsync: timed apart, it is not part of the rebuild.
  started = performance.now();
  await store.close();
  const closeMs = performance.now() - started;
  console.log(
    JSON.stringify({
      engine: 'sqlite',
      events: r.events,
      writes: r.writes,
      rebuildMs: Math.round(r.elapsedMs),
      eventsPerSecond: Math.round((r.events * 1000) / r.elapsedMs),
      // On a shared machine wall time includes waiting for a core; CPU time does not.
      cpuMs: Math.round(cpuMs),
      eventsPerCpuSecond: Math.round((r.events * 1000) / cpuMs),
      closeMs: Math.round(closeMs),
      generateMs: Math.round(generateMs),
      appendMs: Math.round(appendMs),
    }),
  );
} finally {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
}
