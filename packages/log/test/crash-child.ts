// A process that appends and consume-transform-produces at full speed until it is killed.
// The crash test SIGKILLs it mid-batch and then checks what survived.
//
//   node --import tsx crash-child.ts <engine> <connection> <ackFile> <firstFile> <mode>
//   engine: sqlite (connection = file path) | kafka (connection = comma-separated brokers)
//   mode: produce+consume | consume
//
// An append counts as acknowledged only once its numbers are fsynced to <ackFile>; the first
// offset the consumer sees per partition is written to <firstFile>.

import { fsyncSync, openSync, writeSync } from 'node:fs';
import type { EventLog } from '../src/port.js';
import { SqliteEventLog } from '../src/sqlite/sqlite-event-log.js';
import { GROUP, IN, OUT, PARTITIONS } from './crash-topics.js';

async function openLog(engine: string, connection: string): Promise<EventLog> {
  if (engine === 'sqlite') return new SqliteEventLog({ path: connection });
  if (engine === 'kafka') {
    const { KafkaEventLog } = await import('../src/kafka/kafka-event-log.js');
    // A short session timeout so the restarted member takes over the killed one's partitions soon.
    return new KafkaEventLog({
      brokers: connection.split(','),
      clientId: 'crash-child',
      sessionTimeoutMs: 10_000,
    });
  }
  throw new Error(`unknown engine ${engine}`);
}

async function main(): Promise<void> {
  const [engine, connection, ackFile, firstFile, mode] = process.argv.slice(2);
  if (!engine || !connection || !ackFile || !firstFile || !mode) throw new Error('usage: see header');
  const log = await openLog(engine, connection);
  await log.createTopics([
    { name: IN, partitions: PARTITIONS },
    { name: OUT, partitions: PARTITIONS },
  ]);
  const firstFd = openSync(firstFile, 'a');
  const firstSeen = new Set<number>();
  await log.subscribe({ groupId: GROUP, topics: [IN], maxBatchRecords: 50 }, async (batch, ctx) => {
    if (!firstSeen.has(batch.partition)) {
      firstSeen.add(batch.partition);
      writeSync(firstFd, `${batch.partition} ${batch.records[0]!.offset}\n`);
      fsyncSync(firstFd);
    }
    ctx.append(batch.records.map((r) => ({ topic: OUT, key: r.key, value: r.value })));
  });
  process.send?.('ready');
  if (mode !== 'produce+consume') return;
  const ackFd = openSync(ackFile, 'a');
  for (let n = Number(process.env.CRASH_START ?? 0); ; n += 100) {
    const batch = Array.from({ length: 100 }, (_, i) => ({
      topic: IN,
      key: `pay_${(n + i) % 97}`,
      value: Buffer.from(String(n + i)),
    }));
    await log.append(batch);
    writeSync(ackFd, `${n}\n`);
    fsyncSync(ackFd);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
