// The replay's direct read of the embedded log must see exactly what the log's own reader sees:
// the same offsets and the same value bytes, over any range, across segments and pages.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from '@paystream/log';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSegment, encodeSegment } from '../../../../packages/log/src/sqlite/segments.js';
import { SCAN_PAGE_SEGMENTS, SqliteLogScan, walkSegment } from './sqlite-scan.js';

const recordArb = fc.record({
  key: fc.string({ unit: 'binary', maxLength: 40 }),
  value: fc.uint8Array({ maxLength: 300 }),
  headers: fc.option(
    fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 })),
    { nil: undefined },
  ),
});

function walked(row: Parameters<typeof walkSegment>[0], from: number, end: number) {
  const out: { offset: number; value: Buffer }[] = [];
  walkSegment(row, from, end, (offset, value) => out.push({ offset, value: Buffer.from(value) }));
  return out;
}

describe('walkSegment', () => {
  it('agrees with decodeSegment on any segment and any window', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { minLength: 1, maxLength: 40 }),
        fc.nat(1_000_000),
        fc.nat(50),
        fc.nat(50),
        (records, base, skip, take) => {
          const row = {
            topic: 't',
            partition: 1,
            base_offset: base,
            last_offset: base + records.length - 1,
            ts: 1,
            records: encodeSegment(records),
          };
          const from = base + skip;
          const end = from + take;
          const want = decodeSegment(row, from)
            .filter((r) => r.offset < end)
            .map((r) => ({ offset: r.offset, value: r.value }));
          expect(walked(row, from, end)).toEqual(want);
        },
      ),
    );
  });

  it('refuses a truncated segment and one whose offsets disagree with its row', () => {
    const records = [1, 2, 3].map((n) => ({ key: `k${n}`, value: Buffer.from([n, n, n]) }));
    const row = {
      topic: 't',
      partition: 0,
      base_offset: 10,
      last_offset: 12,
      ts: 1,
      records: encodeSegment(records),
    };
    expect(walked(row, 0, 100).map((r) => r.offset)).toEqual([10, 11, 12]);
    const truncated = { ...row, records: row.records.subarray(0, row.records.length - 2) };
    expect(() => walked(truncated, 0, 100)).toThrowError(/truncated/);
    expect(() => walked({ ...row, last_offset: 13 }, 0, 100)).toThrowError(/ends at 12, not 13/);
  });
});

describe('SqliteLogScan', () => {
  let dir: string;
  let log: SqliteEventLog;
  const topic = 'paystream.events';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paystream-scan-'));
    log = new SqliteEventLog({ path: join(dir, 'log.db'), synchronous: 'NORMAL' });
    await log.createTopics([{ name: topic, partitions: 2 }]);
    // More segments than one page holds, of uneven sizes, with headers on some records.
    for (let a = 0; a < SCAN_PAGE_SEGMENTS + 10; a++) {
      const n = 1 + (a % 5);
      await log.append(
        Array.from({ length: n }, (_, i) => ({
          topic,
          key: 'one-key', // one partition holds them all
          value: Buffer.from(`append ${a} record ${i}`),
          ...(i % 2 === 0 ? { headers: { type: 'X' } } : {}),
        })),
      );
    }
  });

  afterAll(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every range exactly as the log does, page by page', async () => {
    const end = await log.endPosition([topic]);
    const partition = Number(
      Object.entries(end)
        .find(([, v]) => v > 0)![0]
        .split('/')
        .at(-1),
    );
    const head = end[`${topic}/${partition}`]!;
    expect(head).toBeGreaterThan(SCAN_PAGE_SEGMENTS);
    const scan = new SqliteLogScan(join(dir, 'log.db'));
    try {
      for (const [from, to] of [
        [0, head],
        [3, head - 2],
        [head - 1, head],
        [7, 8],
        [head, head],
      ] as const) {
        const want = await log.read(topic, partition, from, Math.max(1, to - from));
        const got: { offset: number; value: string }[] = [];
        let pages = 0;
        for (const page of scan.records(topic, partition, from, to)) {
          pages += 1;
          for (let i = 0; i < page.count; i++)
            got.push({ offset: page.offsets[i]!, value: page.values[i]!.toString() });
        }
        expect(got).toEqual(
          want.filter((r) => r.offset < to).map((r) => ({ offset: r.offset, value: r.value.toString() })),
        );
        if (from === 0) expect(pages).toBeGreaterThan(1);
      }
      expect([...scan.records(topic, 1 - partition, 0, 10)]).toEqual([]);
    } finally {
      scan.close();
    }
  });
});
