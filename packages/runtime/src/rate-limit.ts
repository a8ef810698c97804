// Per-key request rate limits for a group of routes (an encapsulated fastify scope). Keyed by
// the authenticated key's id (set by requireScope in onRequest; the limiter runs in
// preHandler, after it), so one marketplace backend behind one address is limited as one key.

import rateLimit from '@fastify/rate-limit';
import { PaystreamError } from '@paystream/core';
import type { FastifyInstance } from 'fastify';

export interface RateLimitOptions {
  readonly max: number;
  readonly timeWindowMs: number;
}

/** Reads as writes: 10,000 requests a minute per key. */
export const DEFAULT_KEY_RATE_LIMIT: RateLimitOptions = { max: 10_000, timeWindowMs: 60_000 };

export async function perKeyRateLimit(
  scope: FastifyInstance,
  options: RateLimitOptions = DEFAULT_KEY_RATE_LIMIT,
): Promise<void> {
  await scope.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: options.max,
    timeWindow: options.timeWindowMs,
    keyGenerator: (req) => (req as { auth?: { keyId: string } }).auth?.keyId ?? req.ip,
    errorResponseBuilder: (_req, ctx) =>
      new PaystreamError(
        'rate_limited',
        `rate limit of ${ctx.max} requests per ${ctx.after} exceeded; retry later`,
      ),
  });
}
