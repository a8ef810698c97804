// Reads a range of a topic back in one deterministic order across partitions, for rebuilding
// state without publishing: a k-way merge of the partitions (each in offset order) by the
// event's own time, card facts before payments at the same instant, then partition and offset.
// The features use event time as their only clock, so this is the order they are meant to see;
// a consumer that keeps up with the log sees nearly the same order live (see README).

import { type EventLog, type LogRecord, type Position, partitionKey } from '@paystream/log';
import type { Envelope, EnvelopeCodec } from '@paystream/schemas';

export interface ReplayRecord {
  readonly envelope: Envelope;
  readonly record: LogRecord;
}

const READ_CHUNK = 500;

function rank(type: string): number {
  return type === 'CardTokenized' ? 0 : 1;
}

function before(a: ReplayRecord, b: ReplayRecord): boolean {
  const ea = a.envelope;
  const eb = b.envelope;
  if (ea.occurredAtMs !== eb.occurredAtMs) return ea.occurredAtMs < eb.occurredAtMs;
  if (rank(ea.type) !== rank(eb.type)) return rank(ea.type) < rank(eb.type);
  if (a.record.partition !== b.record.partition) return a.record.partition < b.record.partition;
  return a.record.offset < b.record.offset;
}

interface Cursor {
  readonly partition: number;
  next: number;
  readonly end: number;
  buffer: ReplayRecord[];
}

/**
 * Records of `types` in [from, to) of `topic`, merged across partitions. Records that do not
 * decode are skipped here (the live consumer dead-letters them).
 */
export async function* replayRange(
  log: EventLog,
  codec: EnvelopeCodec,
  topic: string,
  from: Position,
  to: Position,
  types: ReadonlySet<string>,
): AsyncGenerator<ReplayRecord> {
  const partitions = await log.partitionsOf(topic);
  const cursors: Cursor[] = [];
  for (let p = 0; p < partitions; p += 1) {
    const key = partitionKey(topic, p);
    const next = from[key] ?? 0;
    const end = to[key] ?? 0;
    if (next < end) cursors.push({ partition: p, next, end, buffer: [] });
  }

  const fill = async (c: Cursor): Promise<void> => {
    while (c.buffer.length === 0 && c.next < c.end) {
      const records = await log.read(topic, c.partition, c.next, Math.min(READ_CHUNK, c.end - c.next));
      if (records.length === 0) {
        c.next = c.end;
        return;
      }
      for (const r of records) {
        if (r.offset >= c.end) {
          c.next = c.end;
          break;
        }
        c.next = r.offset + 1;
        const type = r.headers.type;
        if (type !== undefined && !types.has(type)) continue;
        try {
          await codec.prepare([r.value]);
          const envelope = codec.decode(r.value);
          if (types.has(envelope.type)) c.buffer.push({ envelope, record: r });
        } catch {
          // undecodable: dead-lettered by the live consumer, nothing to rebuild from
        }
      }
    }
  };

  for (const c of cursors) await fill(c);
  for (;;) {
    let best: Cursor | undefined;
    for (const c of cursors) {
      const head = c.buffer[0];
      if (head !== undefined && (best === undefined || before(head, best.buffer[0]!))) best = c;
    }
    if (best === undefined) return;
    yield best.buffer.shift()!;
    if (best.buffer.length === 0) await fill(best);
  }
}
