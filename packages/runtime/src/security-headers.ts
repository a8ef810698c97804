// Security headers on every response. API JSON is never cached (it names balances and bank
// details); the Swagger UI under /docs gets a Content-Security-Policy of its own origin only;
// HSTS is sent only when the request came over TLS (directly or via a proxy's
// x-forwarded-proto), since on plain HTTP it would be ignored and on loopback it would pin
// localhost to HTTPS.

import type { FastifyReply, FastifyRequest } from 'fastify';

export const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
export const HSTS = 'max-age=31536000; includeSubDomains';

export function overTls(req: FastifyRequest): boolean {
  if ((req.raw.socket as { encrypted?: boolean }).encrypted === true) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

export async function securityHeaders(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  const path = req.url.split('?')[0] ?? '';
  const type = String(reply.getHeader('content-type') ?? '');
  // Pages (Swagger UI, any HTML a plugin serves) may load their own origin's scripts and styles;
  // everything else is data and may load nothing.
  const page = path === '/docs' || path.startsWith('/docs/') || type.startsWith('text/html');
  if (!reply.hasHeader('content-security-policy'))
    reply.header('content-security-policy', page ? DOCS_CSP : API_CSP);
  if (type.startsWith('application/json') && !reply.hasHeader('cache-control'))
    reply.header('cache-control', 'no-store');
  if (overTls(req)) reply.header('strict-transport-security', HSTS);
}
