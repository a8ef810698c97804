// A bulk read of the embedded log for replay: opens the log's SQLite file read-only (its own
// connection, so a rebuild never contends with the live log's statements) and walks one
// partition's segments in offset order, a page of segments per query.
//
// Why not decodeSegment: it builds a LogRecord per record, with the key as a string, the headers
// parsed from JSON and the value copied; replay needs none of that but the value bytes, and
// those three cost more than the SQLite read itself (~2 µs per record). walkSegment reads the
// same packed layout (segments.ts owns it; sqlite-scan.spec.ts checks the two agree on
// encodeSegment's output) and hands out views of the value bytes in place.

import { PaystreamError } from '@paystream/core';
import Database from 'better-sqlite3';
import type { SegmentRow } from '../../../../packages/log/src/sqlite/segments.js';

/** Segments per query: each holds at most 1,000 records, so a page bounds memory (~64k records). */
export const SCAN_PAGE_SEGMENTS = 64;

/** The records of one page, as offsets and views of their value bytes (valid while the page is). */
export interface ScannedRecords {
  readonly count: number;
  readonly offsets: Float64Array;
  readonly values: Buffer[];
}

/**
 * Calls `visit(offset, value)` for the records of a segment with from <= offset < end, in
 * order; `value` is a view into the row's bytes. Checks the layout as it goes: offsets must run
 * base_offset..last_offset without a gap and the records must fill the segment exactly.
 */
export function walkSegment(
  row: SegmentRow,
  from: number,
  end: number,
  visit: (offset: number, value: Buffer) => void,
): void {
  const b = row.records;
  const corrupt = (what: string) =>
    new PaystreamError(
      'corrupt_segment',
      `segment ${row.topic}/${row.partition}@${row.base_offset}: ${what}`,
    );
  let at = 0;
  let expected = row.base_offset;
  while (at < b.length) {
    if (at + 6 > b.length) throw corrupt('is truncated');
    const offset = row.base_offset + b.readUInt32BE(at);
    if (offset !== expected) throw corrupt(`record ${offset} where ${expected} was expected`);
    expected += 1;
    at += 6 + b.readUInt16BE(at + 4);
    if (at + 4 > b.length) throw corrupt('is truncated');
    at += 4 + b.readUInt32BE(at);
    if (at + 4 > b.length) throw corrupt('is truncated');
    const vLen = b.readUInt32BE(at);
    at += 4;
    if (at + vLen > b.length) throw corrupt('is truncated');
    if (offset >= from && offset < end) visit(offset, b.subarray(at, at + vLen));
    at += vLen;
  }
  if (expected !== row.last_offset + 1) throw corrupt(`ends at ${expected - 1}, not ${row.last_offset}`);
}

export class SqliteLogScan {
  readonly #db: Database.Database;
  readonly #page: Database.Statement;

  constructor(path: string) {
    this.#db = new Database(path, { readonly: true, fileMustExist: true });
    this.#page = this.#db.prepare(
      'SELECT topic, partition, base_offset, last_offset, ts, records FROM segments ' +
        'WHERE topic = ? AND partition = ? AND last_offset >= ? ORDER BY last_offset LIMIT ?',
    );
  }

  /**
   * The records of one partition with fromOffset <= offset < endOffset, in offset order, a page
   * of segments at a time. Offsets of the embedded log are dense, so a gap is corruption.
   */
  *records(
    topic: string,
    partition: number,
    fromOffset: number,
    endOffset: number,
  ): Generator<ScannedRecords> {
    let from = fromOffset;
    while (from < endOffset) {
      const rows = this.#page.all(topic, partition, from, SCAN_PAGE_SEGMENTS) as SegmentRow[];
      if (rows.length === 0) return;
      let capacity = 0;
      for (const row of rows) capacity += row.last_offset - row.base_offset + 1;
      const offsets = new Float64Array(capacity);
      const values: Buffer[] = [];
      let next = from;
      const visit = (offset: number, value: Buffer) => {
        if (offset !== next) {
          throw new PaystreamError(
            'corrupt_segment',
            `${topic}/${partition}: expected offset ${next}, found ${offset}`,
          );
        }
        offsets[values.length] = offset;
        values.push(value);
        next += 1;
      };
      for (const row of rows) {
        if (row.base_offset >= endOffset) break;
        walkSegment(row, from, endOffset, visit);
      }
      if (values.length > 0) yield { count: values.length, offsets, values };
      const last = rows.at(-1)!.last_offset;
      if (rows.length < SCAN_PAGE_SEGMENTS) return;
      from = last + 1;
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
