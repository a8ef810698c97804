// The endpoints API (tenant-scoped; the admin scope manages webhooks):
//   POST   /v1/webhook-endpoints                  {url, events[], description?} → 201 with the secret, once
//   GET    /v1/webhook-endpoints                  list (?limit=&cursor=)
//   GET    /v1/webhook-endpoints/{id}
//   PATCH  /v1/webhook-endpoints/{id}             {url?, events?, enabled?, description?}
//   DELETE /v1/webhook-endpoints/{id}             → 204
//   POST   /v1/webhook-endpoints/{id}/rotate-secret → the new secret, once; the old one signs 24 h more
//   GET    /v1/webhook-endpoints/{id}/deliveries  attempts, status codes, latency, next retry
//   POST   /v1/webhook-deliveries/{id}/retry      → 202, due now, same webhook-id
// Another tenant's endpoint or delivery answers 404, as a missing one does.

import { randomBytes } from 'node:crypto';
import { authOf, requireScope, type TenantDirectory } from '@paystream/auth';
import { type Clock, PaystreamError } from '@paystream/core';
import type { HttpServer } from '@paystream/runtime';
import { Type } from '@sinclair/typebox';
import { MAX_ENDPOINTS_PER_TENANT } from '../delivery/materializer.js';
import { WEBHOOK_EVENT_TYPES } from '../domain/catalog.js';
import { type Delivery, manualRetry } from '../domain/delivery.js';
import {
  type Endpoint,
  MAX_DESCRIPTION_LENGTH,
  MAX_URL_LENGTH,
  newEndpoint,
  ROTATION_OVERLAP_MS,
  rotate,
  setEnabled,
  validateDescription,
  validateEvents,
  validateUrl,
} from '../domain/endpoint.js';
import type { SecretBox } from '../secrets.js';
import { formatSecret, newSecretBytes } from '../signing/signature.js';
import { type Resolver, resolveTarget } from '../ssrf/guard.js';
import { conflict, type WebhookRepository } from '../store/repository.js';

export interface WebhookRoutesDeps {
  readonly directory: TenantDirectory;
  readonly repo: WebhookRepository;
  readonly secrets: SecretBox;
  readonly clock: Clock;
  readonly resolver: Resolver;
  readonly allowPrivate: boolean;
  /** Called when deliveries become due (a manual retry, an endpoint enabled again). */
  readonly onDue: () => void;
}

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_]+$' });
const Page = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
});
const EventTypes = Type.Array(Type.String({ enum: [...WEBHOOK_EVENT_TYPES] } as never), {
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES.length * 2,
});
const Url = Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH });
const Description = Type.Union([Type.String({ maxLength: MAX_DESCRIPTION_LENGTH }), Type.Null()]);

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE;
  const n = Number(raw);
  if (n < 1 || n > MAX_PAGE)
    throw new PaystreamError('invalid_limit', `limit must be 1..${MAX_PAGE}`, 'limit');
  return n;
}

export function endpointView(e: Endpoint, nowMs: number) {
  const rotating = e.secrets.find((s) => s.expiresAtMs !== null && s.expiresAtMs > nowMs);
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    previousSecretExpiresAt: rotating ? iso(rotating.expiresAtMs) : null,
    createdAt: iso(e.createdAtMs),
    updatedAt: iso(e.updatedAtMs),
  };
}

export function deliveryView(d: Delivery) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attemptCount: d.attemptCount,
    attempts: d.attempts.map((a) => ({
      at: iso(a.atMs),
      statusCode: a.statusCode,
      latencyMs: a.latencyMs,
      error: a.error,
    })),
    nextAttemptAt: iso(d.nextAttemptAtMs ?? null),
    createdAt: iso(d.createdAtMs),
  };
}

function notFound(id: string): PaystreamError {
  return new PaystreamError('webhook_endpoint_not_found', `no webhook endpoint ${id}`, 'id');
}

export function webhookRoutes(deps: WebhookRoutesDeps) {
  const { repo, secrets, clock } = deps;
  const admin = requireScope(deps.directory, 'admin');
  const checkTarget = async (url: URL) => {
    await resolveTarget(url, deps.allowPrivate, deps.resolver);
  };

  return async (app: HttpServer): Promise<void> => {
    app.post(
      '/v1/webhook-endpoints',
      {
        preHandler: admin,
        schema: {
          tags: ['webhooks'],
          summary: 'Register a webhook endpoint; the signing secret is in this response only',
          body: Type.Object(
            { url: Url, events: EventTypes, description: Type.Optional(Description) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const tenantId = authOf(req).tenant.id;
        const url = validateUrl(req.body.url);
        const events = validateEvents(req.body.events);
        const description = validateDescription(req.body.description);
        await checkTarget(url);
        const existing = await repo.tenantEndpoints(tenantId, MAX_ENDPOINTS_PER_TENANT);
        if (existing.items.length >= MAX_ENDPOINTS_PER_TENANT)
          throw new PaystreamError(
            'too_many_endpoints',
            `a tenant has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints`,
          );
        const id = `whep_${randomBytes(13).toString('hex')}`;
        const nowMs = clock.nowMs();
        const key = newSecretBytes();
        const sealed = await secrets.seal(tenantId, id, key, nowMs);
        const e = newEndpoint({ id, tenantId, url, events, description, secret: sealed, nowMs });
        await repo.putEndpoint(e, 1);
        return reply.status(201).send({ ...endpointView(e, nowMs), secret: formatSecret(key) });
      },
    );

    app.get(
      '/v1/webhook-endpoints',
      { preHandler: admin, schema: { tags: ['webhooks'], querystring: Page } },
      async (req) => {
        const page = await repo.tenantEndpoints(
          authOf(req).tenant.id,
          limitOf(req.query.limit),
          req.query.cursor,
        );
        const nowMs = clock.nowMs();
        return { data: page.items.map((e) => endpointView(e, nowMs)), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/v1/webhook-endpoints/:id',
      { preHandler: admin, schema: { tags: ['webhooks'], params: Type.Object({ id: Id }) } },
      async (req) => {
        const e = await repo.ownedEndpoint(authOf(req).tenant.id, req.params.id);
        if (!e) throw notFound(req.params.id);
        return endpointView(e.value, clock.nowMs());
      },
    );

    app.patch(
      '/v1/webhook-endpoints/:id',
      {
        preHandler: admin,
        schema: {
          tags: ['webhooks'],
          params: Type.Object({ id: Id }),
          body: Type.Object(
            {
              url: Type.Optional(Url),
              events: Type.Optional(EventTypes),
              enabled: Type.Optional(Type.Boolean()),
              description: Type.Optional(Description),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
        },
      },
      async (req) => {
        const tenantId = authOf(req).tenant.id;
        const body = req.body;
        const url = body.url !== undefined ? validateUrl(body.url) : undefined;
        const events = body.events !== undefined ? validateEvents(body.events) : undefined;
        const description =
          body.description !== undefined ? validateDescription(body.description) : undefined;
        if (url) await checkTarget(url);
        const cur = await repo.ownedEndpoint(tenantId, req.params.id);
        if (!cur) throw notFound(req.params.id);
        const nowMs = clock.nowMs();
        let next: Endpoint = {
          ...cur.value,
          ...(url ? { url: url.href } : {}),
          ...(events ? { events } : {}),
          ...(description !== undefined ? { description } : {}),
          updatedAtMs: nowMs,
        };
        if (body.enabled !== undefined && body.enabled !== next.enabled)
          next = setEnabled(next, body.enabled, body.enabled ? null : 'manual', nowMs);
        if (!(await repo.putEndpoint(next, cur.v + 1))) throw conflict('the endpoint');
        if (next.enabled && !cur.value.enabled) deps.onDue();
        return endpointView(next, nowMs);
      },
    );

    app.delete(
      '/v1/webhook-endpoints/:id',
      { preHandler: admin, schema: { tags: ['webhooks'], params: Type.Object({ id: Id }) } },
      async (req, reply) => {
        const cur = await repo.ownedEndpoint(authOf(req).tenant.id, req.params.id);
        if (!cur) throw notFound(req.params.id);
        // Its sealed secrets go with it; its pending deliveries are never sent (only enabled,
        // existing endpoints are polled).
        await repo.deleteEndpoint(req.params.id);
        return reply.status(204).send();
      },
    );

    app.post(
      '/v1/webhook-endpoints/:id/rotate-secret',
      { preHandler: admin, schema: { tags: ['webhooks'], params: Type.Object({ id: Id }) } },
      async (req) => {
        const tenantId = authOf(req).tenant.id;
        const cur = await repo.ownedEndpoint(tenantId, req.params.id);
        if (!cur) throw notFound(req.params.id);
        const nowMs = clock.nowMs();
        const key = newSecretBytes();
        const sealed = await secrets.seal(tenantId, cur.value.id, key, nowMs);
        const next = rotate(cur.value, sealed, nowMs);
        if (!(await repo.putEndpoint(next, cur.v + 1))) throw conflict('the endpoint');
        return {
          ...endpointView(next, nowMs),
          secret: formatSecret(key),
          previousSecretExpiresAt: iso(nowMs + ROTATION_OVERLAP_MS),
        };
      },
    );

    app.get(
      '/v1/webhook-endpoints/:id/deliveries',
      {
        preHandler: admin,
        schema: { tags: ['webhooks'], params: Type.Object({ id: Id }), querystring: Page },
      },
      async (req) => {
        const e = await repo.ownedEndpoint(authOf(req).tenant.id, req.params.id);
        if (!e) throw notFound(req.params.id);
        const page = await repo.endpointDeliveries(e.value.id, limitOf(req.query.limit), req.query.cursor);
        return { data: page.items.map(deliveryView), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/v1/webhook-deliveries/:id/retry',
      { preHandler: admin, schema: { tags: ['webhooks'], params: Type.Object({ id: Id }) } },
      async (req, reply) => {
        const tenantId = authOf(req).tenant.id;
        const d = await repo.delivery(req.params.id);
        if (!d || d.value.tenantId !== tenantId)
          throw new PaystreamError(
            'webhook_delivery_not_found',
            `no webhook delivery ${req.params.id}`,
            'id',
          );
        const ep = await repo.ownedEndpoint(tenantId, d.value.endpointId);
        if (!ep) throw notFound(d.value.endpointId);
        if (!ep.value.enabled)
          throw new PaystreamError(
            'webhook_endpoint_disabled',
            `endpoint ${ep.value.id} is disabled; enable it (PATCH {"enabled": true}) first`,
            'id',
          );
        const next = manualRetry(d.value, clock.nowMs());
        if (!(await repo.putDelivery(next, d.v + 1))) throw conflict('the delivery');
        deps.onDue();
        return reply.status(202).send(deliveryView(next));
      },
    );
  };
}
