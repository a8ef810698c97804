// The event-log port. Two adapters implement it — embedded SQLite and Apache Kafka — and both
// pass the one contract suite in contract.ts. Values are opaque bytes here; Avro encoding
// through the schema registry is a layer above (packages/schemas), identical for both engines.

import type { Position } from './position.js';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

/** A record to append. Records with the same key go to the same partition, in order. */
export interface OutRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface LogRecord extends RecordPosition {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestampMs: number;
}

/** One partition's worth of records, in offset order. */
export interface Batch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly LogRecord[];
}

export interface BatchContext {
  /**
   * Stage output records. They are appended atomically with the commit of this batch's
   * offsets (a SQLite transaction, or a Kafka transaction with sendOffsets): either the batch
   * is consumed and its outputs exist, or neither. This is the effectively-once primitive.
   */
  append(records: readonly OutRecord[]): void;
}

/** Throwing rejects the whole batch: nothing is committed and it is delivered again. */
export type BatchHandler = (batch: Batch, ctx: BatchContext) => Promise<void>;

export interface SubscribeOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts. Default: beginning (no event is skipped). */
  readonly start?: 'beginning' | 'end';
  /** Upper bound on records per handler call. */
  readonly maxBatchRecords?: number;
  /**
   * Called when this member starts owning partitions (after a rebalance or a lease taken).
   * Never called while a batch of those partitions is in the handler.
   */
  readonly onAssigned?: (partitions: readonly PartitionRef[]) => void;
  /**
   * Called when this member stops owning partitions, or may have (a rebalance, a lease lost or
   * fenced, a crash, stop()), before it handles any batch of them again. State kept per
   * partition must be dropped here: another member may have moved the partition on meanwhile.
   * Never called while a batch of those partitions is in the handler.
   */
  readonly onRevoked?: (partitions: readonly PartitionRef[]) => void;
}

export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface Subscription {
  readonly groupId: string;
  /** Finishes the batch in flight (its commit included), then stops. */
  stop(): Promise<void>;
}

export type SeekTarget = 'beginning' | 'end' | Readonly<Record<number, number>>;

export interface EventLog {
  readonly engine: 'sqlite' | 'kafka';
  /** Creates missing topics; existing ones are left alone (partition counts must match). */
  createTopics(specs: readonly TopicSpec[]): Promise<void>;
  /** Durably appends (fsync / acks=all) and returns each record's position, in input order. */
  append(records: readonly OutRecord[]): Promise<RecordPosition[]>;
  subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription>;
  /** The group's next offset to process per partition (0 where nothing is committed). */
  committed(groupId: string, topics: readonly string[]): Promise<Position>;
  /** The next offset to be written per partition (the high watermark). */
  endPosition(topics: readonly string[]): Promise<Position>;
  /** Moves a group's committed offsets. Only while no member of that group is running. */
  seekGroup(groupId: string, topic: string, target: SeekTarget): Promise<void>;
  /** Resolves true once `groupId` has committed past every offset in `position`; false on timeout. */
  waitForGroup(groupId: string, position: Position, timeoutMs: number): Promise<boolean>;
  /** Reads raw records without a group: audit, replay and diagnostics. */
  read(topic: string, partition: number, fromOffset: number, maxRecords: number): Promise<LogRecord[]>;
  partitionsOf(topic: string): Promise<number>;
  close(): Promise<void>;
}
