// Replay throughput: generates a history with the escrow decider, appends it to a fresh log,
// then rebuilds every read model from offset zero into a fresh namespace, as `paystream replay`
// does, and prints events/s.
//
//   npm run bench:replay [-- [--engine sqlite|kafka] [--events N]]
//
// sqlite (default, 100,000 events): an embedded log and a scratch SQLite read store written on
// a writer thread. kafka (default 20,000 events): Kafka, DynamoDB Local and moto started on
// loopback by the testkit (or reused from PAYSTREAM_TEST_* variables, e.g. `npm run servers`),
// the history on the events topic, the rebuild into a fresh DynamoDB table prefix.
//
// Prints one JSON line: {engine, events, writes, rebuildMs, eventsPerSecond, cpuMs,
// eventsPerCpuSecond, closeMs, generateMs, appendMs}. cpuMs is this process's CPU time during
// the rebuild (every thread: the writer thread and V8's GC helpers included; in Kafka mode not
// the broker's or DynamoDB Local's).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type EventBus, TOPICS } from '@paystream/eventing';
import type { EventLog } from '@paystream/log';
import { type ReadStore, SqliteReadStore } from '@paystream/readstore';
import { openTestEngines } from '@paystream/runtime/testing';
import { startTestServers } from '@paystream/testkit';
import { ensureProjectionTables } from '../src/projector.js';
import { rebuild } from '../src/replay/rebuild.js';
import { openReplayStore } from '../src/replay/replay.js';
import { PROJECTION_TABLES } from '../src/tables.js';
import { generateHistory } from '../src/testing/history.js';
import { openKafkaTestEngines } from '../test/kafka-fixture.js';

const { values } = parseArgs({
  options: { engine: { type: 'string', default: 'sqlite' }, events: { type: 'string' } },
});
const engine = values.engine;
if (engine !== 'sqlite' && engine !== 'kafka')
  throw new Error(`--engine must be sqlite or kafka, not ${engine}`);
const target = Number(values.events ?? (engine === 'kafka' ? 20_000 : 100_000));
if (!Number.isSafeInteger(target) || target < 1) throw new Error(`--events must be a positive integer`);

interface Target {
  readonly bus: EventBus;
  readonly log: EventLog;
  /** The fresh namespace the rebuild writes. */
  readonly store: ReadStore;
  readonly history?: { tenants: string[]; idNamespace: string };
}

async function measure(t: Target) {
  let started = performance.now();
  const events = generateHistory(t.bus.codec, { minEvents: target, ...t.history });
  const generateMs = performance.now() - started;
  started = performance.now();
  for (let i = 0; i < events.length; i += 5_000) await t.bus.publish(events.slice(i, i + 5_000));
  const appendMs = performance.now() - started;
  await ensureProjectionTables(t.store);
  const to = await t.log.endPosition([TOPICS.events]);
  const cpuBefore = process.cpuUsage();
  const r = await rebuild({ log: t.log, codec: t.bus.codec, store: t.store, from: {}, to, fresh: true });
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Closing a scratch SQLite store is its one fsync: timed apart, it is not part of the rebuild.
  started = performance.now();
  await t.store.close();
  const closeMs = performance.now() - started;
  console.log(
    JSON.stringify({
      engine,
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
}

if (engine === 'sqlite') {
  const t = await openTestEngines();
  const dir = mkdtempSync(join(tmpdir(), 'paystream-replay-bench-'));
  try {
    // The fresh namespace as replay opens it (openReplayStore): a scratch file, bulk loads
    // written on a writer thread.
    const store = new SqliteReadStore({
      filename: join(dir, 'rebuilt.db'),
      scratch: true,
      writerThread: true,
    });
    await measure({ bus: t.engines.bus, log: t.engines.log, store });
  } finally {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const servers = await startTestServers();
  Object.assign(process.env, servers.env);
  const k = await openKafkaTestEngines('rb');
  const namespace = `bench_${k.run}`;
  const store = openReplayStore({ config: k.config, engines: k.engines }, namespace);
  try {
    await measure({
      bus: k.engines.bus,
      log: k.engines.log,
      store,
      history: { tenants: [`ten_bench_${k.run}`], idNamespace: k.run },
    });
  } finally {
    // measure() closed its handle; a second one drops the bench's tables.
    const tables = openReplayStore({ config: k.config, engines: k.engines }, namespace);
    await tables.dropTables(PROJECTION_TABLES).catch(() => undefined);
    await tables.close();
    await k.cleanup();
    await servers.stop();
  }
}
