// Replay equivalence in Kafka mode: a generated history of at least 10,000 events is appended
// to the events topic of the shared test broker, the live projections service builds read
// models in DynamoDB Local under a table prefix of its own, and replay rebuilds them from
// offset zero into a fresh prefix and must find them equal, table by table and item by item.
//
// The broker is shared with the other integration specs, so the history has its own tenant and
// ids, and the topic may hold other events too: the live projector is moved to the beginning of
// the topic and consumes all of it, and replay reads the same topic, so both see the same log.

import { TOPICS } from '@paystream/eventing';
import type { RunningService } from '@paystream/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReplayProgress, replay } from '../src/replay/replay.js';
import { PROJECTIONS_GROUP, projectionsService } from '../src/service.js';
import { PAYMENTS, PROJECTION_TABLES } from '../src/tables.js';
import { generateHistory } from '../src/testing/history.js';
import { type KafkaTestEngines, openKafkaTestEngines } from './kafka-fixture.js';

const EVENTS = 10_000;
const APPEND_BATCH = 5_000;

describe('replay in Kafka mode (Kafka, DynamoDB Local)', () => {
  let k: KafkaTestEngines;
  let svc: RunningService | null = null;
  let generated = 0;
  let tenantId = '';

  beforeAll(async () => {
    k = await openKafkaTestEngines('rk');
    const { engines } = k;
    tenantId = `ten_replay_${k.run}`;
    const events = generateHistory(engines.bus.codec, {
      minEvents: EVENTS,
      tenants: [tenantId],
      idNamespace: k.run,
      seed: 7,
    });
    generated = events.length;
    for (let i = 0; i < events.length; i += APPEND_BATCH)
      await engines.bus.publish(events.slice(i, i + APPEND_BATCH));
    // The group may have committed offsets from another spec's projector: this one's tables
    // start empty, so it starts from the beginning of the topic, as replay does.
    await engines.log.seekGroup(PROJECTIONS_GROUP, TOPICS.events, 'beginning');
    svc = await projectionsService.start({
      config: k.config,
      engines,
      logger: k.logger,
      metrics: k.metrics,
    });
    // catchUp waits at most 10 s per call (an API bound); the live projector writes DynamoDB
    // Local in version-checked transactions, so wait on the log for the whole history.
    const started = Date.now();
    const end = await engines.log.endPosition([TOPICS.events]);
    expect(await engines.log.waitForGroup(PROJECTIONS_GROUP, end, 150_000)).toBe(true);
    console.info(`live projector (kafka): caught up in ${Date.now() - started} ms`);
  }, 240_000);

  afterAll(async () => {
    await svc?.stop();
    if (k) {
      await k.engines.readStore.dropTables(PROJECTION_TABLES);
      await k.cleanup();
    }
  });

  it(`rebuilds read models equal to the live ones from ${EVENTS}+ events`, { timeout: 180_000 }, async () => {
    const progress: ReplayProgress[] = [];
    const r = await replay({ config: k.config, engines: k.engines }, { onProgress: (p) => progress.push(p) });
    expect(r.differences).toEqual([]);
    expect(r.equal).toBe(true);
    // The topic holds this spec's history and possibly other specs' events.
    expect(r.events).toBeGreaterThanOrEqual(generated);
    expect(generated).toBeGreaterThanOrEqual(EVENTS);
    for (const table of r.tables) expect(table.live, table.table).toBe(table.rebuilt);
    // This tenant's payments are in the live models (and so, by equality, in the rebuilt ones).
    const page = await k.engines.readStore.query(PAYMENTS, {
      index: 'by_tenant_created',
      pk: tenantId,
      limit: 10,
    });
    expect(page.items.length).toBeGreaterThan(0);
    expect(r.tables.find((x) => x.table === 'payments')!.live).toBeGreaterThan(100);
    expect(progress.at(-1)?.events).toBe(r.events);
    console.info(
      `replay (kafka): ${r.events} events rebuilt in ${r.rebuildMs} ms (${r.eventsPerSecond} events/s)`,
    );
  });
});
