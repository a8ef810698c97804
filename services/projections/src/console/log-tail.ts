// The newest events of a tenant, read from the log itself (the console's live tail, journal and
// notifications of change), and the dead-letter topic's newest records with their reasons.
// Bounded: at most TAIL_RECORDS_PER_PARTITION records are read back per partition.

import { TOPICS } from '@paystream/eventing';
import type { EventLog } from '@paystream/log';
import type { Envelope, EnvelopeCodec } from '@paystream/schemas';

export const TAIL_RECORDS_PER_PARTITION = 500;
export const MAX_TAIL_EVENTS = 200;

export interface TailDeps {
  readonly log: EventLog;
  readonly codec: EnvelopeCodec;
}

export interface TailEvent {
  readonly envelope: Envelope;
  readonly partition: number;
  readonly offset: number;
}

async function newest(log: EventLog, topic: string, perPartition: number) {
  const end = await log.endPosition([topic]);
  const partitions = await log.partitionsOf(topic);
  const out = [];
  for (let p = 0; p < partitions; p++) {
    const last = end[`${topic}/${p}`] ?? 0;
    if (last === 0) continue;
    out.push(...(await log.read(topic, p, Math.max(0, last - perPartition), perPartition)));
  }
  return out;
}

/** The tenant's newest events (newest first), optionally of some types only. */
export async function tailEvents(
  deps: TailDeps,
  tenantId: string,
  opts: { types: ReadonlySet<string> | null; limit: number },
): Promise<TailEvent[]> {
  const records = await newest(deps.log, TOPICS.events, TAIL_RECORDS_PER_PARTITION);
  const out: TailEvent[] = [];
  for (const r of records) {
    // Filter on the type header before decoding where the producer set it.
    const type = r.headers.type;
    if (opts.types !== null && type !== undefined && !opts.types.has(type)) continue;
    try {
      await deps.codec.prepare([r.value]);
      const envelope = deps.codec.decode(r.value);
      if (envelope.tenantId !== tenantId) continue;
      if (opts.types !== null && !opts.types.has(envelope.type)) continue;
      out.push({ envelope, partition: r.partition, offset: r.offset });
    } catch {
      // An undecodable record is the dead-letter topic's business (shown on Infrastructure).
    }
  }
  out.sort((a, b) => b.envelope.occurredAtMs - a.envelope.occurredAtMs || b.offset - a.offset);
  return out.slice(0, opts.limit);
}

export interface DeadLetter {
  readonly offset: number;
  readonly reason: string;
  readonly sourceTopic: string | null;
  readonly sourcePartition: number | null;
  readonly sourceOffset: number | null;
  readonly type: string | null;
  readonly at: string | null;
}

/** The tenant of a dead letter when its record decodes; null when it does not. */
async function tenantOfRecord(codec: EnvelopeCodec, value: Buffer): Promise<string | null> {
  try {
    await codec.prepare([value]);
    return codec.decode(value).tenantId;
  } catch {
    return null;
  }
}

/**
 * The newest dead letters with their reasons, never their payloads: another tenant's are left
 * out; one that does not decode names no tenant and is shown (its reason is all there is).
 */
export async function deadLetters(
  deps: TailDeps,
  tenantId: string,
  limit: number,
): Promise<{ total: number; newest: DeadLetter[] }> {
  const end = await deps.log.endPosition([TOPICS.deadLetter]);
  const total = Object.values(end).reduce((a, b) => a + b, 0);
  const records = [];
  for (const r of await newest(deps.log, TOPICS.deadLetter, TAIL_RECORDS_PER_PARTITION)) {
    const owner = await tenantOfRecord(deps.codec, r.value);
    if (owner === null || owner === tenantId) records.push(r);
  }
  const num = (s: string | undefined) => (s === undefined || !/^\d+$/.test(s) ? null : Number(s));
  return {
    total,
    newest: records
      .map((r) => ({
        offset: r.offset,
        reason: r.headers.reason ?? 'no reason recorded',
        sourceTopic: r.headers['source-topic'] ?? null,
        sourcePartition: num(r.headers['source-partition']),
        sourceOffset: num(r.headers['source-offset']),
        type: r.headers.type ?? null,
        at: typeof r.timestampMs === 'number' ? new Date(r.timestampMs).toISOString() : null,
      }))
      .reverse()
      .slice(0, limit),
  };
}

/** Consumer groups of the services and the topics each reads. */
export const CONSUMER_GROUPS: readonly { group: string; service: string; topics: readonly string[] }[] = [
  { group: 'paystream-escrow', service: 'escrow', topics: [TOPICS.commands] },
  { group: 'paystream-escrow-vault', service: 'escrow', topics: [TOPICS.events] },
  { group: 'paystream-fraud', service: 'fraud', topics: [TOPICS.events] },
  { group: 'paystream-projections', service: 'projections', topics: [TOPICS.events] },
  { group: 'paystream-ach-batcher', service: 'ach-batcher', topics: [TOPICS.events] },
  { group: 'paystream-ach-batcher-control', service: 'ach-batcher', topics: ['paystream.ach.control'] },
  { group: 'paystream-ingest-inbound', service: 'ingest', topics: [TOPICS.inbound] },
];

/** Records each group has yet to process, summed over its topics' partitions. */
export async function consumerLag(log: EventLog) {
  return await Promise.all(
    CONSUMER_GROUPS.map(async (g) => {
      try {
        const [end, committed] = await Promise.all([
          log.endPosition(g.topics),
          log.committed(g.group, g.topics),
        ]);
        let lag = 0;
        let maxPartitionLag = 0;
        for (const [k, v] of Object.entries(end)) {
          const l = Math.max(0, v - (committed[k] ?? 0));
          lag += l;
          maxPartitionLag = Math.max(maxPartitionLag, l);
        }
        return { ...g, lag, maxPartitionLag, error: null };
      } catch (err) {
        return { ...g, lag: null, maxPartitionLag: null, error: (err as Error).message };
      }
    }),
  );
}
