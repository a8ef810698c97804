// The topics of Paystream. Commands and events share the partition count and are keyed by
// aggregate id, so the processor that owns commands partition p is the only writer of the
// aggregates in events partition p.

import type { TopicSpec } from '@paystream/log';

export const TOPICS = {
  /** Requests to change an aggregate (Avro, keyed by aggregate id). */
  commands: 'paystream.commands',
  /** Facts (Avro, keyed by aggregate id, hash-chained per aggregate). */
  events: 'paystream.events',
  /** Raw JSON commands from upstream producers, validated by ingest. */
  inbound: 'paystream.inbound',
  /** What could not be processed, with the reason in headers. Never dropped silently. */
  deadLetter: 'paystream.deadletter',
} as const;

export const DEFAULT_PARTITIONS = 12;

export function topicSpecs(partitions = DEFAULT_PARTITIONS): TopicSpec[] {
  return [
    { name: TOPICS.commands, partitions },
    { name: TOPICS.events, partitions },
    { name: TOPICS.inbound, partitions },
    { name: TOPICS.deadLetter, partitions: 1 },
  ];
}
