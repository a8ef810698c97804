// Tamper evidence: a history is appended to an embedded log, the log file is copied, and each
// copy is tampered with the way an attacker with disk access would — edit a record's bytes,
// delete a record, delete a whole segment, swap two events — then audit verify must name it.
// The segment format is the one documented in packages/log/src/sqlite/segments.ts.

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@paystream/eventing';
import { SqliteEventLog } from '@paystream/log';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory } from '../testing/history.js';
import { type AuditReport, verifyAudit } from './verify.js';

interface RawRecord {
  key: string;
  headers: Buffer;
  value: Buffer;
}

function decodeRaw(b: Buffer): RawRecord[] {
  const out: RawRecord[] = [];
  let at = 0;
  while (at < b.length) {
    const keyLen = b.readUInt16BE(at + 4);
    const key = b.toString('utf8', at + 6, at + 6 + keyLen);
    at += 6 + keyLen;
    const hLen = b.readUInt32BE(at);
    const headers = b.subarray(at + 4, at + 4 + hLen);
    at += 4 + hLen;
    const vLen = b.readUInt32BE(at);
    out.push({ key, headers: Buffer.from(headers), value: Buffer.from(b.subarray(at + 4, at + 4 + vLen)) });
    at += 4 + vLen;
  }
  return out;
}

function encodeRaw(records: readonly RawRecord[]): Buffer {
  const parts: Buffer[] = [];
  records.forEach((r, i) => {
    const head = Buffer.alloc(6);
    head.writeUInt32BE(i, 0);
    const key = Buffer.from(r.key, 'utf8');
    head.writeUInt16BE(key.length, 4);
    const hl = Buffer.alloc(4);
    hl.writeUInt32BE(r.headers.length, 0);
    const vl = Buffer.alloc(4);
    vl.writeUInt32BE(r.value.length, 0);
    parts.push(head, key, hl, r.headers, vl, r.value);
  });
  return Buffer.concat(parts);
}

interface SegmentRow {
  rowid: number;
  partition: number;
  base_offset: number;
  last_offset: number;
  records: Buffer;
}

describe('audit verify', () => {
  let t: TestEngines;
  let dir: string;
  let n = 0;

  beforeAll(async () => {
    t = await openTestEngines();
    dir = mkdtempSync(join(tmpdir(), 'paystream-audit-'));
    const events = generateHistory(t.engines.bus.codec, { minEvents: 3_000, seed: 11 });
    // Appended in chunks, so partitions hold several segments each.
    for (let i = 0; i < events.length; i += 250) await t.engines.bus.publish(events.slice(i, i + 250));
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Copies the log, lets `tamper` edit the copy's segments table, and verifies the copy. */
  async function tampered(tamper: (db: Database.Database) => void): Promise<AuditReport> {
    n += 1;
    const path = join(dir, `copy-${n}.db`);
    (t.engines.log as SqliteEventLog).db.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(join(t.dataDir, 'log.db'), path);
    const db = new Database(path);
    tamper(db);
    db.close();
    const log = new SqliteEventLog({ path });
    try {
      return await verifyAudit({ log, codec: t.engines.bus.codec });
    } finally {
      await log.close();
    }
  }

  /** A segment of the events topic holding at least `min` records, in the middle of its partition. */
  function segment(db: Database.Database, min: number): SegmentRow {
    const rows = db
      .prepare(
        'SELECT rowid, partition, base_offset, last_offset, records FROM segments WHERE topic = ? AND last_offset - base_offset + 1 >= ? AND base_offset > 0 ORDER BY partition, base_offset',
      )
      .all(TOPICS.events, min) as SegmentRow[];
    const withLater = rows.find((r) =>
      db
        .prepare('SELECT 1 FROM segments WHERE topic = ? AND partition = ? AND base_offset > ?')
        .get(TOPICS.events, r.partition, r.last_offset),
    );
    if (!withLater) throw new Error('no suitable segment');
    return withLater;
  }

  function rewrite(db: Database.Database, row: SegmentRow, records: RawRecord[]): void {
    db.prepare('UPDATE segments SET records = ?, last_offset = ? WHERE rowid = ?').run(
      encodeRaw(records),
      row.base_offset + records.length - 1,
      row.rowid,
    );
  }

  it('verifies an untouched log', async () => {
    const report = await verifyAudit({ log: t.engines.log, codec: t.engines.bus.codec });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.events).toBeGreaterThanOrEqual(3_000);
    expect(report.firstProblem).toBeNull();
  });

  it('finds an edited record (bytes changed in place)', async () => {
    let where = { partition: -1, offset: -1 };
    const report = await tampered((db) => {
      const row = segment(db, 3);
      const records = decodeRaw(row.records);
      const victim = records[1]!;
      // Change one digit of the amount-free part: the first ASCII digit after the eventId's prefix.
      const text = victim.value.toString('latin1');
      const i = text.indexOf('_') + 1;
      victim.value[i] = victim.value[i] === 0x61 ? 0x62 : 0x61;
      rewrite(db, row, records);
      where = { partition: row.partition, offset: row.base_offset + 1 };
    });
    expect(report.ok).toBe(false);
    expect(report.firstProblem).toMatchObject({ code: 'hash_mismatch', ...where });
  });

  it('finds a deleted record', async () => {
    let partition = -1;
    const report = await tampered((db) => {
      const row = segment(db, 3);
      const records = decodeRaw(row.records);
      records.splice(1, 1);
      rewrite(db, row, records);
      partition = row.partition;
    });
    expect(report.ok).toBe(false);
    expect(report.firstProblem?.partition).toBe(partition);
    expect(['offset_gap', 'version_gap']).toContain(report.firstProblem?.code);
  });

  it('finds a deleted segment', async () => {
    let where = { partition: -1, offset: -1 };
    const report = await tampered((db) => {
      const row = segment(db, 1);
      db.prepare('DELETE FROM segments WHERE rowid = ?').run(row.rowid);
      where = { partition: row.partition, offset: row.last_offset + 1 };
    });
    expect(report.ok).toBe(false);
    expect(report.firstProblem).toMatchObject({ code: 'offset_gap', ...where });
  });

  it('finds records cut off the end of a partition that a consumer had already read', async () => {
    const report = await tampered((db) => {
      db.prepare(
        "INSERT INTO group_offsets (group_id, topic, partition, next_offset) SELECT 'paystream-projections', topic, partition, max(last_offset) + 1 FROM segments WHERE topic = ? GROUP BY partition",
      ).run(TOPICS.events);
      const last = db
        .prepare(
          'SELECT rowid FROM segments WHERE topic = ? AND partition = 0 ORDER BY last_offset DESC LIMIT 1',
        )
        .get(TOPICS.events) as { rowid: number };
      db.prepare('DELETE FROM segments WHERE rowid = ?').run(last.rowid);
    });
    // verifyAudit is told which groups to hold the log to.
    expect(report.ok).toBe(true);
    const path = join(dir, `copy-${n}.db`);
    const log = new SqliteEventLog({ path });
    try {
      const strict = await verifyAudit({
        log,
        codec: t.engines.bus.codec,
        groups: ['paystream-projections'],
      });
      expect(strict.ok).toBe(false);
      expect(strict.firstProblem).toMatchObject({ code: 'truncated', partition: 0 });
    } finally {
      await log.close();
    }
  });

  it('finds two events of one aggregate swapped', async () => {
    let partition = -1;
    let swappedAt = -1;
    const report = await tampered((db) => {
      const rows = db
        .prepare(
          'SELECT rowid, partition, base_offset, last_offset, records FROM segments WHERE topic = ? ORDER BY partition, base_offset',
        )
        .all(TOPICS.events) as SegmentRow[];
      for (const row of rows) {
        const records = decodeRaw(row.records);
        const i = records.findIndex((r, j) => j > 0 && records[j - 1]!.key === r.key);
        if (i < 0) continue;
        [records[i - 1], records[i]] = [records[i]!, records[i - 1]!];
        rewrite(db, row, records);
        partition = row.partition;
        swappedAt = row.base_offset + i - 1;
        return;
      }
      throw new Error('no aggregate with two adjacent events');
    });
    expect(report.ok).toBe(false);
    expect(report.firstProblem).toMatchObject({ partition, offset: swappedAt });
    expect(['version_gap', 'version_order', 'chain_broken']).toContain(report.firstProblem?.code);
  });
});
