// Shared by the close and returns planners: collect the events a command will append (on their
// aggregates' hash chains) and the state mutations it will make, without touching anything.

import { type ChainHead, type EventBus, sealOnto } from '@paystream/eventing';
import type { Envelope, Payloads, PayloadType } from '@paystream/schemas';
import type { StateOp, StoredRecord } from './control.js';
import { storeRecord } from './control.js';
import { asItem } from './state.js';

export interface PlannedEvent<T extends PayloadType = PayloadType> {
  readonly type: T;
  readonly payload: Payloads[T];
  readonly eventId: string;
}

export class Plan {
  readonly records: StoredRecord[] = [];
  readonly ops: StateOp[] = [];

  constructor(
    private readonly bus: EventBus,
    readonly commandId: string,
  ) {}

  /** Seals `events` onto `aggregateId`'s chain after `head` and queues them for appending. */
  emit(
    aggregateId: string,
    tenantId: string,
    head: ChainHead,
    occurredAtMs: number,
    events: readonly PlannedEvent[],
  ): { head: ChainHead; envelopes: Envelope[] } {
    const sealed = sealOnto(
      this.bus.codec,
      head,
      events.map((e) => ({
        type: e.type,
        payload: e.payload,
        meta: {
          eventId: e.eventId,
          aggregateId,
          tenantId,
          occurredAtMs,
          causationId: this.commandId,
          correlationId: this.commandId,
        },
      })),
    );
    for (const env of sealed.envelopes) this.records.push(storeRecord(this.bus.toRecord(env)));
    return sealed;
  }

  put(table: { name: string }, row: object, version: number): void {
    this.ops.push({ op: 'put', table: table.name, item: asItem(row), version });
  }
}
