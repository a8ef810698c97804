// The audit verifier: reads every record of the events topic and checks the tamper evidence.
//
//   per partition  offsets have no gaps (SQLite, where offsets are contiguous by construction;
//                  Kafka leaves gaps for transaction markers, so there only order is checked),
//                  start at the log's first offset, and reach every offset a consumer group has
//                  already committed (records cut off the end would otherwise go unnoticed);
//   per record     it decodes, its key is its aggregate id (so the aggregate lives in this
//                  partition), and its hash equals codec.expectedHash (nothing edited);
//   per aggregate  versions run 1, 2, 3… with no gap, repeat or reordering, and each event's
//                  prevHash is the previous event's hash (genesis for version 1).
//
// Aggregates are keyed to one partition, so chains are checked partition by partition and the
// memory held is one partition's aggregate heads.

import { GENESIS_HASH } from '@paystream/core';
import { TOPICS } from '@paystream/eventing';
import { type EventLog, partitionKey } from '@paystream/log';
import type { Envelope, EnvelopeCodec } from '@paystream/schemas';

export type AuditProblemCode =
  | 'unreadable'
  | 'offset_gap'
  | 'offset_order'
  | 'truncated'
  | 'undecodable'
  | 'wrong_partition'
  | 'hash_mismatch'
  | 'version_gap'
  | 'version_order'
  | 'chain_broken';

export interface AuditProblem {
  readonly code: AuditProblemCode;
  readonly message: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly aggregateId: string | null;
  readonly eventId: string | null;
  readonly type: string | null;
  readonly aggregateVersion: number | null;
}

export interface AuditReport {
  readonly ok: boolean;
  /** `platform`: the whole log; otherwise the tenant whose chains were verified. */
  readonly scope: 'platform' | { readonly tenantId: string };
  readonly topic: string;
  readonly events: number;
  readonly aggregates: number;
  readonly partitions: number;
  readonly elapsedMs: number;
  /** The first problem in log order (partition, then offset); null when everything verifies. */
  readonly firstProblem: AuditProblem | null;
  /** Up to MAX_REPORTED_PROBLEMS problems; `problemCount` counts them all. */
  readonly problems: readonly AuditProblem[];
  readonly problemCount: number;
}

export interface AuditOptions {
  readonly log: EventLog;
  readonly codec: EnvelopeCodec;
  readonly topic?: string;
  /** Consumer groups whose committed offsets the log must still reach. */
  readonly groups?: readonly string[];
  readonly onProgress?: (p: { events: number; partition: number; partitions: number }) => void;
  /**
   * Verify one tenant's chains only (a tenant admin's view): its events' hashes and its
   * aggregates' chains are checked and counted; problems that belong to no tenant (offset gaps,
   * undecodable records, truncation) and every other tenant's events are left to the platform
   * operator's full verification, so nothing of another tenant is counted or named.
   */
  readonly tenantId?: string;
}

export const MAX_REPORTED_PROBLEMS = 100;
const READ_BATCH = 5_000;

export async function verifyAudit(options: AuditOptions): Promise<AuditReport> {
  const { log, codec } = options;
  const topic = options.topic ?? TOPICS.events;
  const started = performance.now();
  const partitions = await log.partitionsOf(topic);
  const end = await log.endPosition([topic]);
  const contiguous = log.engine === 'sqlite';
  const tenant = options.tenantId ?? null;
  const problems: AuditProblem[] = [];
  let problemCount = 0;
  let events = 0;
  let aggregates = 0;
  const note = (p: AuditProblem) => {
    // A tenant sees only problems of its own events (those carry an event id, checked below).
    if (tenant !== null && p.eventId === null) return;
    problemCount += 1;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(p);
  };
  const committedByGroup = await Promise.all(
    (options.groups ?? []).map(async (g) => ({ group: g, at: await log.committed(g, [topic]) })),
  );
  // Read after the commits: a committed offset can never lie past the end of an intact log. In
  // Kafka, offsets also count transaction markers, so the end is the high watermark there, not
  // the last record + 1.
  const endOfLog = await log.endPosition([topic]);

  for (let partition = 0; partition < partitions; partition++) {
    const k = partitionKey(topic, partition);
    const heads = new Map<string, { version: number; hash: string }>();
    const at = (offset: number, e: Envelope | null) => ({
      topic,
      partition,
      offset,
      aggregateId: e?.aggregateId ?? null,
      eventId: e?.eventId ?? null,
      type: e?.type ?? null,
      aggregateVersion: e?.aggregateVersion ?? null,
    });
    let expected = 0;
    let last = -1;
    let from = 0;
    const high = end[k] ?? 0;
    while (from < high) {
      let records: Awaited<ReturnType<EventLog['read']>>;
      try {
        records = await log.read(topic, partition, from, READ_BATCH);
      } catch (err) {
        note({
          ...at(from, null),
          code: 'unreadable',
          message: `records from offset ${from} cannot be read: ${(err as Error).message}`,
        });
        break;
      }
      if (records.length === 0) break;
      for (const r of records) {
        if (r.offset <= last) {
          note({
            ...at(r.offset, null),
            code: 'offset_order',
            message: `offset ${r.offset} follows offset ${last}`,
          });
        } else if (contiguous && r.offset !== expected) {
          note({
            ...at(r.offset, null),
            code: 'offset_gap',
            message: `offsets ${expected}..${r.offset - 1} are missing`,
          });
        }
        last = Math.max(last, r.offset);
        expected = r.offset + 1;
        if (tenant === null) events += 1;
        let e: Envelope;
        try {
          await codec.prepare([r.value]);
          e = codec.decode(r.value);
        } catch (err) {
          note({
            ...at(r.offset, null),
            code: 'undecodable',
            message: `record does not decode: ${(err as Error).message}`,
          });
          continue;
        }
        if (tenant !== null) {
          if (e.tenantId !== tenant) continue;
          events += 1;
        }
        if (r.key !== e.aggregateId) {
          note({
            ...at(r.offset, e),
            code: 'wrong_partition',
            message: `record key ${r.key} is not its aggregate id`,
          });
        }
        if (codec.expectedHash(e) !== e.hash) {
          note({
            ...at(r.offset, e),
            code: 'hash_mismatch',
            message: 'the stored hash does not match the event: it was altered',
          });
        }
        const head = heads.get(e.aggregateId);
        if (!head) aggregates += 1;
        const prevVersion = head?.version ?? 0;
        const prevHash = head?.hash ?? GENESIS_HASH;
        if (e.aggregateVersion <= prevVersion) {
          note({
            ...at(r.offset, e),
            code: 'version_order',
            message: `version ${e.aggregateVersion} after version ${prevVersion}: repeated or reordered`,
          });
        } else if (e.aggregateVersion !== prevVersion + 1) {
          note({
            ...at(r.offset, e),
            code: 'version_gap',
            message: `version ${e.aggregateVersion} follows version ${prevVersion}: events are missing`,
          });
        } else if (e.prevHash !== prevHash) {
          note({
            ...at(r.offset, e),
            code: 'chain_broken',
            message: `prevHash does not link to version ${prevVersion}'s hash`,
          });
        }
        if (e.aggregateVersion > prevVersion)
          heads.set(e.aggregateId, { version: e.aggregateVersion, hash: e.hash });
      }
      from = records.at(-1)!.offset + 1;
      options.onProgress?.({ events, partition, partitions });
    }
    const logEnd = contiguous ? expected : (endOfLog[k] ?? 0);
    for (const { group, at: committed } of committedByGroup) {
      const c = committed[k] ?? 0;
      if (c > logEnd) {
        note({
          ...at(logEnd, null),
          code: 'truncated',
          message: `group ${group} consumed up to offset ${c - 1}, but the partition ends at ${logEnd - 1}: records were removed`,
        });
      }
    }
  }
  const ordered = [...problems].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return {
    ok: problemCount === 0,
    scope: tenant === null ? 'platform' : { tenantId: tenant },
    topic,
    events,
    aggregates,
    partitions,
    elapsedMs: Math.round(performance.now() - started),
    firstProblem: ordered[0] ?? null,
    problems: ordered,
    problemCount,
  };
}

/** What `npx paystream audit verify` and GET /v1/audit/verify run: the events topic, held to the projections' committed offsets. */
export async function verifyEventLog(
  engines: { log: EventLog; bus: { codec: EnvelopeCodec } },
  onProgress?: AuditOptions['onProgress'],
  tenantId?: string,
): Promise<AuditReport> {
  return await verifyAudit({
    log: engines.log,
    codec: engines.bus.codec,
    topic: TOPICS.events,
    groups: ['paystream-projections'],
    ...(onProgress ? { onProgress } : {}),
    ...(tenantId === undefined ? {} : { tenantId }),
  });
}
