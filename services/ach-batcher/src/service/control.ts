// The batcher's control topic: "close the windows due by T" and "apply this return file" are
// appended here, by whichever replica, timer, HTTP request or CLI asks, and applied by the one
// member of the control group that owns its single partition. One partition means one writer,
// in order: two replicas asking to close the same window produce two commands, and the second
// finds the window already closed. Records are JSON (a private operational topic, like the
// inbound topic), never carrying an account number: a return file travels as an object-store
// key of its sealed copy.
//
// Outboxes: before a command changes any state, everything it will write — the events and the
// state mutations — is computed and stored as one object keyed by the command id (first writer
// wins). Then the mutations are applied (each version-checked, so re-applying is a no-op) and
// the events are appended atomically with the command's offset. A redelivered command finds its
// outbox and replays exactly the same events: netting, trace numbers and ids cannot drift.

import { PaystreamError } from '@paystream/core';
import type { OutRecord, Position } from '@paystream/log';
import type { Item, JsonValue } from '@paystream/readstore';

export const ACH_CONTROL_TOPIC = 'paystream.ach.control';
/** Consumer group on TOPICS.events: maintains accounts and pending releases. */
export const EVENTS_GROUP = 'paystream-ach-batcher';
/** Consumer group on the control topic: closes windows, settles, applies returns. */
export const CONTROL_GROUP = 'paystream-ach-batcher-control';
const CONTROL_KEY = 'ach';

export type CloseSource = 'timer' | 'http' | 'cli';

interface CommandBase {
  readonly v: 1;
  readonly commandId: string;
  readonly requestedAtMs: number;
  /** The events topic's end when the command was made: applied only once the events group passed it. */
  readonly eventsPosition: Position;
}

export interface CloseCommand extends CommandBase {
  readonly kind: 'close';
  /** Close every window whose deadline is at or before this instant, and settle what is due. */
  readonly upToMs: number;
  /** Also close the window still open at upToMs, early, with upToMs as its cut-off. */
  readonly includeOpen: boolean;
  readonly source: CloseSource;
  /**
   * Set when a tenant's admin asks: only that tenant's releases are paid out and only its
   * windows are marked closed (`<windowId>#<tenantId>`). Absent for the platform (timer, CLI,
   * an operator key): every tenant.
   */
  readonly tenantId?: string;
}

export interface ReturnsCommand extends CommandBase {
  readonly kind: 'returns';
  readonly tenantId: string;
  /** Object-store key of the sealed return file. */
  readonly objectKey: string;
  readonly fileSha256: string;
}

export type ControlCommand = CloseCommand | ReturnsCommand;

export function commandRecord(c: ControlCommand): OutRecord {
  return {
    topic: ACH_CONTROL_TOPIC,
    key: CONTROL_KEY,
    value: Buffer.from(JSON.stringify(c), 'utf8'),
    headers: { kind: c.kind, 'command-id': c.commandId },
  };
}

function invalid(message: string): PaystreamError {
  return new PaystreamError('invalid_control_command', message);
}

function isPosition(v: unknown): v is Position {
  return (
    typeof v === 'object' &&
    v !== null &&
    Object.values(v).every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  );
}

export function decodeCommand(value: Buffer): ControlCommand {
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString('utf8'));
  } catch {
    throw invalid('control record is not JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw invalid('control record is not an object');
  const c = raw as Record<string, unknown>;
  if (c.v !== 1) throw invalid(`unknown control record version ${String(c.v)}`);
  if (typeof c.commandId !== 'string' || !/^[A-Za-z0-9_-]{8,80}$/.test(c.commandId))
    throw invalid('commandId is missing or malformed');
  if (typeof c.requestedAtMs !== 'number' || !Number.isSafeInteger(c.requestedAtMs))
    throw invalid('requestedAtMs must be epoch ms');
  if (!isPosition(c.eventsPosition)) throw invalid('eventsPosition must be a position');
  if (c.kind === 'close') {
    if (typeof c.upToMs !== 'number' || !Number.isSafeInteger(c.upToMs))
      throw invalid('upToMs must be epoch ms');
    if (typeof c.includeOpen !== 'boolean') throw invalid('includeOpen must be a boolean');
    if (c.source !== 'timer' && c.source !== 'http' && c.source !== 'cli') throw invalid('unknown source');
    if (c.tenantId !== undefined && (typeof c.tenantId !== 'string' || c.tenantId === ''))
      throw invalid('tenantId must be a non-empty string when present');
    return c as unknown as CloseCommand;
  }
  if (c.kind === 'returns') {
    for (const f of ['tenantId', 'objectKey', 'fileSha256'] as const) {
      if (typeof c[f] !== 'string' || c[f] === '') throw invalid(`${f} is required`);
    }
    return c as unknown as ReturnsCommand;
  }
  throw invalid(`unknown control command kind ${JSON.stringify(c.kind)}`);
}

/** A state mutation, stored in the outbox and applied idempotently. */
export type StateOp =
  | { readonly op: 'put'; readonly table: string; readonly item: Item; readonly version: number }
  /** Releases taken by one payout of a window (claimed = version 2, out of the pending index). */
  | {
      readonly op: 'claim';
      readonly windowId: string;
      readonly bankAccountId: string;
      readonly releaseIds: readonly string[];
    };

export interface StoredRecord {
  readonly topic: string;
  readonly key: string;
  /** base64 of the Avro-encoded envelope. */
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Outbox {
  readonly v: 1;
  readonly commandId: string;
  readonly kind: ControlCommand['kind'];
  readonly records: readonly StoredRecord[];
  readonly ops: readonly StateOp[];
  /** What the caller is told: the close summary or the returns summary. */
  readonly result: JsonValue;
}

export const outboxKey = (commandId: string): string => `ach/control/${commandId}.json`;

export function storeRecord(r: OutRecord): StoredRecord {
  return {
    topic: r.topic,
    key: r.key,
    value: Buffer.from(r.value).toString('base64'),
    headers: { ...(r.headers ?? {}) },
  };
}

export function loadRecord(r: StoredRecord): OutRecord {
  return { topic: r.topic, key: r.key, value: Buffer.from(r.value, 'base64'), headers: r.headers };
}
