// For the specs that run a whole Kafka-mode stack on the integration broker.

import { KafkaEventLog } from '@paystream/log/kafka';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Moves Paystream's consumer groups to the end of the topics they read, with the event log's own
 * seekGroup. The broker is shared with the other integration specs, whose records this stack has
 * no business with and may not be able to process: other tenants, payments whose cards it never
 * saw, aggregates cut off where an earlier stack stopped. A group with running members (another
 * stack on a shared broker) is left as it is.
 */
export async function startGroupsAtTheEnd(brokers: string): Promise<void> {
  const admin = new Kafka({
    brokers: brokers.split(','),
    clientId: 'paystream-test-seek',
    logLevel: logLevel.NOTHING,
  }).admin();
  const log = new KafkaEventLog({ brokers: brokers.split(',') });
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith('paystream.'));
    const { groups } = await admin.listGroups();
    for (const { groupId } of groups.filter((g) => g.groupId.startsWith('paystream-'))) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
        if (partitions.every((p) => p.offset === '-1')) continue; // not a topic this group reads
        await log.seekGroup(groupId, topic, 'end').catch((err: unknown) => {
          console.warn(`left ${groupId} on ${topic} as it is: ${String(err)}`);
        });
      }
    }
  } finally {
    await admin.disconnect();
    await log.close();
  }
}
