// The webhook tables in the read store (SQLite embedded, DynamoDB in Kafka mode). Every item
// carries its version `v`; writes are putIfNewer(v), so concurrent writers (two dispatchers, an
// API call racing a delivery) are optimistic: one wins, the other reads again.

import { defineTable } from '@paystream/readstore';

export const WEBHOOK_ENDPOINTS = defineTable({
  name: 'webhook_endpoints',
  key: { pk: 'id' },
  indexes: [
    { name: 'by_tenant', pk: 'tenantId', sk: 'createdKey' },
    // Sparse: only enabled endpoints carry `active`.
    { name: 'active', pk: 'active', sk: 'id' },
  ],
});

/** One item per webhook event: the body every attempt to every endpoint sends, byte for byte. */
export const WEBHOOK_EVENTS = defineTable({ name: 'webhook_events', key: { pk: 'id' } });

export const WEBHOOK_DELIVERIES = defineTable({
  name: 'webhook_deliveries',
  key: { pk: 'id' },
  indexes: [
    { name: 'by_endpoint', pk: 'endpointId', sk: 'createdKey' },
    // Sparse: only pending deliveries carry `dueEndpoint`.
    { name: 'due', pk: 'dueEndpoint', sk: { name: 'nextAttemptAtMs', type: 'number' } },
  ],
});

export const WEBHOOK_TABLES = [WEBHOOK_ENDPOINTS, WEBHOOK_EVENTS, WEBHOOK_DELIVERIES];
