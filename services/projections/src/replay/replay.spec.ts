// Replay equivalence: the live projector builds the read models from a generated history of
// at least 50,000 events; replay rebuilds them from offset zero into a fresh namespace and
// must find them equal, table by table and item by item. Then a live item is corrupted:
// replay must report it, and the swap must repair it.

import { TOPICS } from '@paystream/eventing';
import type { RunningService } from '@paystream/runtime';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadQueries, projectionsService } from '../service.js';
import { PAYMENTS } from '../tables.js';
import { generateHistory } from '../testing/history.js';
import { type ReplayProgress, replay } from './replay.js';

const EVENTS = Number(process.env.PAYSTREAM_REPLAY_TEST_EVENTS ?? 50_000);

async function liveSystem(
  minEvents: number,
): Promise<{ t: TestEngines; svc: RunningService; generated: number }> {
  const t = await openTestEngines();
  const events = generateHistory(t.engines.bus.codec, { minEvents });
  for (let i = 0; i < events.length; i += 5_000) await t.engines.bus.publish(events.slice(i, i + 5_000));
  const svc = await projectionsService.start({
    config: t.config,
    engines: t.engines,
    logger: t.logger,
    metrics: t.metrics,
  });
  expect(await createReadQueries(t.engines).catchUp(120_000)).toBe(true);
  return { t, svc, generated: events.length };
}

describe('replay of a large history', () => {
  let t: TestEngines;
  let svc: RunningService | null = null;
  let generated = 0;

  beforeAll(async () => {
    ({ t, svc, generated } = await liveSystem(EVENTS));
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
    await t.cleanup();
  });

  it(`rebuilds read models equal to the live ones from ${EVENTS} events`, { timeout: 180_000 }, async () => {
    const progress: ReplayProgress[] = [];
    // The live projector keeps running: replay compares at the position it has committed.
    const r = await replay({ config: t.config, engines: t.engines }, { onProgress: (p) => progress.push(p) });
    expect(r.differences).toEqual([]);
    expect(r.equal).toBe(true);
    expect(r.events).toBe(generated);
    expect(r.events).toBeGreaterThanOrEqual(EVENTS);
    for (const table of r.tables) expect(table.live, table.table).toBe(table.rebuilt);
    expect(r.tables.find((x) => x.table === 'payments')!.live).toBeGreaterThan(1_000);
    expect(progress.at(-1)?.events).toBe(generated);
    console.info(`replay: ${r.events} events rebuilt in ${r.rebuildMs} ms (${r.eventsPerSecond} events/s)`);
  });
});

describe('replay with differences', () => {
  let t: TestEngines;
  let svc: RunningService | null = null;

  beforeAll(async () => {
    ({ t, svc } = await liveSystem(3_000));
  }, 60_000);
  afterAll(async () => {
    await svc?.stop();
    await t.cleanup();
  });

  it('reports a corrupted live item, and the swap repairs it', { timeout: 60_000 }, async () => {
    await svc?.stop();
    svc = null;
    const page = await t.engines.readStore.query(PAYMENTS, {
      index: 'by_tenant_created',
      pk: 'default',
      limit: 1,
    });
    const victim = page.items[0]!;
    await t.engines.readStore.putIfNewer(
      PAYMENTS,
      { ...victim, metadata: { tampered: 'yes' } },
      (victim.v as number) + 1_000,
    );

    const found = await replay({ config: t.config, engines: t.engines });
    expect(found.equal).toBe(false);
    expect(found.differences).toHaveLength(1);
    expect(found.differences[0]).toMatchObject({ table: 'payments', kind: 'different' });

    const swapped = await replay({ config: t.config, engines: t.engines }, { swap: true });
    expect(swapped.swapped).toBe(true);
    expect((await t.engines.readStore.get(PAYMENTS, { id: victim.id as string }))?.metadata).toEqual(
      victim.metadata,
    );
    const again = await replay({ config: t.config, engines: t.engines });
    expect(again.equal).toBe(true);
    // The group stands where the swapped-in models do: a restarted projector changes nothing.
    const end = await t.engines.log.endPosition([TOPICS.events]);
    expect(await t.engines.log.committed('paystream-projections', [TOPICS.events])).toEqual(end);
  });

  it('refuses to swap while the live projector runs', { timeout: 60_000 }, async () => {
    svc = await projectionsService.start({
      config: t.config,
      engines: t.engines,
      logger: t.logger,
      metrics: t.metrics,
    });
    await expect(replay({ config: t.config, engines: t.engines }, { swap: true })).rejects.toMatchObject({
      code: 'projector_running',
    });
  });
});
