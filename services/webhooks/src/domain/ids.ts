// Ids a redelivery or a replay computes again, identically: the webhook event from the log
// position of the event that caused it, the delivery from the event and the endpoint.

import { deterministicId } from '@paystream/core';
import type { RecordPosition } from '@paystream/log';

/** `evt_…`: the `id` of the event body and the `webhook-id` header of every attempt. */
export function webhookEventId(p: RecordPosition): string {
  return deterministicId('evt', 'webhook', p.topic, String(p.partition), String(p.offset));
}

export function deliveryId(eventId: string, endpointId: string): string {
  return deterministicId('whdel', eventId, endpointId);
}
