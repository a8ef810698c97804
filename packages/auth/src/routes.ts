// The key lifecycle over HTTP (admin scope), the same operations as `npx paystream keys`:
//   POST   /v1/api-keys            {scopes, label?, expiresAt?, tenantId?} → the secret, once
//   GET    /v1/api-keys            the tenant's keys (never a secret)
//   DELETE /v1/api-keys/{id}       revoke
//   GET    /v1/api-keys/events     who created, revoked, replaced or used which key, when
//   POST   /v1/tenants, GET /v1/tenants   (platform operator only)
// A tenant admin manages its own tenant's keys; naming another tenant, or granting `operator`,
// needs an operator key. Another tenant's key id answers 404 like a missing one.

import { PaystreamError } from '@paystream/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { type AuthContext, actorOf, authOf, isOperator, requireScope } from './plugin.js';
import { SCOPES, type TenantDirectory } from './tenants.js';

const TenantId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;

function tenantFor(auth: AuthContext, requested: string | undefined): string {
  if (requested === undefined || requested === auth.tenant.id) return auth.tenant.id;
  if (!isOperator(auth)) throw new PaystreamError('tenant_not_found', `no tenant ${requested}`, 'tenantId');
  return requested;
}

function parseExpiry(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(raw) || !Number.isFinite(ms))
    throw new PaystreamError('invalid_expiry', 'expiresAt must be an ISO 8601 date or time', 'expiresAt');
  return ms;
}

/** The routes as a fastify plugin: `await app.register(keyRoutes(directory))`. */
export function keyRoutes(directory: TenantDirectory): FastifyPluginAsync {
  return async (app) => registerKeyRoutes(app, directory);
}

async function registerKeyRoutes(app: FastifyInstance, directory: TenantDirectory): Promise<void> {
  const admin = requireScope(directory, 'admin');
  const operator = requireScope(directory, 'operator');

  app.post<{ Body: { scopes: string[]; label?: string; expiresAt?: string; tenantId?: string } }>(
    '/v1/api-keys',
    {
      onRequest: admin,
      schema: {
        summary: 'Create an API key; the secret is in this response only',
        tags: ['keys'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['scopes'],
          properties: {
            scopes: { type: 'array', minItems: 1, maxItems: 4, items: { type: 'string', enum: [...SCOPES] } },
            label: { type: 'string', maxLength: 100 },
            expiresAt: { type: 'string', maxLength: 40 },
            tenantId: TenantId,
          },
        },
      },
    },
    async (req, reply) => {
      const auth = authOf(req);
      const tenantId = tenantFor(auth, req.body.tenantId);
      if (req.body.scopes.includes('operator') && !isOperator(auth))
        throw new PaystreamError(
          'insufficient_scope',
          'only a platform operator grants "operator"',
          'scopes',
        );
      const created = await directory.createKey({
        tenantId,
        scopes: req.body.scopes,
        ...(req.body.label === undefined ? {} : { label: req.body.label }),
        expiresAtMs: parseExpiry(req.body.expiresAt),
        actor: actorOf(auth),
      });
      return reply.status(201).send({ ...created.view, key: created.key });
    },
  );

  app.get<{ Querystring: { tenantId?: string } }>(
    '/v1/api-keys',
    {
      onRequest: admin,
      schema: {
        summary: "The tenant's API keys (ids, scopes, status; never a secret)",
        tags: ['keys'],
        querystring: { type: 'object', additionalProperties: false, properties: { tenantId: TenantId } },
      },
    },
    async (req) => {
      const tenantId = tenantFor(authOf(req), req.query.tenantId);
      return { items: await directory.listKeys(tenantId) };
    },
  );

  app.get<{ Querystring: { tenantId?: string; limit?: number; cursor?: string } }>(
    '/v1/api-keys/events',
    {
      onRequest: admin,
      schema: {
        summary: 'Key events of the tenant, newest first: created, revoked, replaced, used, refused',
        tags: ['keys'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            tenantId: TenantId,
            limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
            cursor: { type: 'string', minLength: 1, maxLength: 2048 },
          },
        },
      },
    },
    async (req) => {
      const tenantId = tenantFor(authOf(req), req.query.tenantId);
      const limit = Math.min(Math.max(Number(req.query.limit ?? 50), 1), 100);
      return await directory.events.list(tenantId, limit, req.query.cursor);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/api-keys/:id',
    {
      onRequest: admin,
      schema: {
        summary: 'Revoke an API key (refused everywhere within the auth cache TTL)',
        tags: ['keys'],
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{16}$' } } },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>) => {
      const auth = authOf(req);
      const revoked = await directory.revokeKey(
        isOperator(auth) ? null : auth.tenant.id,
        req.params.id,
        actorOf(auth),
      );
      if (!revoked) throw new PaystreamError('not_found', `no API key ${req.params.id}`, 'id');
      return revoked;
    },
  );

  app.post<{
    Body: {
      id: string;
      name?: string;
      platformFeeBps?: number;
      minAmountMinor?: number;
      maxAmountMinor?: number;
      amountLimits?: Record<string, { minAmountMinor: number; maxAmountMinor: number }>;
    };
  }>(
    '/v1/tenants',
    {
      onRequest: operator,
      schema: {
        summary: 'Create a tenant (platform operator)',
        tags: ['tenants'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: {
            id: TenantId,
            name: { type: 'string', minLength: 1, maxLength: 200 },
            platformFeeBps: { type: 'integer', minimum: 0, maximum: 10_000 },
            minAmountMinor: { type: 'integer', minimum: 1 },
            maxAmountMinor: { type: 'integer', minimum: 1 },
            amountLimits: {
              type: 'object',
              maxProperties: 50,
              propertyNames: { pattern: '^[A-Z]{3}$' },
              additionalProperties: {
                type: 'object',
                additionalProperties: false,
                required: ['minAmountMinor', 'maxAmountMinor'],
                properties: {
                  minAmountMinor: { type: 'integer', minimum: 1 },
                  maxAmountMinor: { type: 'integer', minimum: 1 },
                },
              },
            },
          },
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await directory.createTenant(req.body, actorOf(authOf(req)))),
  );

  app.get(
    '/v1/tenants',
    { onRequest: operator, schema: { summary: 'Every tenant (platform operator)', tags: ['tenants'] } },
    async () => ({
      items: await directory.listTenants(),
    }),
  );
}
