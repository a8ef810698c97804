// A position is a set of topic-partition offsets: "everything before these offsets". Commands
// return one so a reader can wait until projections have caught up (read-your-writes).

import { PaystreamError } from '@paystream/core';
import type { RecordPosition } from './port.js';

/** Map of `topic/partition` to the next offset (last seen offset + 1). */
export type Position = Readonly<Record<string, number>>;

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** The position just after all of `records`. */
export function positionAfter(records: readonly RecordPosition[]): Position {
  const out: Record<string, number> = {};
  for (const r of records) {
    const k = partitionKey(r.topic, r.partition);
    out[k] = Math.max(out[k] ?? 0, r.offset + 1);
  }
  return out;
}

export function mergePositions(a: Position, b: Position): Position {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/** True when `reached` is at or past `target` on every partition `target` names. */
export function covers(reached: Position, target: Position): boolean {
  return Object.entries(target).every(([k, v]) => (reached[k] ?? 0) >= v);
}

/** Compact, URL-safe token: `topic/partition:offset` joined by commas, base64url-encoded. */
export function encodePosition(p: Position): string {
  const text = Object.entries(p)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function decodePosition(token: string): Position {
  const bad = () => new PaystreamError('invalid_position', 'position token is malformed', 'after');
  if (!/^[A-Za-z0-9_-]*$/.test(token) || token.length > 8192) throw bad();
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const out: Record<string, number> = {};
  if (text === '') return out;
  for (const part of text.split(',')) {
    const m = /^([A-Za-z0-9._-]+\/\d+):(\d{1,15})$/.exec(part);
    if (!m) throw bad();
    out[m[1]!] = Number(m[2]);
  }
  return out;
}
