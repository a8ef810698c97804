// Builds envelopes on an aggregate's hash chain. A writer keeps, per aggregate it owns, the
// version and hash of the last event it wrote (or read back on start).

import { GENESIS_HASH } from '@paystream/core';
import type { Envelope, EnvelopeCodec, Payloads, PayloadType } from '@paystream/schemas';

export interface ChainHead {
  readonly version: number;
  readonly hash: string;
}

export const NEW_CHAIN: ChainHead = { version: 0, hash: GENESIS_HASH };

export interface EventMeta {
  readonly eventId: string;
  readonly aggregateId: string;
  readonly tenantId: string;
  readonly occurredAtMs: number;
  readonly causationId: string | null;
  readonly correlationId: string;
}

/** Seals `events` onto the chain after `head`; returns them and the new head. */
export function sealOnto(
  codec: EnvelopeCodec,
  head: ChainHead,
  events: readonly { type: PayloadType; payload: Payloads[PayloadType]; meta: EventMeta }[],
): { envelopes: Envelope[]; head: ChainHead } {
  let current = head;
  const envelopes: Envelope[] = [];
  for (const e of events) {
    const sealed = codec.chain(
      { ...e.meta, type: e.type, aggregateVersion: current.version + 1, payload: e.payload },
      current.hash,
    );
    envelopes.push(sealed);
    current = { version: sealed.aggregateVersion, hash: sealed.hash };
  }
  return { envelopes, head: current };
}

/** A command is not part of any chain: it is a request, sealed only so it carries a checksum. */
export function sealCommand<T extends PayloadType>(
  codec: EnvelopeCodec,
  type: T,
  payload: Payloads[T],
  meta: EventMeta,
): Envelope<T> {
  return codec.chain({ ...meta, type, aggregateVersion: 0, payload }, GENESIS_HASH);
}
