// The consumer side (group paystream-webhooks on the events topic): each log event that is a
// webhook event becomes one stored webhook event (id from its log position, body built once)
// and one pending delivery per endpoint that wants it. Nothing is sent here, so a slow endpoint
// never holds up a partition: the batch commits once its rows are written, and the dispatcher
// sends from the store. A redelivered or replayed batch rewrites nothing (first write wins).

import { PaystreamError } from '@paystream/core';
import type { EventRecord } from '@paystream/eventing';
import { type Position, positionAfter } from '@paystream/log';
import { PROJECTIONS_GROUP } from '@paystream/projections';
import type { Engines, Logger } from '@paystream/runtime';
import type { EventPublisher } from '../aws/sns.js';
import { type Classified, classify, refineType, type WebhookEventType } from '../domain/catalog.js';
import { newDelivery } from '../domain/delivery.js';
import { type Endpoint, wants } from '../domain/endpoint.js';
import { deliveryId, webhookEventId } from '../domain/ids.js';
import { loadResource } from '../resources.js';
import type { StoredEvent, WebhookRepository } from '../store/repository.js';

export const WEBHOOKS_GROUP = 'paystream-webhooks';
/** Endpoints per tenant; POST answers 409 beyond it. */
export const MAX_ENDPOINTS_PER_TENANT = 100;
/**
 * An endpoint created this long after an event does not get it: a replay of this consumer
 * group offers old events only to the endpoints that existed when they happened (with slack
 * for clocks of different hosts).
 */
export const ENDPOINT_CREATION_SLACK_MS = 5 * 60_000;

export interface MaterializerDeps {
  readonly engines: Engines;
  readonly repo: WebhookRepository;
  readonly logger: Logger;
  readonly publisher: EventPublisher | null;
  readonly projectionsWaitMs: number;
  /** Called after a batch created deliveries (the dispatcher looks at once). */
  readonly onDeliveries: () => void;
}

function candidates(c: Classified): WebhookEventType[] {
  return c.type === 'escrow.released' ? ['escrow.released', 'escrow.partially_released'] : [c.type];
}

export class Materializer {
  constructor(private readonly deps: MaterializerDeps) {}

  readonly handle = async (records: readonly EventRecord[]): Promise<void> => {
    const { engines, repo, logger } = this.deps;
    const found = records.flatMap((r) => {
      const c = classify(r.envelope);
      return c ? [{ r, c }] : [];
    });
    if (found.length === 0) return;
    const endpoints = new Map<string, Endpoint[]>();
    const endpointsOf = async (tenantId: string): Promise<Endpoint[]> => {
      let list = endpoints.get(tenantId);
      if (!list) {
        list = (await repo.tenantEndpoints(tenantId, MAX_ENDPOINTS_PER_TENANT)).items;
        endpoints.set(tenantId, list);
      }
      return list;
    };
    // Only events some endpoint (or the SNS topic) wants are built: with no endpoints, a batch
    // costs one query per tenant.
    const wanted = [];
    for (const { r, c } of found) {
      const e = r.envelope;
      const targets = (await endpointsOf(e.tenantId)).filter(
        (ep) =>
          ep.createdAtMs <= e.occurredAtMs + ENDPOINT_CREATION_SLACK_MS &&
          candidates(c).some((t) => wants(ep, t)),
      );
      if (targets.length > 0 || this.deps.publisher) wanted.push({ r, c, targets });
    }
    if (wanted.length === 0) return;
    // `data` is read from the read models, so they must have applied these events first.
    await this.#projected(positionAfter(wanted.map((f) => f.r.position)));
    let created = 0;
    for (const { r, c, targets } of wanted) {
      const e = r.envelope;
      const id = webhookEventId(r.position);
      let stored = await repo.event(id);
      if (!stored) {
        const resource = await loadResource(engines.readStore, e.tenantId, c.resource);
        if (!resource) {
          // The read models refused or dead-lettered the event: nothing to show, nothing to send.
          logger.error(
            { eventId: e.eventId, type: e.type, resource: c.resource },
            'webhook resource missing',
          );
          continue;
        }
        const type = refineType(c, resource.payment);
        const body = JSON.stringify({
          id,
          type,
          created: new Date(e.occurredAtMs).toISOString(),
          data: resource.data,
        });
        stored = { id, tenantId: e.tenantId, type, body } satisfies StoredEvent;
        // Published before it is stored: a crash in between publishes again (at least once).
        await this.deps.publisher?.publish(stored);
        await repo.putEvent(stored);
      }
      for (const ep of targets) {
        if (!wants(ep, stored.type)) continue;
        const d = newDelivery({
          id: deliveryId(stored.id, ep.id),
          tenantId: e.tenantId,
          endpointId: ep.id,
          eventId: stored.id,
          eventType: stored.type,
          nowMs: engines.clock.nowMs(),
        });
        if (await repo.putDelivery(d, 1)) created += 1;
      }
    }
    if (created > 0) this.deps.onDeliveries();
  };

  async #projected(position: Position): Promise<void> {
    const ok = await this.deps.engines.log.waitForGroup(
      PROJECTIONS_GROUP,
      position,
      this.deps.projectionsWaitMs,
    );
    if (!ok)
      throw new PaystreamError(
        'not_ready',
        'the read models have not applied these events yet; the batch will be redelivered',
      );
  }
}
