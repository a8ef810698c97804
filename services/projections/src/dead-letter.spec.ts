// The projector's dead-letter path: an event the read models keep refusing is dead-lettered
// (with its reason, in the batch's commit) after a bounded number of deliveries, and the
// partition goes on; a store that is down is waited out and never loses an event.
//
// Given a realistic history plus one poison event — a PaymentRequested whose metadata has an
// empty key, which the read store refuses (the hostile-input suite once wedged the projector
// exactly so) — and a garbage record that does not decode.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PaystreamError } from '@paystream/core';
import { TOPICS } from '@paystream/eventing';
import { partitionFor } from '@paystream/log';
import { type ReadStore, SqliteReadStore } from '@paystream/readstore';
import { createLogger, createMetrics, type RunningService } from '@paystream/runtime';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import { EmbeddedSchemaRegistry, type Envelope, EnvelopeCodec } from '@paystream/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureProjectionTables,
  failureReason,
  isTransientFailure,
  LiveProjector,
  projectBatch,
} from './projector.js';
import { compareTables } from './replay/compare.js';
import { createProjectionsService, PROJECTIONS_GROUP } from './service.js';
import { PROJECTION_TABLES } from './tables.js';
import { generateHistory } from './testing/history.js';
import type { ProjectedEvent } from './work.js';

const PARTITIONS = 12;

function poisonOf(codec: EnvelopeCodec, history: readonly Envelope[]): Envelope {
  const requested = history.find((e) => e.type === 'PaymentRequested') as Envelope<'PaymentRequested'>;
  const { hash: _h, prevHash: _p, schemaId: _s, ...rest } = requested;
  return codec.chain({
    ...rest,
    eventId: 'evt_poison_0001',
    aggregateId: 'pay_poison_0001',
    aggregateVersion: 1,
    payload: { ...requested.payload, paymentId: 'pay_poison_0001', metadata: { '': 'poison-value-7f3a' } },
  });
}

/** The events as the log holds them: per partition, in append order, with offsets. */
function positioned(history: readonly Envelope[]): ProjectedEvent[] {
  const next = new Array<number>(PARTITIONS).fill(0);
  return history.map((envelope) => {
    const partition = partitionFor(envelope.aggregateId, PARTITIONS);
    const offset = next[partition]!;
    next[partition] = offset + 1;
    return { envelope, position: { topic: TOPICS.events, partition, offset } };
  });
}

async function expectSame(a: ReadStore, b: ReadStore): Promise<void> {
  const { differences } = await compareTables(PROJECTION_TABLES, a, b);
  expect(differences).toEqual([]);
}

describe('which failures are transient', () => {
  it('waits out the store and its connection, and takes anything else as the event', () => {
    const transient: unknown[] = [
      new PaystreamError('readstore_unavailable', 'DynamoDB PutItem failed: ThrottlingException'),
      new PaystreamError('readstore_unavailable', 'DynamoDB GetItem failed: TimeoutError'),
      new PaystreamError('table_not_found', 'read-model table does not exist'),
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_FSYNC' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
      new TypeError('The database connection is not open'),
      new Error('wrapped', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }),
    ];
    const deterministic: unknown[] = [
      new PaystreamError('invalid_item', 'item.metadata has an empty attribute name'),
      new PaystreamError('readstore_unavailable', 'DynamoDB PutItem failed: ValidationException'),
      new TypeError("Cannot read properties of undefined (reading 'amountMinor')"),
      Object.assign(new Error('string or blob too big'), { code: 'SQLITE_TOOBIG' }),
      Object.assign(new Error('bad option'), { code: 'ERR_INVALID_ARG_TYPE' }),
      'a string',
    ];
    for (const e of transient) expect(isTransientFailure(e), String(e)).toBe(true);
    for (const e of deterministic) expect(isTransientFailure(e), String(e)).toBe(false);
    expect(failureReason(new PaystreamError('invalid_item', 'bad'))).toBe('invalid_item: bad');
  });
});

describe('LiveProjector', () => {
  let dir: string;
  let events: ProjectedEvent[];
  let poison: ProjectedEvent;
  const stores: ReadStore[] = [];

  async function freshStore(name: string): Promise<ReadStore> {
    const s = new SqliteReadStore({ filename: join(dir, `${name}.db`) });
    await ensureProjectionTables(s);
    stores.push(s);
    return s;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paystream-dlq-'));
    const codec = await EnvelopeCodec.create(new EmbeddedSchemaRegistry());
    const history = generateHistory(codec, { minEvents: 1_500, seed: 11 });
    // The poison sits in the middle of the history (and of its partition).
    const mid = Math.floor(history.length / 2);
    const all = [...history.slice(0, mid), poisonOf(codec, history), ...history.slice(mid)];
    events = positioned(all);
    poison = events.find((e) => e.envelope.eventId === 'evt_poison_0001')!;
  });

  afterAll(async () => {
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const partitionOf = (p: number) => events.filter((e) => e.position.partition === p);

  it('redelivers a refused event maxAttempts − 1 times, then hands it back to be dead-lettered', async () => {
    const store = await freshStore('poisoned');
    const failures: number[] = [];
    const projector = new LiveProjector(store, {
      maxAttempts: 4,
      onAttemptFailed: (_e, _err, attempt) => failures.push(attempt),
    });
    const deadLetters = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const part = partitionOf(p);
      for (let i = 0; i < part.length; i += 200) {
        const batch = part.slice(i, i + 200);
        // As the log does: redeliver the same batch until the handler returns.
        for (let delivery = 1; ; delivery++) {
          expect(delivery, 'bounded redelivery').toBeLessThanOrEqual(4);
          try {
            const r = await projector.project(batch);
            deadLetters.push(...r.deadLetters);
            break;
          } catch (err) {
            expect(batch).toContain(poison);
            expect(isTransientFailure(err)).toBe(false);
          }
        }
      }
    }
    expect(failures).toEqual([1, 2, 3, 4]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.event).toBe(poison);
    expect(deadLetters[0]!.attempts).toBe(4);
    expect(deadLetters[0]!.reason).toMatch(/^invalid_item: .*empty attribute name/);
    expect(projector.failingEvents).toBe(1); // forgotten once its partition moves past it

    // Every other event is in the read models, exactly as if the poison had never been there.
    const clean = await freshStore('clean');
    for (let p = 0; p < PARTITIONS; p++)
      await projectBatch(
        clean,
        partitionOf(p).filter((e) => e !== poison),
      );
    await expectSame(clean, store);
  });

  it('never dead-letters while the store is unavailable, however long it lasts', async () => {
    const real = await freshStore('flaky');
    let outage = 40; // store calls that fail before it comes back
    const failing = <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
      (async (...a: A) => {
        if (outage > 0) {
          outage--;
          throw new PaystreamError('readstore_unavailable', 'DynamoDB TransactWriteItems failed: Error');
        }
        return await f(...a);
      }) as (...a: A) => Promise<R>;
    const store: ReadStore = Object.assign(Object.create(real) as ReadStore, {
      get: failing(real.get.bind(real)),
      transactWrite: failing(real.transactWrite.bind(real)),
      putIfNewer: failing(real.putIfNewer.bind(real)),
    });
    const projector = new LiveProjector(store, { maxAttempts: 2 });
    const part = partitionOf(poison.position.partition).filter((e) => e !== poison);
    let deliveries = 0;
    for (;;) {
      deliveries++;
      expect(deliveries).toBeLessThan(100);
      try {
        const r = await projector.project(part);
        expect(r.deadLetters).toEqual([]);
        break;
      } catch (err) {
        expect(isTransientFailure(err)).toBe(true);
      }
    }
    expect(deliveries).toBeGreaterThan(2);
    const clean = await freshStore('flaky-clean');
    await projectBatch(clean, part);
    await expectSame(clean, real);
  });

  it('does not blame the event when the store fails even a probe read, whatever the error says', async () => {
    const real = await freshStore('down');
    const down = async () => {
      throw new Error('socket hang up'); // no code, no known name: unclassified
    };
    const store: ReadStore = Object.assign(Object.create(real) as ReadStore, {
      get: down,
      transactWrite: down,
      putIfNewer: down,
    });
    const projector = new LiveProjector(store, { maxAttempts: 2 });
    const batch = partitionOf(0).slice(0, 50);
    for (let delivery = 0; delivery < 10; delivery++)
      await expect(projector.project(batch)).rejects.toThrow('socket hang up');
    expect(projector.failingEvents).toBe(0);
  });
});

describe('projections service dead letters (embedded log, end to end)', () => {
  let t: TestEngines;
  let svc: RunningService | undefined;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    t = await openTestEngines();
  });
  afterAll(async () => {
    await svc?.stop();
    await t?.cleanup();
  });

  it('dead-letters the poison event and an undecodable record with their reasons, and goes on', async () => {
    const { engines } = t;
    const history = generateHistory(engines.bus.codec, { minEvents: 600, seed: 5 });
    const poison = poisonOf(engines.bus.codec, history);
    await engines.bus.publish(history.slice(0, 300));
    const [poisonAt] = (await engines.bus.publish([poison])).positions;
    const [garbageAt] = await engines.log.append([
      { topic: TOPICS.events, key: 'pay_garbage', value: Buffer.from('not an avro envelope') },
    ]);
    await engines.bus.publish(history.slice(300));

    const capture = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n'))
          if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const metrics = createMetrics();
    svc = await createProjectionsService({ maxAttempts: 3 }).start({
      config: t.config,
      engines,
      logger: createLogger({ level: 'info', destination: capture }),
      metrics,
    });
    const end = await engines.log.endPosition([TOPICS.events]);
    expect(await engines.log.waitForGroup(PROJECTIONS_GROUP, end, 60_000)).toBe(true);

    // The dead-letter topic holds both, each with its reason and where it came from.
    const dead = [];
    for (let p = 0; p < (await engines.log.partitionsOf(TOPICS.deadLetter)); p++)
      dead.push(...(await engines.log.read(TOPICS.deadLetter, p, 0, 100)));
    const bySource = new Map(
      dead.map((r) => [`${r.headers['source-partition']}/${r.headers['source-offset']}`, r]),
    );
    const poisonDead = bySource.get(`${poisonAt!.partition}/${poisonAt!.offset}`);
    const garbageDead = bySource.get(`${garbageAt!.partition}/${garbageAt!.offset}`);
    expect(dead).toHaveLength(2);
    expect(poisonDead?.headers.reason).toMatch(/^invalid_item: .*empty attribute name/);
    expect(poisonDead?.headers['source-topic']).toBe(TOPICS.events);
    expect(Buffer.from(poisonDead!.value).equals(engines.bus.codec.encode(poison))).toBe(true);
    expect(garbageDead?.headers.reason).toMatch(/corrupt_event/);

    // Counted and logged (ids and the reason; no payload).
    const counted = await metrics.registry.getSingleMetricAsString(
      'paystream_projections_dead_letters_total',
    );
    expect(counted).toContain('cause="projection_failed"} 1');
    expect(counted).toContain('cause="undecodable"} 1');
    const logged = lines.filter((l) => String(l.msg).includes('dead-letter topic'));
    expect(logged.map((l) => l.eventId ?? l.offset)).toEqual(
      expect.arrayContaining(['evt_poison_0001', garbageAt!.offset]),
    );
    expect(JSON.stringify(logged)).not.toContain('poison-value-7f3a');
    expect(JSON.stringify(logged)).not.toContain('customerId');

    // Everything else was projected.
    const reference = new SqliteReadStore({ filename: join(t.dataDir, 'reference.db') });
    try {
      await ensureProjectionTables(reference);
      // The log's own records and positions, minus the two dead letters.
      for (let p = 0; p < (await engines.log.partitionsOf(TOPICS.events)); p++) {
        const records = await engines.log.read(TOPICS.events, p, 0, 10_000);
        const good = records.filter((r) => r.key !== 'pay_garbage');
        const decoded = await engines.bus.codec.decodeAll(good.map((r) => r.value));
        await projectBatch(
          reference,
          decoded
            .map((envelope, i) => ({ envelope, position: good[i]! }))
            .filter((e) => e.envelope.eventId !== poison.eventId),
        );
      }
      await expectSame(reference, engines.readStore);
    } finally {
      await reference.close();
    }
  }, 120_000);
});
