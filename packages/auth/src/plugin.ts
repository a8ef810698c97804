// Authentication for every route: `Authorization: Bearer <key>` → tenant and scopes on the
// request. Routes attach requireScope as their `onRequest` hook, so a request is authenticated
// before its body is read: an anonymous 9 MB upload is refused on its headers, and anonymous
// malformed JSON gets 401, never a parse error. Failed attempts are throttled per client (429
// with Retry-After). Another tenant's resources are the route's business (they answer 404,
// never 403, so ids do not leak across tenants).

import { PaystreamError } from '@paystream/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { keyIdOf, type Scope, type Tenant, type TenantDirectory } from './tenants.js';

export interface AuthContext {
  readonly tenant: Tenant;
  readonly scopes: readonly Scope[];
  /** Public id of the key (first 16 hex digits of its hash), for rate limits and logs. */
  readonly keyId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{16,256})$/;

/** Whether `scopes` grant `scope`: admin implies read and write; only operator grants operator. */
export function grants(scopes: readonly Scope[], scope: Scope): boolean {
  if (scopes.includes(scope)) return true;
  return scope !== 'operator' && scopes.includes('admin');
}

/** A platform operator's key (sees every tenant), as opposed to a tenant admin's. */
export function isOperator(auth: AuthContext): boolean {
  return auth.scopes.includes('operator');
}

/** The actor a change is recorded under: the key's public id. */
export function actorOf(auth: AuthContext): string {
  return `key:${auth.keyId}`;
}

function throttled(retryAfterS: number): PaystreamError {
  return new PaystreamError(
    'too_many_failed_attempts',
    `too many failed authentication attempts from this client; retry in ${retryAfterS} s`,
    'authorization',
  );
}

/** An onRequest hook that authenticates and checks `scope`; attach it to each route. */
export function requireScope(directory: TenantDirectory, scope: Scope) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const client = req.ip;
    const wait = directory.throttle.retryAfterSeconds(client);
    const refuse = (err: PaystreamError): PaystreamError => {
      directory.throttle.fail(client);
      return err;
    };
    const header = req.headers.authorization;
    if ((!header || !BEARER.test(header)) && wait > 0) {
      reply.header('retry-after', String(wait));
      throw throttled(wait);
    }
    if (!header)
      throw refuse(
        new PaystreamError('unauthorized', 'missing Authorization: Bearer <api key>', 'authorization'),
      );
    const m = BEARER.exec(header);
    if (!m)
      throw refuse(
        new PaystreamError('unauthorized', 'Authorization must be "Bearer <api key>"', 'authorization'),
      );
    // A throttled client is answered from the cache alone: a key in use keeps working (a
    // backend may share its address with whoever is guessing), anything else costs no lookup.
    const found = wait > 0 ? directory.cachedLookup(m[1]!) : await directory.lookup(m[1]!, client);
    if (!found && wait > 0) {
      reply.header('retry-after', String(wait));
      throw throttled(wait);
    }
    if (!found)
      throw refuse(new PaystreamError('invalid_api_key', 'the API key is not valid', 'authorization'));
    if (!grants(found.scopes, scope)) {
      throw new PaystreamError(
        'insufficient_scope',
        `this API key lacks the "${scope}" scope`,
        'authorization',
      );
    }
    req.auth = { tenant: found.tenant, scopes: found.scopes, keyId: keyIdOf(found.keyHash) };
  };
}

/** The authenticated context; throws if a route forgot its requireScope hook (a bug, not a 401). */
export function authOf(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new Error(`route ${req.routeOptions.url} has no requireScope hook`);
  return req.auth;
}
