// The event-log contract. Both adapters run exactly this suite (sqlite.spec.ts and
// kafka/kafka.int.spec.ts); an engine that passes it can carry Paystream.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionFor } from './partitioner.js';
import type { EventLog, LogRecord, OutRecord, Subscription } from './port.js';
import { covers, positionAfter } from './position.js';

export interface ContractHarness {
  readonly log: EventLog;
  cleanup(): Promise<void>;
}

/** Generous bounds: Kafka group joins take seconds; SQLite takes milliseconds. */
const WAIT_MS = 60_000;

function rec(topic: string, key: string, n: number): OutRecord {
  return {
    topic,
    key,
    value: Buffer.from(JSON.stringify({ key, n })),
    headers: { 'content-type': 'application/json' },
  };
}

function body(r: LogRecord): { key: string; n: number } {
  return JSON.parse(r.value.toString('utf8')) as { key: string; n: number };
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export function eventLogContract(name: string, make: () => Promise<ContractHarness>): void {
  describe(`event log contract: ${name}`, () => {
    let h: ContractHarness;
    const topic = (label: string) => `contract.${label}.${randomUUID().slice(0, 8)}`;
    const group = (label: string) => `contract-${label}-${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      h = await make();
    }, 300_000);
    afterAll(async () => {
      await h?.cleanup();
    });

    it('creates topics idempotently and knows their partition counts', async () => {
      const t = topic('topics');
      await h.log.createTopics([{ name: t, partitions: 3 }]);
      await h.log.createTopics([{ name: t, partitions: 3 }]);
      expect(await h.log.partitionsOf(t)).toBe(3);
    });

    it('appends in order per key, on the partition the shared partitioner picks', async () => {
      const t = topic('append');
      await h.log.createTopics([{ name: t, partitions: 4 }]);
      const batch = ['pay_a', 'pay_b', 'pay_a', 'pay_c', 'pay_a', 'pay_b'].map((k, i) => rec(t, k, i));
      const positions = await h.log.append(batch);
      expect(positions).toHaveLength(batch.length);
      positions.forEach((p, i) => {
        expect(p.topic).toBe(t);
        expect(p.partition).toBe(partitionFor(batch[i]!.key, 4));
      });
      const aOffsets = positions.filter((_, i) => batch[i]!.key === 'pay_a').map((p) => p.offset);
      expect([...aOffsets].sort((x, y) => x - y)).toEqual(aOffsets);
      expect(new Set(aOffsets).size).toBe(3);
      const end = await h.log.endPosition([t]);
      expect(covers(end, positionAfter(positions))).toBe(true);
    });

    it('reads back exactly what was appended: key, value bytes and headers', async () => {
      const t = topic('read');
      await h.log.createTopics([{ name: t, partitions: 1 }]);
      const value = Buffer.from([0, 1, 2, 250, 255]);
      const [pos] = await h.log.append([{ topic: t, key: 'k', value, headers: { trace: 'abc' } }]);
      const [got] = await h.log.read(t, 0, pos!.offset, 10);
      expect(got?.key).toBe('k');
      expect(Buffer.compare(got!.value, value)).toBe(0);
      expect(got?.headers.trace).toBe('abc');
      expect(got?.offset).toBe(pos!.offset);
    });

    it('delivers every record to a group, in order per partition, and commits', async () => {
      const t = topic('consume');
      const g = group('consume');
      await h.log.createTopics([{ name: t, partitions: 3 }]);
      const appended = await h.log.append(Array.from({ length: 60 }, (_, i) => rec(t, `cus_${i % 7}`, i)));
      const seen: LogRecord[] = [];
      const sub = await h.log.subscribe({ groupId: g, topics: [t] }, async (batch) => {
        seen.push(...batch.records);
      });
      expect(await h.log.waitForGroup(g, positionAfter(appended), WAIT_MS)).toBe(true);
      await sub.stop();
      expect(seen.map((r) => body(r).n).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 60 }, (_, i) => i),
      );
      for (let p = 0; p < 3; p++) {
        const offsets = seen.filter((r) => r.partition === p).map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
      const perKey = new Map<string, number[]>();
      for (const r of seen) perKey.set(r.key, [...(perKey.get(r.key) ?? []), body(r).n]);
      for (const ns of perKey.values()) expect(ns).toEqual([...ns].sort((a, b) => a - b));
      const committed = await h.log.committed(g, [t]);
      expect(covers(committed, positionAfter(appended))).toBe(true);
    });

    it('commits staged outputs atomically with the batch: a failing handler leaves no outputs and is redelivered', async () => {
      const input = topic('atomic-in');
      const output = topic('atomic-out');
      const g = group('atomic');
      await h.log.createTopics([
        { name: input, partitions: 1 },
        { name: output, partitions: 1 },
      ]);
      const appended = await h.log.append([rec(input, 'pay_1', 1), rec(input, 'pay_1', 2)]);
      let attempts = 0;
      const sub = await h.log.subscribe({ groupId: g, topics: [input] }, async (batch, ctx) => {
        attempts += 1;
        ctx.append(batch.records.map((r) => ({ topic: output, key: r.key, value: r.value })));
        if (attempts === 1) throw new Error('simulated crash after staging outputs');
      });
      expect(await h.log.waitForGroup(g, positionAfter(appended), WAIT_MS)).toBe(true);
      await sub.stop();
      expect(attempts).toBeGreaterThanOrEqual(2);
      // Exactly one copy of each output: the failed attempt's staged records never appeared.
      const outputs = await readAll(h.log, output);
      expect(outputs.map((r) => body(r).n)).toEqual([1, 2]);
    });

    it('resumes a group after stop from its committed offset, processing nothing twice', async () => {
      const t = topic('resume');
      const g = group('resume');
      await h.log.createTopics([{ name: t, partitions: 2 }]);
      const first = await h.log.append(Array.from({ length: 10 }, (_, i) => rec(t, `k${i}`, i)));
      const seen: number[] = [];
      const handler = async (b: { records: readonly LogRecord[] }) => {
        seen.push(...b.records.map((r) => body(r).n));
      };
      let sub: Subscription = await h.log.subscribe({ groupId: g, topics: [t] }, handler);
      expect(await h.log.waitForGroup(g, positionAfter(first), WAIT_MS)).toBe(true);
      await sub.stop();
      const second = await h.log.append(Array.from({ length: 10 }, (_, i) => rec(t, `k${i}`, 10 + i)));
      sub = await h.log.subscribe({ groupId: g, topics: [t] }, handler);
      expect(await h.log.waitForGroup(g, positionAfter(second), WAIT_MS)).toBe(true);
      await sub.stop();
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it('seeks a stopped group to the beginning (replay) and to the end', async () => {
      const t = topic('seek');
      const g = group('seek');
      await h.log.createTopics([{ name: t, partitions: 2 }]);
      const appended = await h.log.append(Array.from({ length: 8 }, (_, i) => rec(t, `k${i}`, i)));
      const seen: number[] = [];
      const handler = async (b: { records: readonly LogRecord[] }) => {
        seen.push(...b.records.map((r) => body(r).n));
      };
      let sub = await h.log.subscribe({ groupId: g, topics: [t] }, handler);
      expect(await h.log.waitForGroup(g, positionAfter(appended), WAIT_MS)).toBe(true);
      await sub.stop();
      await h.log.seekGroup(g, t, 'beginning');
      expect(Object.values(await h.log.committed(g, [t]))).toEqual([0, 0]);
      sub = await h.log.subscribe({ groupId: g, topics: [t] }, handler);
      expect(await h.log.waitForGroup(g, positionAfter(appended), WAIT_MS)).toBe(true);
      await sub.stop();
      expect(seen).toHaveLength(16);
      await h.log.seekGroup(g, t, 'end');
      const committed = await h.log.committed(g, [t]);
      expect(covers(committed, positionAfter(appended))).toBe(true);
    });

    it('starts a new group at the end when asked, and at the beginning by default', async () => {
      const t = topic('start');
      await h.log.createTopics([{ name: t, partitions: 1 }]);
      await h.log.append([rec(t, 'old', 0)]);
      const fromEnd: number[] = [];
      const fromStart: number[] = [];
      const gEnd = group('end');
      const gStart = group('start');
      const a = await h.log.subscribe({ groupId: gEnd, topics: [t], start: 'end' }, async (b) => {
        fromEnd.push(...b.records.map((r) => body(r).n));
      });
      const b = await h.log.subscribe({ groupId: gStart, topics: [t] }, async (batch) => {
        fromStart.push(...batch.records.map((r) => body(r).n));
      });
      // Let both members join before appending the new record.
      await until('the default group sees the old record', () => fromStart.length === 1);
      await sleep(h.log.engine === 'kafka' ? 3000 : 100);
      const appended = await h.log.append([rec(t, 'new', 1)]);
      expect(await h.log.waitForGroup(gEnd, positionAfter(appended), WAIT_MS)).toBe(true);
      expect(await h.log.waitForGroup(gStart, positionAfter(appended), WAIT_MS)).toBe(true);
      await Promise.all([a.stop(), b.stop()]);
      expect(fromEnd).toEqual([1]);
      expect(fromStart).toEqual([0, 1]);
    });

    it('keeps groups independent of each other', async () => {
      const t = topic('groups');
      await h.log.createTopics([{ name: t, partitions: 1 }]);
      const appended = await h.log.append([rec(t, 'k', 1), rec(t, 'k', 2)]);
      const g1 = group('one');
      const g2 = group('two');
      const counts = { [g1]: 0, [g2]: 0 };
      const subs = await Promise.all(
        [g1, g2].map((g) =>
          h.log.subscribe({ groupId: g, topics: [t] }, async (b) => {
            counts[g] = (counts[g] ?? 0) + b.records.length;
          }),
        ),
      );
      for (const g of [g1, g2])
        expect(await h.log.waitForGroup(g, positionAfter(appended), WAIT_MS)).toBe(true);
      await Promise.all(subs.map((s) => s.stop()));
      expect(counts).toEqual({ [g1]: 2, [g2]: 2 });
    });

    it('shares partitions between two members of one group, each record processed once', async () => {
      const t = topic('share');
      const g = group('share');
      await h.log.createTopics([{ name: t, partitions: 4 }]);
      const seen = new Map<number, number>();
      const perMember = [0, 0];
      const mk = (i: number) =>
        h.log.subscribe({ groupId: g, topics: [t] }, async (b) => {
          perMember[i] = (perMember[i] ?? 0) + b.records.length;
          for (const r of b.records) seen.set(body(r).n, (seen.get(body(r).n) ?? 0) + 1);
        });
      const subs = [await mk(0), await mk(1)];
      const appended = await h.log.append(Array.from({ length: 200 }, (_, i) => rec(t, `cus_${i}`, i)));
      expect(await h.log.waitForGroup(g, positionAfter(appended), WAIT_MS)).toBe(true);
      await Promise.all(subs.map((s) => s.stop()));
      expect(seen.size).toBe(200);
      expect([...seen.values()].every((c) => c === 1)).toBe(true);
      expect(perMember[0]! + perMember[1]!).toBe(200);
    });

    it('tells a member which partitions it gains and loses, and never hands it a batch of a partition it does not hold', async () => {
      const t = topic('owners');
      const g = group('owners');
      await h.log.createTopics([{ name: t, partitions: 4 }]);
      // Per member, in order: what it was told and the batches it got.
      const trail: string[][] = [[], []];
      const held: Set<number>[] = [new Set(), new Set()];
      const strays: string[] = [];
      const mk = (i: number) =>
        h.log.subscribe(
          {
            groupId: g,
            topics: [t],
            onAssigned: (ps) => {
              for (const p of ps) {
                held[i]!.add(p.partition);
                trail[i]!.push(`+${p.partition}`);
              }
            },
            onRevoked: (ps) => {
              for (const p of ps) {
                held[i]!.delete(p.partition);
                trail[i]!.push(`-${p.partition}`);
              }
            },
          },
          async (b) => {
            if (!held[i]!.has(b.partition)) strays.push(`member ${i} got ${b.partition} unassigned`);
            trail[i]!.push(`b${b.partition}`);
          },
        );
      const a = await mk(0);
      await until('the first member to hold every partition', () => held[0]!.size === 4);
      const first = await h.log.append(Array.from({ length: 40 }, (_, i) => rec(t, `k_${i}`, i)));
      expect(await h.log.waitForGroup(g, positionAfter(first), WAIT_MS)).toBe(true);
      const b = await mk(1);
      await until('the second member to hold a partition', () => held[1]!.size > 0);
      const second = await h.log.append(Array.from({ length: 40 }, (_, i) => rec(t, `k_${i}`, 100 + i)));
      expect(await h.log.waitForGroup(g, positionAfter(second), WAIT_MS)).toBe(true);
      // What moved to the second member was revoked from the first before the first let go.
      for (const p of held[1]!) expect(trail[0]).toContain(`-${p}`);
      await b.stop();
      await a.stop();
      expect(strays).toEqual([]);
      // stop() revokes everything still held.
      expect(held[0]!.size + held[1]!.size).toBe(0);
    });

    it('reports a position no group has reached as not reached when the wait times out', async () => {
      const t = topic('timeout');
      await h.log.createTopics([{ name: t, partitions: 1 }]);
      const started = Date.now();
      expect(await h.log.waitForGroup(group('idle'), { [`${t}/0`]: 5 }, 300)).toBe(false);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    });

    it('rejects appends to a topic that does not exist, appending nothing', async () => {
      const t = topic('exists');
      await h.log.createTopics([{ name: t, partitions: 1 }]);
      await expect(h.log.append([rec(t, 'k', 1), rec(topic('missing'), 'k', 2)])).rejects.toThrow();
      expect(await h.log.read(t, 0, 0, 10)).toEqual([]);
    });
  });
}

async function readAll(log: EventLog, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const n = await log.partitionsOf(topic);
  for (let p = 0; p < n; p++) out.push(...(await log.read(topic, p, 0, 100_000)));
  return out;
}
