// A consumer-group member that runs a BatchHandler effectively once.
//
// Per fetched batch (split into chunks of at most maxBatchRecords):
//   1. ensureOwned: the partition's transactional producer is initialised (InitProducerId with
//      the partition's transactional id: it fences any older owner and completes or aborts its
//      pending transaction) and only THEN the group's committed offset is read. Records below it
//      were already processed by someone else: we seek past them.
//   2. the handler runs and stages outputs in memory (no transaction is open meanwhile, so a
//      slow handler cannot hit the transaction timeout).
//   3. commit: with outputs, one Kafka transaction = outputs + sendOffsets(next offset) + commit,
//      awaited before the next chunk. Without outputs, a plain OffsetCommit (it carries the group
//      generation, so a zombie's commit is rejected by the coordinator); plain commits are
//      pipelined — the next batch is handled while the commit is in flight, and commits that
//      queue up meanwhile go out as one request. Before any transaction, any re-verification and
//      before stop() completes, the pipeline is drained, so offsets never go backwards and a
//      stopped subscription has committed everything it handled. (A pipelined commit that fails
//      — e.g. the member lost the partition in a rebalance — means those records are delivered
//      again to the next owner: handlers without outputs must be idempotent, which Paystream's
//      version-checked read-model writes are.)
//   4. any failure: abort, drop the producer, mark the partition unverified, seek back to the
//      chunk's first offset and pause the partition for a backoff. Re-delivery goes through
//      step 1 again, so a commit whose outcome was unknown (e.g. a lost EndTxn response) is not
//      processed twice: re-initialising the producer settles it and the committed offset tells.
//
// Partition producers are created and initialised for all assigned partitions right after
// each group join (a few in parallel), so fencing happens at assignment time, not at the first
// batch.
//
// Zombie fencing. kafkajs 2.2.4 implements TxnOffsetCommit v0-v1 only: no group generation or
// member id (KIP-447, Kafka 2.5+), so the broker cannot tell a stale group member's offset
// commit from a current one. We therefore use the pre-KIP-447 scheme: one transactional id per
// (group, input partition) — `<prefix><group>/<topic>/<partition>` — instead of one per member.
// Whoever owns a partition uses the same id, so the new owner's InitProducerId bumps the epoch
// and the old owner's next send/commit fails with a fencing error. The cost is one producer
// (one connection) per assigned partition per subscription.
//
// Transaction markers. A transaction writes a commit/abort marker into every partition it
// touched, so the high watermark can be past the last record's offset + 1. The last chunk of a
// batch commits through batch.lastOffset() (which includes trailing markers), and batches that
// contain only markers or aborted records — which kafkajs never hands to eachBatch — are
// committed from the END_BATCH_PROCESS event. Hence a group's committed offset reaches the end
// offset and waitForGroup(endPosition) terminates.

import type {
  Consumer,
  EachBatchPayload,
  IMemberAssignment,
  Offsets,
  Producer,
  TopicMessages,
} from 'kafkajs';
import type {
  BatchContext,
  BatchHandler,
  LogRecord,
  OutRecord,
  PartitionRef,
  SubscribeOptions,
  Subscription,
} from '../port.js';
import { partitionKey } from '../position.js';
import type { KafkaEventLog } from './kafka-event-log.js';
import {
  errorText,
  FAILURE_BACKOFF_MAX_MS,
  FAILURE_BACKOFF_MIN_MS,
  MAX_REQUEST_BYTES,
  MAX_RETRY_TIME_MS,
  PRODUCER_RETRIES,
  recordBytes,
  retrying,
  SerialQueue,
  TRANSACTION_TIMEOUT_MS,
  toLogRecord,
  toMessage,
  transactionalIdFor,
} from './kafka-options.js';

/** Hard ceiling on records per handler call, whatever the caller asks for (memory bound). */
const MAX_BATCH_RECORDS_CEILING = 10_000;
/** Partition producers initialised concurrently after a group join (connections, CPU). */
const INIT_CONCURRENCY = 4;

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  producer: Producer | undefined;
  verified: boolean;
  /** The next offset committed for the group, as far as this member knows (-1: none). */
  committed: number;
  failures: number;
  resumeTimer: NodeJS.Timeout | undefined;
  resume: (() => void) | undefined;
}

/** Wait before restarting a consumer that kafkajs left stopped after a crash. */
const CRASH_RESTART_MS = 2_000;

export class KafkaSubscription implements Subscription {
  readonly groupId: string;
  private readonly consumer: Consumer;
  private readonly chain = new SerialQueue();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly maxBatchRecords: number;
  private stopping: Promise<void> | undefined;
  /** Set by stop(): batches that arrive from now on are left for the next owner. */
  private closing = false;
  /** Plain commits waiting to go out (key: topic/partition) and the one request in flight. */
  private readonly pendingCommits = new Map<string, { topic: string; partition: number; offset: number }>();
  private pumping: Promise<void> | undefined;
  /**
   * kafkajs' consumer.commitOffsets() silently does nothing once stop() has begun; the
   * eachBatch payload's commitOffsetsIfNecessary(offsets) commits (or throws) regardless, so
   * plain commits go through the latest one of those.
   */
  private commitFn: ((offsets: Offsets) => Promise<void>) | undefined;
  /** Partitions of the last group join, told to onRevoked at the next one and at stop(). */
  private assigned: PartitionRef[] = [];

  constructor(
    private readonly log: KafkaEventLog,
    private readonly options: SubscribeOptions,
    private readonly handler: BatchHandler,
    private readonly onStopped: () => void,
  ) {
    this.groupId = options.groupId;
    this.maxBatchRecords = Math.max(
      1,
      Math.min(
        MAX_BATCH_RECORDS_CEILING,
        options.maxBatchRecords ?? log.options.defaultMaxBatchRecords ?? 500,
      ),
    );
    const sessionTimeout = log.options.sessionTimeoutMs ?? 30_000;
    this.consumer = log.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false, // never see records of open or aborted transactions
      allowAutoTopicCreation: false,
      sessionTimeout,
      heartbeatInterval: log.options.heartbeatIntervalMs ?? Math.max(500, Math.floor(sessionTimeout / 10)),
      rebalanceTimeout: 60_000,
      maxWaitTimeInMs: log.options.maxWaitTimeMs ?? 500,
      // 1 MiB per partition and 10 MiB per fetch bound the memory one fetch can take.
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 10 * 1024 * 1024,
      retry: { retries: PRODUCER_RETRIES, maxRetryTime: MAX_RETRY_TIME_MS },
    });
  }

  async start(): Promise<void> {
    const c = this.consumer;
    await c.connect();
    await c.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.start !== 'end' });
    c.on(c.events.GROUP_JOIN, (e) => {
      void this.chain.run(() => this.onRebalance(e.payload.memberAssignment));
    });
    c.on(c.events.END_BATCH_PROCESS, (e) => {
      if (e.payload.batchSize !== 0) return;
      const { topic, partition, lastOffset } = e.payload;
      void this.chain.run(() => this.commitMarkers(topic, partition, Number(lastOffset) + 1));
    });
    c.on(c.events.CRASH, (e) => {
      // kafkajs restarts the consumer after retriable errors only; after any other (a group
      // coordinator not found while the broker restarts, say) it stays stopped, and a service
      // would go on serving HTTP with a dead consumer inside. We restart it ourselves.
      const restartHere = !e.payload.restart && !this.closing;
      this.log.sink(
        e.payload.restart ? 'warn' : 'error',
        `consumer group ${this.groupId} crashed${e.payload.restart ? '; kafkajs restarts it' : restartHere ? `; restarting in ${CRASH_RESTART_MS} ms` : ''}`,
        { error: errorText(e.payload.error) },
      );
      if (restartHere) this.restartAfterCrash();
    });
    await this.run();
  }

  private run(): Promise<void> {
    return this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.chain.run(() => this.onBatch(payload)),
    });
  }

  /** Reconnects and rejoins the group until it works or the subscription is stopped. */
  private restartAfterCrash(): void {
    setTimeout(() => {
      if (this.closing) return;
      void (async () => {
        try {
          await this.consumer.connect();
          await this.consumer.subscribe({
            topics: [...this.options.topics],
            fromBeginning: this.options.start !== 'end',
          });
          await this.run();
          this.log.sink('warn', `consumer group ${this.groupId} restarted after a crash`, {});
        } catch (err) {
          this.log.sink('error', `consumer group ${this.groupId} restart failed; trying again`, {
            error: errorText(err),
          });
          await this.consumer.disconnect().catch(() => undefined);
          this.restartAfterCrash();
        }
      })();
    }, CRASH_RESTART_MS).unref();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.closing = true;
      try {
        await this.chain.run(async () => undefined); // the batch in flight finishes, commit included
        await this.drainCommits();
        await this.consumer.stop();
      } finally {
        await this.consumer.disconnect().catch(() => undefined);
        await this.chain.run(async () => {
          this.revokeAll();
          for (const st of this.partitions.values()) {
            if (st.resumeTimer) clearTimeout(st.resumeTimer);
            await this.dropProducer(st);
          }
          this.partitions.clear();
        });
        this.onStopped();
      }
    })();
    return this.stopping;
  }

  private state(topic: string, partition: number): PartitionState {
    const key = partitionKey(topic, partition);
    let st = this.partitions.get(key);
    if (!st) {
      st = {
        topic,
        partition,
        producer: undefined,
        verified: false,
        committed: -1,
        failures: 0,
        resumeTimer: undefined,
        resume: undefined,
      };
      this.partitions.set(key, st);
    }
    return st;
  }

  private async dropProducer(st: PartitionState): Promise<void> {
    const p = st.producer;
    st.producer = undefined;
    st.verified = false;
    if (p) await p.disconnect().catch(() => undefined);
  }

  /**
   * After any (re)assignment every partition is re-verified (someone else may have owned it),
   * eagerly: fencing older owners as soon as we own a partition.
   */
  private async onRebalance(assignment: IMemberAssignment): Promise<void> {
    // Eager rebalancing: every partition we held may have moved on under another member since,
    // even one assigned to us again, so all of them are revoked before any batch of the new
    // generation (this runs on the chain, between batches).
    this.revokeAll();
    for (const st of this.partitions.values()) {
      if (st.resumeTimer) clearTimeout(st.resumeTimer);
      st.resume?.(); // a paused (backing-off) partition must not stay paused for its next owner
      await this.dropProducer(st);
    }
    this.partitions.clear();
    this.pendingCommits.clear(); // they carry the old generation and would be rejected
    if (this.closing) return;
    this.assigned = Object.entries(assignment).flatMap(([topic, ps]) =>
      ps.map((partition) => ({ topic, partition })),
    );
    this.notify('onAssigned', this.assigned);
    const todo = Object.entries(assignment).flatMap(([topic, ps]) => ps.map((p) => this.state(topic, p)));
    const worker = async () => {
      for (let st = todo.shift(); st; st = todo.shift()) {
        try {
          await this.ensureOwned(st);
        } catch (err) {
          // Retried lazily by the partition's first batch.
          await this.dropProducer(st);
          this.log.sink('warn', `initialising the producer of ${st.topic}/${st.partition} failed`, {
            groupId: this.groupId,
            error: errorText(err),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: INIT_CONCURRENCY }, worker));
  }

  private revokeAll(): void {
    const revoked = this.assigned;
    this.assigned = [];
    if (revoked.length > 0) this.notify('onRevoked', revoked);
  }

  /** A listener that throws is logged; it must not stop the group. */
  private notify(which: 'onAssigned' | 'onRevoked', partitions: readonly PartitionRef[]): void {
    try {
      this.options[which]?.(partitions);
    } catch (err) {
      this.log.sink('error', `${which} listener of group ${this.groupId} failed`, { error: errorText(err) });
    }
  }

  /** Queues a plain offset commit; see step 3. */
  private queueCommit(topic: string, partition: number, offset: number): void {
    const key = partitionKey(topic, partition);
    const prev = this.pendingCommits.get(key);
    if (!prev || prev.offset < offset) this.pendingCommits.set(key, { topic, partition, offset });
    this.pumping ??= this.pump();
  }

  private async pump(): Promise<void> {
    try {
      while (this.pendingCommits.size > 0) {
        const batch = [...this.pendingCommits.values()];
        this.pendingCommits.clear();
        const byTopic = new Map<string, { partition: number; offset: string }[]>();
        for (const c of batch)
          byTopic.set(c.topic, [
            ...(byTopic.get(c.topic) ?? []),
            { partition: c.partition, offset: String(c.offset) },
          ]);
        const offsets: Offsets = {
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        };
        try {
          if (this.commitFn) await this.commitFn(offsets);
          else
            await this.consumer.commitOffsets(
              batch.map((c) => ({ topic: c.topic, partition: c.partition, offset: String(c.offset) })),
            );
        } catch (err) {
          for (const c of batch) {
            const st = this.partitions.get(partitionKey(c.topic, c.partition));
            if (st) st.verified = false; // re-read the committed offset before the next batch
          }
          this.log.sink(
            'warn',
            'an offset commit failed; the records are delivered again to the next owner',
            {
              groupId: this.groupId,
              error: errorText(err),
            },
          );
        }
      }
    } finally {
      this.pumping = undefined;
    }
  }

  private async drainCommits(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private transactionalId(topic: string, partition: number): string {
    return transactionalIdFor(this.log.options, this.groupId, topic, partition);
  }

  /** Step 1 above. Returns the group's committed next offset for the partition (-1: none). */
  private async ensureOwned(st: PartitionState): Promise<number> {
    if (st.verified) return st.committed;
    if (!st.producer) {
      const producer = this.log.kafka.producer({
        transactionalId: this.transactionalId(st.topic, st.partition),
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: TRANSACTION_TIMEOUT_MS,
        allowAutoTopicCreation: false,
        retry: { retries: PRODUCER_RETRIES, maxRetryTime: MAX_RETRY_TIME_MS },
      });
      st.producer = producer;
      await producer.connect();
      // transaction() runs InitProducerId on first use; aborting an empty transaction is local.
      const t = await producer.transaction();
      await t.abort();
    }
    await this.drainCommits(); // our own commits in flight must be visible in what we read
    const admin = await this.log.adminClient();
    const res = await retrying(() => admin.fetchOffsets({ groupId: this.groupId, topics: [st.topic] }));
    const p = res.find((t) => t.topic === st.topic)?.partitions.find((x) => x.partition === st.partition);
    st.committed = p ? Number(p.offset) : -1;
    st.verified = true;
    return st.committed;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale, heartbeat, resolveOffset } = payload;
    const { topic, partition } = batch;
    if (this.closing || !isRunning() || isStale() || batch.messages.length === 0) return;
    this.commitFn = payload.commitOffsetsIfNecessary;
    const st = this.state(topic, partition);
    const firstOffset = Number(batch.messages[0]!.offset);
    let committed: number;
    try {
      committed = await this.ensureOwned(st);
    } catch (err) {
      await this.fail(st, payload, firstOffset, err);
      return;
    }
    if (committed > firstOffset) {
      // Already processed (by a previous owner, or by us before an unknown-outcome failure).
      this.consumer.seek({ topic, partition, offset: String(committed) });
      return;
    }
    const messages = batch.messages;
    const batchEnd = Number(batch.lastOffset()) + 1; // includes trailing control markers
    for (let i = 0; i < messages.length; i += this.maxBatchRecords) {
      if (this.closing || !isRunning() || isStale()) return; // stopping: the rest goes to the next owner
      const chunk = messages.slice(i, i + this.maxBatchRecords);
      const records: LogRecord[] = chunk.map((m) => toLogRecord(topic, partition, m));
      const first = records[0]!.offset;
      const last = records[records.length - 1]!.offset;
      const next = i + this.maxBatchRecords >= messages.length ? Math.max(last + 1, batchEnd) : last + 1;
      const staged: OutRecord[] = [];
      const ctx: BatchContext = {
        append(out: readonly OutRecord[]) {
          staged.push(...out);
        },
      };
      try {
        await this.handler({ topic, partition, records }, ctx);
        await this.commit(st, staged, next);
      } catch (err) {
        await this.fail(st, payload, first, err);
        return;
      }
      st.committed = next;
      st.failures = 0;
      resolveOffset(String(next - 1));
      await heartbeat().catch(() => undefined);
    }
  }

  /** Step 3 above. */
  private async commit(st: PartitionState, staged: OutRecord[], next: number): Promise<void> {
    const offsets = {
      topics: [{ topic: st.topic, partitions: [{ partition: st.partition, offset: String(next) }] }],
    };
    if (staged.length === 0) {
      this.queueCommit(st.topic, st.partition, next);
      return;
    }
    await this.drainCommits(); // a plain commit in flight must not land after this transaction
    const partitions = await this.log.partitionsFor(staged);
    const producer = st.producer;
    if (!producer) throw new Error(`no transactional producer for ${st.topic}/${st.partition}`);
    const txn = await producer.transaction();
    try {
      // Outputs in requests of at most MAX_REQUEST_BYTES, in order.
      let start = 0;
      while (start < staged.length) {
        let end = start;
        let bytes = 0;
        const byTopic = new Map<string, TopicMessages>();
        while (end < staged.length) {
          const r = staged[end]!;
          const size = recordBytes(r);
          if (end > start && bytes + size > MAX_REQUEST_BYTES) break;
          bytes += size;
          let t = byTopic.get(r.topic);
          if (!t) {
            t = { topic: r.topic, messages: [] };
            byTopic.set(r.topic, t);
          }
          t.messages.push(toMessage(r, partitions[end]!));
          end++;
        }
        await txn.sendBatch({ acks: -1, timeout: 30_000, topicMessages: [...byTopic.values()] });
        start = end;
      }
      await txn.sendOffsets({ consumerGroupId: this.groupId, ...offsets });
      await txn.commit();
    } catch (err) {
      if (txn.isActive()) await txn.abort().catch(() => undefined);
      throw err;
    }
  }

  /** Commits past a batch that held only transaction markers or aborted records. */
  private async commitMarkers(topic: string, partition: number, next: number): Promise<void> {
    if (this.stopping) return;
    const st = this.state(topic, partition);
    try {
      const committed = await this.ensureOwned(st);
      if (next <= committed) return;
      this.queueCommit(topic, partition, next);
      st.committed = next;
    } catch (err) {
      // Harmless: the next batch of this partition commits past the markers anyway.
      await this.dropProducer(st);
      this.log.sink('warn', `committing past transaction markers of ${topic}/${partition} failed`, {
        groupId: this.groupId,
        error: errorText(err),
      });
    }
  }

  /** Step 4 above. */
  private async fail(
    st: PartitionState,
    payload: EachBatchPayload,
    firstOffset: number,
    err: unknown,
  ): Promise<void> {
    st.failures++;
    await this.dropProducer(st); // re-verify before the retry: the commit's outcome may be unknown
    const delay = Math.min(FAILURE_BACKOFF_MAX_MS, FAILURE_BACKOFF_MIN_MS * 2 ** (st.failures - 1));
    this.log.sink(
      'error',
      `handler for ${st.topic}/${st.partition} failed; redelivering from offset ${firstOffset} in ${delay} ms`,
      {
        groupId: this.groupId,
        attempt: st.failures,
        error: errorText(err),
      },
    );
    this.consumer.seek({ topic: st.topic, partition: st.partition, offset: String(firstOffset) });
    const resume = payload.pause();
    if (st.resumeTimer) clearTimeout(st.resumeTimer);
    st.resume = resume;
    st.resumeTimer = setTimeout(() => {
      st.resumeTimer = undefined;
      st.resume = undefined;
      resume();
    }, delay);
    st.resumeTimer.unref();
  }
}
