// Reads and version-checked writes of endpoints, events and deliveries.

import { PaystreamError } from '@paystream/core';
import { type Item, MAX_QUERY_LIMIT, type ReadStore } from '@paystream/readstore';
import type { Delivery } from '../domain/delivery.js';
import type { Endpoint } from '../domain/endpoint.js';
import { WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, WEBHOOK_EVENTS } from './tables.js';

export interface Versioned<T> {
  readonly value: T;
  readonly v: number;
}

export interface StoredEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly type: string;
  /** The JSON body, exactly as signed and sent. */
  readonly body: string;
}

function split<T>(item: Item | null): Versioned<T> | null {
  if (item === null) return null;
  const { v, ...rest } = item;
  return { value: rest as unknown as T, v: v as number };
}

const asItem = (x: object, v: number): Item => ({ ...(x as unknown as Item), v });

export class WebhookRepository {
  constructor(private readonly store: ReadStore) {}

  async endpoint(id: string): Promise<Versioned<Endpoint> | null> {
    return split<Endpoint>(await this.store.get(WEBHOOK_ENDPOINTS, { id }));
  }

  /** The tenant's endpoint, or null for a missing one and for another tenant's. */
  async ownedEndpoint(tenantId: string, id: string): Promise<Versioned<Endpoint> | null> {
    const e = await this.endpoint(id);
    return e && e.value.tenantId === tenantId ? e : null;
  }

  async tenantEndpoints(tenantId: string, limit: number, cursor?: string) {
    const page = await this.store.query(WEBHOOK_ENDPOINTS, {
      index: 'by_tenant',
      pk: tenantId,
      limit,
      ...(cursor ? { cursor } : {}),
    });
    return { items: page.items.map((i) => split<Endpoint>(i)!.value), nextCursor: page.nextCursor };
  }

  /** Every enabled endpoint, of every tenant, page by page. */
  async *activeEndpoints(): AsyncGenerator<Versioned<Endpoint>> {
    let cursor: string | null = null;
    do {
      const page = await this.store.query(WEBHOOK_ENDPOINTS, {
        index: 'active',
        pk: 'enabled',
        limit: MAX_QUERY_LIMIT,
        ...(cursor ? { cursor } : {}),
      });
      for (const i of page.items) yield split<Endpoint>(i)!;
      cursor = page.nextCursor;
    } while (cursor !== null);
  }

  /** Writes version `v`; false when another writer got there first. */
  async putEndpoint(e: Endpoint, v: number): Promise<boolean> {
    return await this.store.putIfNewer(WEBHOOK_ENDPOINTS, asItem(e, v), v);
  }

  async deleteEndpoint(id: string): Promise<void> {
    await this.store.delete(WEBHOOK_ENDPOINTS, { id });
  }

  async event(id: string): Promise<StoredEvent | null> {
    const item = await this.store.get(WEBHOOK_EVENTS, { id });
    return item ? (split<StoredEvent>(item)!.value as StoredEvent) : null;
  }

  /** First write wins: a redelivered or replayed log event finds its webhook event stored. */
  async putEvent(e: StoredEvent): Promise<boolean> {
    return await this.store.putIfNewer(WEBHOOK_EVENTS, asItem(e, 1), 1);
  }

  async delivery(id: string): Promise<Versioned<Delivery> | null> {
    return split<Delivery>(await this.store.get(WEBHOOK_DELIVERIES, { id }));
  }

  async putDelivery(d: Delivery, v: number): Promise<boolean> {
    return await this.store.putIfNewer(WEBHOOK_DELIVERIES, asItem(d, v), v);
  }

  async dueDeliveries(endpointId: string, nowMs: number, limit: number): Promise<Versioned<Delivery>[]> {
    const page = await this.store.query(WEBHOOK_DELIVERIES, {
      index: 'due',
      pk: endpointId,
      range: { lte: nowMs },
      limit,
    });
    return page.items.map((i) => split<Delivery>(i)!);
  }

  async endpointDeliveries(endpointId: string, limit: number, cursor?: string) {
    const page = await this.store.query(WEBHOOK_DELIVERIES, {
      index: 'by_endpoint',
      pk: endpointId,
      limit,
      descending: true,
      ...(cursor ? { cursor } : {}),
    });
    return { items: page.items.map((i) => split<Delivery>(i)!.value), nextCursor: page.nextCursor };
  }
}

export function conflict(what: string): PaystreamError {
  return new PaystreamError('write_conflict', `${what} was changed concurrently; retry`);
}
