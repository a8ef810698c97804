// Redelivery and crash idempotence of the projections: whatever way the same events are cut
// into batches, delivered twice, or interrupted halfway through a flush, the read models end
// up identical, item for item and version for version.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partitionFor } from '@paystream/log';
import { type ReadStore, SqliteReadStore, type WriteOp } from '@paystream/readstore';
import { EmbeddedSchemaRegistry, EnvelopeCodec } from '@paystream/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProjectionTables, projectBatch } from './projector.js';
import { compareTables } from './replay/compare.js';
import { PROJECTION_TABLES } from './tables.js';
import { generateHistory } from './testing/history.js';
import type { ProjectedEvent } from './work.js';

const PARTITIONS = 12;
let dir: string;
let events: ProjectedEvent[];
let stores: ReadStore[] = [];

async function freshStore(name: string): Promise<ReadStore> {
  const s = new SqliteReadStore({ filename: join(dir, `${name}.db`) });
  await ensureProjectionTables(s);
  stores.push(s);
  return s;
}

/** The events as a log would hold them: per partition, in append order, with offsets. */
function positioned(codec: EnvelopeCodec): ProjectedEvent[] {
  const history = generateHistory(codec, { minEvents: 2_500, seed: 7 });
  const next = new Array<number>(PARTITIONS).fill(0);
  return history.map((envelope) => {
    const partition = partitionFor(envelope.aggregateId, PARTITIONS);
    const offset = next[partition]!;
    next[partition] = offset + 1;
    return { envelope, position: { topic: 'paystream.events', partition, offset } };
  });
}

function byPartition(all: readonly ProjectedEvent[]): ProjectedEvent[][] {
  const out: ProjectedEvent[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const e of all) out[e.position.partition]!.push(e);
  return out;
}

async function projectInBatches(
  store: ReadStore,
  size: number,
  order: 'partition' | 'interleaved' = 'partition',
) {
  const parts = byPartition(events);
  if (order === 'partition') {
    for (const part of parts)
      for (let i = 0; i < part.length; i += size) await projectBatch(store, part.slice(i, i + size));
    return;
  }
  // Partitions consumed in turns, as several consumers would: a different global order.
  const at = new Array<number>(PARTITIONS).fill(0);
  for (let more = true; more; ) {
    more = false;
    for (let p = PARTITIONS - 1; p >= 0; p--) {
      const part = parts[p]!;
      if (at[p]! >= part.length) continue;
      await projectBatch(store, part.slice(at[p], at[p]! + size));
      at[p]! += size;
      more = true;
    }
  }
}

async function expectSame(a: ReadStore, b: ReadStore): Promise<void> {
  const { tables, differences } = await compareTables(PROJECTION_TABLES, a, b);
  expect(differences).toEqual([]);
  expect(tables.every((t) => t.live === t.rebuilt)).toBe(true);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paystream-proj-'));
  const codec = await EnvelopeCodec.create(new EmbeddedSchemaRegistry());
  events = positioned(codec);
});

afterAll(async () => {
  for (const s of stores) await s.close();
  stores = [];
  rmSync(dir, { recursive: true, force: true });
});

describe('projections under redelivery', () => {
  it('builds every read model from the history (the baseline is not empty)', async () => {
    const base = await freshStore('base');
    await projectInBatches(base, 500);
    const { tables } = await compareTables(PROJECTION_TABLES, base, base);
    for (const t of tables) expect(t.live, `${t.table} has items`).toBeGreaterThan(0);
  });

  it('gives the same read models whatever the batch size and partition interleaving', async () => {
    const big = await freshStore('big');
    await projectInBatches(big, 10_000);
    const small = await freshStore('small');
    await projectInBatches(small, 7, 'interleaved');
    await expectSame(big, small);
  });

  it('changes nothing when every batch is delivered twice', async () => {
    const once = await freshStore('once');
    await projectInBatches(once, 100);
    const twice = await freshStore('twice');
    const parts = byPartition(events);
    for (const part of parts) {
      for (let i = 0; i < part.length; i += 100) {
        const batch = part.slice(i, i + 100);
        await projectBatch(twice, batch);
        const again = await projectBatch(twice, batch);
        expect(again.written).toBe(0); // a redelivered batch finds everything applied
      }
    }
    await expectSame(once, twice);
  });

  it('recovers from a crash halfway through a flush when the batch is redelivered', async () => {
    const clean = await freshStore('clean');
    await projectInBatches(clean, 300);
    const crashed = await freshStore('crashed');
    // A store that dies after two transactions of each flush: the batch's writes are partial.
    let budget = Number.POSITIVE_INFINITY;
    const dying: ReadStore = Object.assign(Object.create(crashed) as ReadStore, {
      transactWrite: async (ops: readonly WriteOp[]) => {
        if (budget-- <= 0) throw new Error('SIGKILL');
        return await crashed.transactWrite(ops);
      },
      get: crashed.get.bind(crashed),
      putIfNewer: crashed.putIfNewer.bind(crashed),
    });
    const parts = byPartition(events);
    let crashes = 0;
    for (const part of parts) {
      for (let i = 0; i < part.length; i += 300) {
        const batch = part.slice(i, i + 300);
        budget = 2;
        try {
          await projectBatch(dying, batch);
        } catch {
          crashes += 1;
        }
        budget = Number.POSITIVE_INFINITY;
        await projectBatch(dying, batch); // redelivered: the offset was never committed
      }
    }
    expect(crashes).toBeGreaterThan(0);
    await expectSame(clean, crashed);
  });

  it('posts a journal entry that appears twice in the log only once', async () => {
    const entries = events.filter((e) => e.envelope.type === 'JournalEntryPosted');
    const dup = entries[0]!;
    const last = events.filter((e) => e.position.partition === dup.position.partition).at(-1)!;
    const store = await freshStore('dup');
    await projectInBatches(store, 1_000);
    const before = await compareTables(PROJECTION_TABLES, store, store);
    // The same entry appended again later in its partition (a producer retry).
    await projectBatch(store, [
      { envelope: dup.envelope, position: { ...last.position, offset: last.position.offset + 1 } },
    ]);
    const base = await freshStore('dup-base');
    await projectInBatches(base, 1_000);
    const { differences } = await compareTables(PROJECTION_TABLES, base, store);
    expect(before.tables.length).toBeGreaterThan(0);
    expect(differences).toEqual([]);
  });
});
