// An aggregate's full history, in log order, with each event's chain checked: what
// GET /v1/audit/events?aggregateId= returns. Events are keyed by aggregate id, so the history
// is in one partition; it is read back from the log itself (filtering on the record key before
// decoding), so the history shown is the log's, not a copy a read model could get wrong.
// Reading a partition is O(partition); MAX_SCANNED_RECORDS bounds one request.

import { GENESIS_HASH, PaystreamError } from '@paystream/core';
import { TOPICS } from '@paystream/eventing';
import { type EventLog, partitionFor } from '@paystream/log';
import type { Envelope, EnvelopeCodec } from '@paystream/schemas';

export interface HistoryEvent {
  readonly envelope: Envelope;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Hash recomputes and links to the previous event (genesis for version 1). */
  readonly verified: boolean;
}

export const MAX_SCANNED_RECORDS = 5_000_000;
const READ_BATCH = 10_000;

/** The aggregate's events, or [] if it has none; null if they belong to another tenant. */
export async function aggregateHistory(
  deps: { log: EventLog; codec: EnvelopeCodec },
  tenantId: string,
  aggregateId: string,
): Promise<HistoryEvent[] | null> {
  const topic = TOPICS.events;
  const partition = partitionFor(aggregateId, await deps.log.partitionsOf(topic));
  const end = (await deps.log.endPosition([topic]))[`${topic}/${partition}`] ?? 0;
  const out: HistoryEvent[] = [];
  let prevHash = GENESIS_HASH;
  let prevVersion = 0;
  let scanned = 0;
  let from = 0;
  while (from < end) {
    const records = await deps.log.read(topic, partition, from, READ_BATCH);
    if (records.length === 0) break;
    scanned += records.length;
    if (scanned > MAX_SCANNED_RECORDS) {
      throw new PaystreamError(
        'history_too_large',
        `partition ${partition} is too large to scan in one request`,
      );
    }
    for (const r of records) {
      if (r.key !== aggregateId) continue;
      await deps.codec.prepare([r.value]);
      const envelope = deps.codec.decode(r.value);
      if (envelope.aggregateId !== aggregateId) continue;
      if (envelope.tenantId !== tenantId) return null;
      const verified =
        envelope.aggregateVersion === prevVersion + 1 &&
        envelope.prevHash === prevHash &&
        deps.codec.expectedHash(envelope) === envelope.hash;
      out.push({ envelope, topic, partition, offset: r.offset, verified });
      prevHash = envelope.hash;
      prevVersion = envelope.aggregateVersion;
    }
    from = records.at(-1)!.offset + 1;
  }
  return out;
}
