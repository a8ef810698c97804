// For the specs that run a whole Kafka-mode stack on the integration broker.

import { ACH_CONTROL_TOPIC, CONTROL_GROUP, EVENTS_GROUP } from '@paystream/ach-batcher';
import { INBOUND_GROUP } from '@paystream/ingest';
import { KafkaEventLog } from '@paystream/log/kafka';
import { PROJECTIONS_GROUP } from '@paystream/projections';
import { WEBHOOKS_GROUP } from '@paystream/webhooks';
import { Kafka, logLevel } from 'kafkajs';

/** Every consumer group of the services and the topic it reads. */
const GROUPS: readonly (readonly [group: string, topic: string])[] = [
  [INBOUND_GROUP, 'paystream.inbound'],
  ['paystream-escrow', 'paystream.commands'],
  ['paystream-escrow-vault', 'paystream.events'],
  ['paystream-fraud', 'paystream.events'],
  [PROJECTIONS_GROUP, 'paystream.events'],
  [EVENTS_GROUP, 'paystream.events'],
  [CONTROL_GROUP, ACH_CONTROL_TOPIC],
  [WEBHOOKS_GROUP, 'paystream.events'],
];

/**
 * Moves the services' consumer groups to the end of their topics, with the event log's own
 * seekGroup, before a stack starts. The broker is shared with the other integration specs,
 * whose records this stack has no business with and may not be able to process: other tenants,
 * a generated history whose payments reference cards never tokenized (the fraud service waits
 * for those forever), aggregates cut off where an earlier stack stopped. A group that does not
 * exist yet would start at the beginning, so it is moved too. A group with running members
 * (another stack on a shared broker) is left as it is.
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
    const topics = new Set(await admin.listTopics());
    for (const [group, topic] of GROUPS) {
      if (!topics.has(topic)) continue; // a fresh broker: the stack creates it, empty
      await log.seekGroup(group, topic, 'end').catch((err: unknown) => {
        console.warn(`left ${group} on ${topic} as it is: ${String(err)}`);
      });
    }
  } finally {
    await admin.disconnect();
    await log.close();
  }
}
