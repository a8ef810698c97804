// Deterministic ids. Nothing in the domain is random: an id is a hash of the payment and the
// command that caused it, so deciding a redelivered command again produces the same ids, and
// the log's idempotent writes recognise the duplicate.

import { deterministicId } from '@paystream/core';

/**
 * A payment's id from its tenant and the Idempotency-Key it was created with (HTTP header or the
 * inbound record's `idempotencyKey`): a retry can never create a second payment, and a producer
 * can compute the id of what it sent. `pay_` + the first 26 hex digits of
 * sha256(tenantId ‖ 0x1f ‖ idempotencyKey), UTF-8.
 */
export const paymentIdFor = (tenantId: string, idempotencyKey: string): string =>
  deterministicId('pay', tenantId, idempotencyKey);

/** One escrow per payment, so its id depends on the payment alone. */
export const escrowIdFor = (paymentId: string): string => deterministicId('esc', paymentId);
export const releaseIdFor = (paymentId: string, commandId: string): string =>
  deterministicId('rel', paymentId, commandId);
export const refundIdFor = (paymentId: string, commandId: string): string =>
  deterministicId('rfd', paymentId, commandId);
export const disputeIdFor = (paymentId: string, commandId: string): string =>
  deterministicId('dsp', paymentId, commandId);

/** The envelope eventId of the index-th event a command produced for a payment. */
export const eventIdFor = (paymentId: string, commandId: string, index: number): string =>
  deterministicId('evt', paymentId, commandId, String(index));
