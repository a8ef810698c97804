// The one way services publish and consume: Avro envelopes over the event-log port. Records
// that cannot be decoded go to the dead-letter topic with the reason, and the batch goes on.

import { PaystreamError } from '@paystream/core';
import {
  type BatchContext,
  type EventLog,
  type LogRecord,
  type OutRecord,
  type Position,
  positionAfter,
  type RecordPosition,
  type SubscribeOptions,
  type Subscription,
} from '@paystream/log';
import { type Envelope, type EnvelopeCodec, loadCatalog } from '@paystream/schemas';
import { TOPICS, topicSpecs } from './topics.js';

export interface EventRecord {
  readonly envelope: Envelope;
  readonly position: RecordPosition;
}

export interface EventContext {
  /** Publishes atomically with this batch's offset commit. */
  publish(envelopes: readonly Envelope[]): void;
}

export type EventHandler = (records: readonly EventRecord[], ctx: EventContext) => Promise<void>;

export interface ConsumeOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly maxBatchRecords?: number;
  readonly start?: 'beginning' | 'end';
  /**
   * Only these event types reach the handler; others are skipped (and committed) without being
   * decoded, by the record's `type` header. Records without the header are decoded as usual, so
   * a foreign or corrupt record still goes to the dead-letter topic.
   */
  readonly types?: readonly string[];
  /** Passed to the log (SubscribeOptions): partitions gained and lost by this member. */
  readonly onAssigned?: SubscribeOptions['onAssigned'];
  readonly onRevoked?: SubscribeOptions['onRevoked'];
}

export interface DeadLetter {
  readonly reason: string;
  readonly source: RecordPosition;
}

export class EventBus {
  readonly log: EventLog;
  readonly codec: EnvelopeCodec;
  readonly #commandTypes: ReadonlySet<string>;

  constructor(log: EventLog, codec: EnvelopeCodec) {
    this.log = log;
    this.codec = codec;
    const catalog = loadCatalog();
    this.#commandTypes = new Set(
      [...catalog.payloadTypes].filter(([, fq]) => fq.startsWith('paystream.commands.')).map(([t]) => t),
    );
  }

  async createTopics(partitions?: number): Promise<void> {
    await this.log.createTopics(topicSpecs(partitions));
  }

  isCommand(type: string): boolean {
    return this.#commandTypes.has(type);
  }

  toRecord(e: Envelope): OutRecord {
    return {
      topic: this.isCommand(e.type) ? TOPICS.commands : TOPICS.events,
      key: e.aggregateId,
      value: this.codec.encode(e),
      headers: { type: e.type, tenant: e.tenantId },
    };
  }

  async publish(
    envelopes: readonly Envelope[],
  ): Promise<{ positions: RecordPosition[]; position: Position }> {
    const positions = await this.log.append(envelopes.map((e) => this.toRecord(e)));
    return { positions, position: positionAfter(positions) };
  }

  static deadLetterRecord(record: LogRecord, reason: string): OutRecord {
    return {
      topic: TOPICS.deadLetter,
      key: record.key || 'unkeyed',
      value: record.value,
      headers: {
        reason: reason.slice(0, 1000),
        'source-topic': record.topic,
        'source-partition': String(record.partition),
        'source-offset': String(record.offset),
      },
    };
  }

  async #decode(
    records: readonly LogRecord[],
    ctx: BatchContext,
    types: ReadonlySet<string> | null,
  ): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    for (const r of records) {
      const type = r.headers.type;
      if (types !== null && type !== undefined && !types.has(type)) continue;
      try {
        await this.codec.prepare([r.value]);
        out.push({ envelope: this.codec.decode(r.value), position: r });
      } catch (err) {
        // A registry outage is not the record's fault: fail the batch, which the log redelivers.
        if (err instanceof PaystreamError && err.code === 'schema_registry_unavailable') throw err;
        const reason = err instanceof PaystreamError ? `${err.code}: ${err.message}` : String(err);
        ctx.append([EventBus.deadLetterRecord(r, reason)]);
      }
    }
    return out;
  }

  async consume(options: ConsumeOptions, handler: EventHandler): Promise<Subscription> {
    const types = options.types ? new Set(options.types) : null;
    return await this.log.subscribe(
      {
        groupId: options.groupId,
        topics: options.topics,
        ...(options.maxBatchRecords ? { maxBatchRecords: options.maxBatchRecords } : {}),
        ...(options.start ? { start: options.start } : {}),
        ...(options.onAssigned ? { onAssigned: options.onAssigned } : {}),
        ...(options.onRevoked ? { onRevoked: options.onRevoked } : {}),
      },
      async (batch, ctx) => {
        const records = await this.#decode(batch.records, ctx, types);
        if (records.length === 0) return;
        await handler(records, {
          publish: (envelopes) => ctx.append(envelopes.map((e) => this.toRecord(e))),
        });
      },
    );
  }
}
