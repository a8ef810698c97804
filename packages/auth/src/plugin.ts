// Authentication for every route: `Authorization: Bearer <key>` → tenant and scopes on the
// request. Routes declare the scope they need; another tenant's resources are the route's
// business (they answer 404, never 403, so ids do not leak across tenants).

import { PaystreamError } from '@paystream/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Scope, Tenant, TenantDirectory } from './tenants.js';

export interface AuthContext {
  readonly tenant: Tenant;
  readonly scopes: readonly Scope[];
  /** Hash of the key, for per-key rate limits and logs (never the key itself). */
  readonly keyId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{16,256})$/;

/** A preHandler that authenticates and checks `scope`; attach it to each route. */
export function requireScope(directory: TenantDirectory, scope: Scope) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization;
    if (!header)
      throw new PaystreamError('unauthorized', 'missing Authorization: Bearer <api key>', 'authorization');
    const m = BEARER.exec(header);
    if (!m)
      throw new PaystreamError('unauthorized', 'Authorization must be "Bearer <api key>"', 'authorization');
    const found = await directory.lookup(m[1]!);
    if (!found) throw new PaystreamError('invalid_api_key', 'the API key is not valid', 'authorization');
    if (!grants(found.scopes, scope)) {
      throw new PaystreamError(
        'insufficient_scope',
        `this API key lacks the "${scope}" scope`,
        'authorization',
      );
    }
    req.auth = { tenant: found.tenant, scopes: found.scopes, keyId: found.keyHash.slice(0, 16) };
  };
}

/** Whether `scopes` grant `scope`: admin implies read and write; only operator grants operator. */
export function grants(scopes: readonly Scope[], scope: Scope): boolean {
  if (scopes.includes(scope)) return true;
  return scope !== 'operator' && scopes.includes('admin');
}

/** A platform operator's key (sees every tenant), as opposed to a tenant admin's. */
export function isOperator(auth: AuthContext): boolean {
  return auth.scopes.includes('operator');
}

/** The authenticated context; throws if a route forgot its preHandler (a bug, not a 401). */
export function authOf(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new Error(`route ${req.routeOptions.url} has no requireScope preHandler`);
  return req.auth;
}
