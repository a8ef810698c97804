// The Kafka topics, mirroring packages/eventing/src/topics.ts (topicSpecs): the services call
// createTopics at start and refuse to run when a topic exists with another partition count
// ("partition counts cannot change (keys would move)"), so these numbers must be the same.
// deploy/test/stack.spec.ts compares them with topicSpecs().

export const DEFAULT_PARTITIONS = 12;

export interface TopicDef {
  readonly name: string;
  readonly partitions: number;
}

export function topicDefs(partitions = DEFAULT_PARTITIONS): TopicDef[] {
  return [
    { name: 'paystream.commands', partitions },
    { name: 'paystream.events', partitions },
    { name: 'paystream.inbound', partitions },
    // One partition: dead letters are rare and read in order by an operator.
    { name: 'paystream.deadletter', partitions: 1 },
  ];
}
