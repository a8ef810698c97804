// The operator console at /console: static assets (built at install, or at start when missing
// or stale) served by @fastify/static, in their own encapsulated scope so its strict
// Content-Security-Policy and headers apply to exactly these routes and merge with whatever
// headers the rest of the server sets. The console calls the API with a Bearer key (no cookies),
// so there is nothing for CSRF to ride on.

import fastifyStatic from '@fastify/static';
import type { HttpServer } from '@paystream/runtime';
import { ensureConsoleAssets } from './build.js';

/** No inline script or style anywhere; everything from this origin; no framing. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export interface ConsoleOptions {
  /** Where the built assets are (default: the package's dist/, built if needed). */
  readonly assetsDir?: string;
}

export async function registerConsole(app: HttpServer, options: ConsoleOptions = {}): Promise<void> {
  const root = options.assetsDir ?? (await ensureConsoleAssets());
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_req, reply, payload) => {
      for (const [k, v] of Object.entries(CONSOLE_HEADERS)) reply.header(k, v);
      return payload;
    });
    scope.get('/console', { schema: { hide: true } }, async (_req, reply) =>
      reply.redirect('/console/', 301),
    );
    await scope.register(fastifyStatic, {
      root,
      prefix: '/console/',
      index: ['index.html'],
      // Built files change only with a new build; the HTML is always revalidated.
      cacheControl: true,
      maxAge: 0,
      schemaHide: true,
    });
  });
}
