// The envelope every record carries, and the per-aggregate hash chain that makes tampering
// evident: hash = sha256(prevHash ‖ Avro bytes of the envelope with hash = '' and schemaId = 0).
// schemaId is left out because the same event may be re-registered under another id (embedded
// vs Confluent registry) without its meaning changing.

import { GENESIS_HASH, sha256Hex } from '@paystream/core';
import type { Payloads, PayloadType } from './generated/payloads.js';

export interface Envelope<T extends PayloadType = PayloadType> {
  readonly eventId: string;
  readonly type: T;
  readonly aggregateId: string;
  readonly aggregateVersion: number;
  readonly tenantId: string;
  readonly occurredAtMs: number;
  readonly causationId: string | null;
  readonly correlationId: string;
  readonly schemaId: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly payload: Payloads[T];
}

/** An envelope before it is chained: the writer supplies everything but the hashes. */
export type UnchainedEnvelope<T extends PayloadType = PayloadType> = Omit<
  Envelope<T>,
  'prevHash' | 'hash' | 'schemaId'
>;

export { GENESIS_HASH };

export function chainHash(prevHash: string, canonicalBytes: Uint8Array): string {
  return sha256Hex(prevHash, canonicalBytes);
}
