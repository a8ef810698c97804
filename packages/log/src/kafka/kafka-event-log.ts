// The Kafka adapter of the event-log port (kafkajs 2.2.4).
//
// append   — one idempotent producer (acks=all, maxInFlightRequests=1), explicit partitions from
//            partitionFor() so both engines place a key identically. Concurrent appends are
//            coalesced into one produce request (group commit); a record's offset is the
//            partition's baseOffset in the response plus its index in that partition's batch.
// subscribe — see subscription.ts: eachBatch + a transactional producer per input partition, so
//            the handler's staged outputs and the batch's offsets commit atomically.
// offsets  — committed / endPosition / seekGroup / waitForGroup through the admin client.
// read     — a short-lived consumer in a throwaway group (kafkajs has no groupless fetch API);
//            slow (a group join), which is fine for audit and replay.

import { randomUUID } from 'node:crypto';
import { type Admin, Kafka, type Producer, type RecordMetadata, type TopicMessages } from 'kafkajs';
import { partitionFor } from '../partitioner.js';
import type {
  BatchHandler,
  EventLog,
  LogRecord,
  OutRecord,
  RecordPosition,
  SeekTarget,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from '../port.js';
import { covers, type Position, partitionKey } from '../position.js';
import {
  defaultSink,
  errorText,
  type KafkaEventLogOptions,
  type KafkaLogSink,
  kafkajsLevel,
  logCreatorFor,
  MAX_RECORD_BYTES,
  MAX_REQUEST_BYTES,
  MAX_RETRY_TIME_MS,
  PRODUCER_RETRIES,
  recordBytes,
  retrying,
  toLogRecord,
  toMessage,
  transactionalIdFor,
} from './kafka-options.js';
import { KafkaSubscription } from './subscription.js';

interface PendingAppend {
  readonly records: readonly OutRecord[];
  readonly partitions: number[];
  readonly positions: RecordPosition[];
  done: number;
  resolve(p: RecordPosition[]): void;
  reject(e: Error): void;
}

/** Where one record of a produce request came from. */
interface Slot {
  readonly item: PendingAppend;
  readonly index: number;
}

/** How long a seek may take to become visible to OffsetFetch (transaction markers are async). */
const SEEK_VISIBLE_TIMEOUT_MS = 15_000;

export class KafkaEventLog implements EventLog {
  readonly engine = 'kafka' as const;
  readonly kafka: Kafka;
  readonly sink: KafkaLogSink;
  readonly options: KafkaEventLogOptions;
  private readonly admin: Admin;
  private adminConnected: Promise<void> | undefined;
  private producer: Producer | undefined;
  private producerConnected: Promise<void> | undefined;
  private readonly partitionCounts = new Map<string, number>();
  private readonly queue: PendingAppend[] = [];
  private flushing = false;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private closed = false;

  constructor(options: KafkaEventLogOptions) {
    if (options.brokers.length === 0)
      throw new Error('KafkaEventLog needs at least one broker (KAFKA_BROKERS is empty)');
    this.options = options;
    this.sink = options.logger ?? defaultSink;
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'paystream',
      brokers: [...options.brokers],
      logLevel: kafkajsLevel(options.logLevel),
      logCreator: logCreatorFor(this.sink),
      connectionTimeout: 5_000,
      requestTimeout: 30_000,
      retry: { retries: PRODUCER_RETRIES, maxRetryTime: MAX_RETRY_TIME_MS },
      ...(options.ssl ? { ssl: true } : {}),
      ...(options.sasl ? { sasl: options.sasl } : {}),
    });
    this.admin = this.kafka.admin();
  }

  // ---- connections -------------------------------------------------------------------------

  /** The shared admin client, connected on first use. */
  async adminClient(): Promise<Admin> {
    this.assertOpen();
    this.adminConnected ??= this.admin.connect().catch((err: unknown) => {
      this.adminConnected = undefined;
      throw new Error(`cannot reach Kafka at ${this.options.brokers.join(',')}: ${errorText(err)}`);
    });
    await this.adminConnected;
    return this.admin;
  }

  private async appendProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        // kafkajs only guarantees ordering + no duplicates for an idempotent producer with one
        // request in flight per broker.
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: PRODUCER_RETRIES, maxRetryTime: MAX_RETRY_TIME_MS },
      });
      this.producer = producer;
      this.producerConnected = producer.connect().catch((err: unknown) => {
        if (this.producer === producer) {
          this.producer = undefined;
          this.producerConnected = undefined;
        }
        throw new Error(`cannot reach Kafka at ${this.options.brokers.join(',')}: ${errorText(err)}`);
      });
    }
    const p = this.producer;
    await this.producerConnected;
    return p;
  }

  private async dropProducer(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    this.producerConnected = undefined;
    if (p) await p.disconnect().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('KafkaEventLog is closed');
  }

  // ---- topics ------------------------------------------------------------------------------

  async createTopics(specs: readonly TopicSpec[]): Promise<void> {
    if (specs.length === 0) return;
    for (const s of specs) {
      if (!Number.isInteger(s.partitions) || s.partitions < 1)
        throw new Error(`topic ${s.name}: partitions must be a positive integer`);
    }
    const admin = await this.adminClient();
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length > 0) {
      const replicationFactor =
        this.options.replicationFactor ?? Math.min(3, (await admin.describeCluster()).brokers.length);
      try {
        await admin.createTopics({
          waitForLeaders: true,
          timeout: 30_000,
          topics: missing.map((s) => ({
            topic: s.name,
            numPartitions: s.partitions,
            replicationFactor,
            configEntries: [{ name: 'min.insync.replicas', value: String(replicationFactor >= 3 ? 2 : 1) }],
          })),
        });
      } catch (err) {
        // Another process may have created them concurrently, the wait for their leaders ran
        // out while the broker's metadata lagged (a loaded machine, several services starting at
        // once: `paystream up`), or they were created and a broker still answers
        // UNKNOWN_TOPIC_OR_PARTITION (a fresh broker). Either way the metadata check below, which
        // retries, decides.
        const retriable = (err as { retriable?: unknown }).retriable === true;
        if (!retriable && !/already exists|does not host this topic-partition/i.test(errorText(err)))
          throw err;
      }
    }
    const meta = await this.fetchMetadataWithRetry(specs.map((s) => s.name));
    for (const s of specs) {
      const n = meta.get(s.name);
      if (n === undefined) throw new Error(`topic ${s.name} was not created`);
      if (n !== s.partitions) {
        throw new Error(
          `topic ${s.name} exists with ${n} partitions, but ${s.partitions} were asked for; partition counts cannot change (keys would move)`,
        );
      }
      this.partitionCounts.set(s.name, n);
    }
  }

  private async fetchMetadataWithRetry(topics: string[]): Promise<Map<string, number>> {
    const admin = await this.adminClient();
    let last: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const { topics: metas } = await admin.fetchTopicMetadata({ topics });
        return new Map(metas.map((t) => [t.name, t.partitions.length]));
      } catch (err) {
        last = err; // metadata can lag a just-created topic for a moment
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
    throw new Error(`cannot read metadata of ${topics.join(',')}: ${errorText(last)}`);
  }

  async partitionsOf(topic: string): Promise<number> {
    const cached = this.partitionCounts.get(topic);
    if (cached !== undefined) return cached;
    const admin = await this.adminClient();
    if (!(await admin.listTopics()).includes(topic))
      throw new Error(`topic ${topic} does not exist; create it with createTopics first`);
    const n = (await this.fetchMetadataWithRetry([topic])).get(topic);
    if (n === undefined) throw new Error(`topic ${topic} does not exist; create it with createTopics first`);
    this.partitionCounts.set(topic, n);
    return n;
  }

  /** Maps records to partitions (partitionFor, the same function as the SQLite engine). */
  async partitionsFor(records: readonly OutRecord[]): Promise<number[]> {
    const out: number[] = [];
    for (const r of records) {
      if (typeof r.key !== 'string') throw new Error(`record for ${r.topic} has no string key`);
      const size = recordBytes(r);
      if (size > MAX_RECORD_BYTES)
        throw new Error(
          `record for ${r.topic} (key ${r.key}) is ${size} bytes; the maximum is ${MAX_RECORD_BYTES}`,
        );
      out.push(partitionFor(r.key, await this.partitionsOf(r.topic)));
    }
    return out;
  }

  // ---- append ------------------------------------------------------------------------------

  async append(records: readonly OutRecord[]): Promise<RecordPosition[]> {
    this.assertOpen();
    if (records.length === 0) return [];
    const partitions = await this.partitionsFor(records);
    return await new Promise<RecordPosition[]>((resolve, reject) => {
      this.queue.push({
        records,
        partitions,
        positions: new Array<RecordPosition>(records.length),
        done: 0,
        resolve,
        reject,
      });
      if (!this.flushing) void this.flush();
    });
  }

  /** Sends queued appends, coalescing whatever queued up while the previous request was out. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        // Take whole appends until the request is full (one oversized append goes alone and is
        // split below). Appends are never reordered, so per-key order holds across callers.
        const items: PendingAppend[] = [];
        let bytes = 0;
        while (this.queue.length > 0 && (items.length === 0 || bytes < MAX_REQUEST_BYTES)) {
          const item = this.queue[0]!;
          const size = item.records.reduce((n, r) => n + recordBytes(r), 0);
          if (items.length > 0 && bytes + size > MAX_REQUEST_BYTES) break;
          items.push(item);
          this.queue.shift();
          bytes += size;
        }
        await this.sendItems(items);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async sendItems(items: PendingAppend[]): Promise<void> {
    const slots: Slot[] = [];
    for (const item of items) for (let i = 0; i < item.records.length; i++) slots.push({ item, index: i });
    let start = 0;
    try {
      while (start < slots.length) {
        let end = start;
        let bytes = 0;
        while (end < slots.length) {
          const s = slots[end]!;
          const size = recordBytes(s.item.records[s.index]!);
          if (end > start && bytes + size > MAX_REQUEST_BYTES) break;
          bytes += size;
          end++;
        }
        await this.sendSlots(slots.slice(start, end));
        start = end;
        for (const item of items) {
          if (item.done === item.records.length) {
            item.done = -1;
            item.resolve(item.positions);
          }
        }
      }
    } catch (err) {
      // The outcome of the failed request is unknown. Replace the producer so the next append
      // starts a fresh idempotent session instead of failing on sequence numbers.
      await this.dropProducer();
      const e = new Error(
        `append to Kafka failed (the records may or may not have been written): ${errorText(err)}`,
      );
      for (const item of items) if (item.done !== -1) item.reject(e);
    }
  }

  private async sendSlots(slots: Slot[]): Promise<void> {
    // Group by topic, then partition, preserving order: kafkajs writes one record batch per
    // partition per request, in the order given, so offsets are baseOffset + index.
    const byTopic = new Map<string, TopicMessages & { slots: Map<number, Slot[]> }>();
    for (const s of slots) {
      const r = s.item.records[s.index]!;
      const partition = s.item.partitions[s.index]!;
      let t = byTopic.get(r.topic);
      if (!t) {
        t = { topic: r.topic, messages: [], slots: new Map() };
        byTopic.set(r.topic, t);
      }
      t.messages.push(toMessage(r, partition));
      let ps = t.slots.get(partition);
      if (!ps) {
        ps = [];
        t.slots.set(partition, ps);
      }
      ps.push(s);
    }
    const producer = await this.appendProducer();
    const meta: RecordMetadata[] = await producer.sendBatch({
      acks: -1,
      timeout: 30_000,
      topicMessages: [...byTopic.values()].map(({ topic, messages }) => ({ topic, messages })),
    });
    for (const [topic, t] of byTopic) {
      for (const [partition, ps] of t.slots) {
        const m = meta.find((x) => x.topicName === topic && x.partition === partition);
        if (!m || m.baseOffset === undefined || m.errorCode !== 0) {
          throw new Error(`no acknowledgement for ${topic}/${partition} in the produce response`);
        }
        const base = Number(m.baseOffset);
        ps.forEach((s, i) => {
          s.item.positions[s.index] = { topic, partition, offset: base + i };
          s.item.done++;
        });
      }
    }
  }

  // ---- subscribe ---------------------------------------------------------------------------

  async subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    this.assertOpen();
    if (options.topics.length === 0) throw new Error(`subscribe(${options.groupId}): no topics`);
    for (const t of options.topics) await this.partitionsOf(t); // fail early and clearly on unknown topics
    const sub = new KafkaSubscription(this, options, handler, () => this.subscriptions.delete(sub));
    this.subscriptions.add(sub);
    try {
      await sub.start();
    } catch (err) {
      this.subscriptions.delete(sub);
      await sub.stop().catch(() => undefined);
      throw err;
    }
    return sub;
  }

  // ---- offsets -----------------------------------------------------------------------------

  async committed(groupId: string, topics: readonly string[]): Promise<Position> {
    const admin = await this.adminClient();
    const out: Record<string, number> = {};
    const res = await retrying(() => admin.fetchOffsets({ groupId, topics: [...topics] }));
    for (const t of res) {
      for (const p of t.partitions) out[partitionKey(t.topic, p.partition)] = Math.max(0, Number(p.offset));
    }
    for (const topic of topics) {
      const n = await this.partitionsOf(topic);
      for (let p = 0; p < n; p++) out[partitionKey(topic, p)] ??= 0;
    }
    return out;
  }

  /**
   * The high watermark per partition. With transactions it counts control markers too, so it
   * can be past the last record's offset + 1; subscribers commit through trailing markers (see
   * subscription.ts), which is what makes waitForGroup(endPosition) terminate.
   */
  async endPosition(topics: readonly string[]): Promise<Position> {
    const admin = await this.adminClient();
    const out: Record<string, number> = {};
    for (const topic of topics) {
      const offsets = await retrying(() => admin.fetchTopicOffsets(topic));
      for (const o of offsets) out[partitionKey(topic, o.partition)] = Number(o.high);
    }
    return out;
  }

  /** The low watermark (first readable offset) per partition of `topic`. */
  async startPosition(topic: string): Promise<Position> {
    const admin = await this.adminClient();
    const out: Record<string, number> = {};
    const offsets = await retrying(() => admin.fetchTopicOffsets(topic));
    for (const o of offsets) out[partitionKey(topic, o.partition)] = Number(o.low);
    return out;
  }

  async seekGroup(groupId: string, topic: string, target: SeekTarget): Promise<void> {
    const admin = await this.adminClient();
    const offsets = await retrying(() => admin.fetchTopicOffsets(topic));
    let partitions: { partition: number; offset: string }[];
    if (target === 'beginning') partitions = offsets.map((o) => ({ partition: o.partition, offset: o.low }));
    else if (target === 'end') partitions = offsets.map((o) => ({ partition: o.partition, offset: o.high }));
    else {
      partitions = Object.entries(target).map(([p, offset]) => {
        const partition = Number(p);
        if (!offsets.some((o) => o.partition === partition))
          throw new Error(`seekGroup: ${topic} has no partition ${p}`);
        if (!Number.isInteger(offset) || offset < 0)
          throw new Error(`seekGroup: bad offset ${offset} for ${topic}/${p}`);
        return { partition, offset: String(offset) };
      });
    }
    const { groups } = await admin.describeGroups([groupId]);
    const state = groups[0]?.state ?? 'Dead';
    if (state !== 'Empty' && state !== 'Dead') {
      throw new Error(
        `seekGroup(${groupId}, ${topic}): the group has running members (state ${state}); stop them first`,
      );
    }
    // kafkajs' admin.setOffsets joins the group with a throwaway consumer and waits for a fetch
    // (seconds). Instead, commit the offsets in a transaction per partition, under the same
    // transactional id a subscriber uses for that partition: InitProducerId first settles (and
    // fences) anything a crashed member left pending, so nothing stale can land after the seek.
    for (const { partition, offset } of partitions) {
      const producer = this.kafka.producer({
        transactionalId: transactionalIdFor(this.options, groupId, topic, partition),
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: PRODUCER_RETRIES, maxRetryTime: MAX_RETRY_TIME_MS },
      });
      try {
        await producer.connect();
        const txn = await producer.transaction();
        try {
          await txn.sendOffsets({
            consumerGroupId: groupId,
            topics: [{ topic, partitions: [{ partition, offset }] }],
          });
          await txn.commit();
        } catch (err) {
          await txn.abort().catch(() => undefined);
          throw err;
        }
      } catch (err) {
        throw new Error(`seekGroup(${groupId}, ${topic}/${partition}) failed: ${errorText(err)}`);
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    }
    // EndTxn returns before the commit marker reaches the group coordinator, so for a moment an
    // OffsetFetch can still answer the old offsets. Return only once the seek reads back.
    const deadline = Date.now() + SEEK_VISIBLE_TIMEOUT_MS;
    for (;;) {
      const committed = await this.committed(groupId, [topic]);
      if (
        partitions.every(
          ({ partition, offset }) => committed[partitionKey(topic, partition)] === Number(offset),
        )
      )
        return;
      if (Date.now() > deadline) {
        throw new Error(
          `seekGroup(${groupId}, ${topic}): the new offsets did not become visible within ${SEEK_VISIBLE_TIMEOUT_MS} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async waitForGroup(groupId: string, position: Position, timeoutMs: number): Promise<boolean> {
    const topics = [...new Set(Object.keys(position).map((k) => k.slice(0, k.lastIndexOf('/'))))];
    if (topics.length === 0) return true;
    const deadline = Date.now() + timeoutMs;
    let interval = 10;
    for (;;) {
      if (covers(await this.committed(groupId, topics), position)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // Poll fast at first (read-your-writes latency), then back off to at most 200 ms so many
      // waiting requests do not hammer the group coordinator.
      await new Promise((r) => setTimeout(r, Math.min(interval, left)));
      interval = Math.min(200, interval * 2);
    }
  }

  // ---- read --------------------------------------------------------------------------------

  async read(topic: string, partition: number, fromOffset: number, maxRecords: number): Promise<LogRecord[]> {
    this.assertOpen();
    const n = await this.partitionsOf(topic);
    if (!Number.isInteger(partition) || partition < 0 || partition >= n)
      throw new Error(`read: ${topic} has no partition ${partition}`);
    if (maxRecords <= 0) return [];
    const end = (await this.endPosition([topic]))[partitionKey(topic, partition)] ?? 0;
    const start = Math.max(
      fromOffset,
      (await this.startPosition(topic))[partitionKey(topic, partition)] ?? 0,
    );
    if (start >= end) return [];
    return await readRange(this, topic, n, partition, start, end, maxRecords);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const s of [...this.subscriptions])
      await s
        .stop()
        .catch((err: unknown) =>
          this.sink('error', 'stopping a subscription failed', { error: errorText(err) }),
        );
    this.closed = true;
    await this.dropProducer();
    if (this.adminConnected) await this.admin.disconnect().catch(() => undefined);
  }
}

/**
 * Reads [start, end) of one partition with a throwaway consumer group (read_committed, so
 * aborted records never show). Bounded by `maxRecords` and a 60 s deadline.
 */
async function readRange(
  log: KafkaEventLog,
  topic: string,
  partitions: number,
  partition: number,
  start: number,
  end: number,
  maxRecords: number,
): Promise<LogRecord[]> {
  const groupId = `paystream-read-${randomUUID()}`;
  const consumer = log.kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 200,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const out: LogRecord[] = [];
  let reached = start;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const check = () => {
    if (out.length >= maxRecords || reached >= end) finish();
  };
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    // Control-only batches never reach eachBatch; the instrumentation event still tells how far
    // the fetch got, so a range ending in transaction markers finishes too.
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      if (e.payload.topic === topic && e.payload.partition === partition) {
        reached = Math.max(reached, Number(e.payload.lastOffset) + 1);
        check();
      }
    });
    const others = Array.from({ length: partitions }, (_, p) => p).filter((p) => p !== partition);
    // Seek on every (re)join: a kafkajs consumer that crashed and restarted (e.g. a coordinator
    // still loading) has a new group object and has forgotten earlier seeks.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      try {
        // Only our partition matters: pause the others so they are not fetched.
        if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
        consumer.seek({ topic, partition, offset: String(reached) });
      } catch {
        /* not running yet; records below `start` are skipped anyway */
      }
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        if (batch.partition !== partition) return;
        for (const m of batch.messages) {
          const off = Number(m.offset);
          if (off < start) continue;
          if (off >= end || out.length >= maxRecords) break;
          out.push(toLogRecord(topic, partition, m));
          resolveOffset(m.offset);
        }
        reached = Math.max(reached, Number(batch.lastOffset()) + 1);
        check();
      },
    });
    const timer = setTimeout(finish, 60_000);
    await finished;
    clearTimeout(timer);
    if (out.length < maxRecords && reached < end) {
      throw new Error(
        `read(${topic}/${partition}, ${start}) timed out after 60 s at offset ${reached} of ${end}`,
      );
    }
    return out.slice(0, maxRecords);
  } finally {
    await consumer.disconnect().catch(() => undefined);
    const admin = await log.adminClient().catch(() => undefined);
    await admin?.deleteGroups([groupId]).catch(() => undefined);
  }
}
