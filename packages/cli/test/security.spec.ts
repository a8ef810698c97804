// The security probe, repeated on every `npm test` against the whole product (embedded
// all-in-one over HTTP on loopback): platform operator vs tenant admin, key lifecycle and
// rotation, authentication before the body, the failed-auth throttle, response headers, file
// modes and hostile ids. The cross-tenant ACH window close and the NACHA digest are covered in
// services/ach-batcher/test/tenant-close.spec.ts (they need released funds and bank accounts).

import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@paystream/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, runServices } from '../src/compose.js';
import { availableServices } from '../src/services.js';

const OPERATOR_KEY = 'psk_security_operator_key_00000000000';
const ROTATED_KEY = 'psk_security_rotated_key_111111111111';

type Json = Record<string, unknown>;

async function start(dir: string, apiKey: string, env: Record<string, string> = {}): Promise<Running> {
  return await runServices(
    loadConfig({ PAYSTREAM_DATA: dir, PORT: '0', LOG_LEVEL: 'silent', PAYSTREAM_API_KEY: apiKey, ...env }),
    availableServices(),
  );
}

describe('security probe', () => {
  let dir = '';
  let running: Running;
  let acmeAdmin = '';
  let acmeRead = '';

  const call = async (method: string, path: string, key?: string, body?: unknown, headers: Json = {}) => {
    const res = await fetch(running.url + path, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(headers as Record<string, string>),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {}
    return { status: res.status, body: json, text, headers: res.headers };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paystream-security-'));
    // An install from before the hardening: a world-readable file and dir must be fixed on start.
    mkdirSync(join(dir, 'old'), { mode: 0o755 });
    writeFileSync(join(dir, 'old', 'notes.txt'), 'x', { mode: 0o644 });
    chmodSync(join(dir, 'old'), 0o755);
    chmodSync(dir, 0o755);
    running = await start(dir, OPERATOR_KEY);
    const tenant = await call('POST', '/v1/tenants', OPERATOR_KEY, { id: 'acme', name: 'Acme' });
    expect(tenant.status, tenant.text).toBe(201);
    const admin = await call('POST', '/v1/api-keys', OPERATOR_KEY, { tenantId: 'acme', scopes: ['admin'] });
    expect(admin.status, admin.text).toBe(201);
    acmeAdmin = String(admin.body.key);
    const read = await call('POST', '/v1/api-keys', acmeAdmin, { scopes: ['read'], label: 'reader' });
    expect(read.status, read.text).toBe(201);
    acmeRead = String(read.body.key);
  }, 60_000);

  afterAll(async () => {
    await running?.lifecycle.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the data dir owner-only: dir 0700, files 0600, an old install fixed on start', () => {
    const walk = (p: string): string[] => {
      const st = statSync(p);
      return st.isDirectory() ? [p, ...readdirSync(p).flatMap((n) => walk(join(p, n)))] : [p];
    };
    const loose = walk(dir).filter((p) => {
      const mode = statSync(p).mode & 0o777;
      return statSync(p).isDirectory() ? mode !== 0o700 : mode !== 0o600;
    });
    expect(loose).toEqual([]);
    expect(walk(dir).some((p) => p.endsWith('read.db-wal') || p.endsWith('log.db'))).toBe(true);
  });

  it('a tenant admin stays in its tenant: no operator grants, no other tenant, no platform audit or metrics', async () => {
    expect((await call('POST', '/v1/api-keys', acmeAdmin, { scopes: ['operator'] })).status).toBe(403);
    expect((await call('GET', '/v1/api-keys?tenantId=default', acmeAdmin)).status).toBe(404);
    expect((await call('GET', '/v1/tenants', acmeAdmin)).status).toBe(403);
    const verify = await call('GET', '/v1/audit/verify', acmeAdmin);
    expect(verify.status).toBe(200);
    expect(verify.body.scope).toEqual({ tenantId: 'acme' });
    expect((await call('GET', '/v1/audit/verify', OPERATOR_KEY)).body.scope).toBe('platform');
    expect((await call('GET', '/metrics')).status).toBe(401);
    expect((await call('GET', '/metrics', acmeAdmin)).status).toBe(403);
    const metrics = await call('GET', '/metrics', OPERATOR_KEY);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_requests_total');
  });

  it('lists keys without secrets and refuses a revoked key at once', async () => {
    const created = await call('POST', '/v1/api-keys', acmeAdmin, {
      scopes: ['read'],
      expiresAt: '2099-01-01',
    });
    const key = String(created.body.key);
    expect((await call('GET', '/v1/payments/pay_nope', key)).status).toBe(404);
    const list = await call('GET', '/v1/api-keys', acmeAdmin);
    expect(list.text).not.toContain(key);
    expect((list.body.items as Json[]).map((k) => k.id)).toContain(created.body.id);
    const revoked = await call('DELETE', `/v1/api-keys/${String(created.body.id)}`, acmeAdmin);
    expect(revoked.body.status).toBe('revoked');
    expect((await call('GET', '/v1/payments/pay_nope', key)).body.code).toBe('invalid_api_key');
    const events = await call('GET', '/v1/api-keys/events', acmeAdmin);
    const actions = (events.body.items as Json[])
      .filter((e) => e.keyId === created.body.id)
      .map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['created', 'used', 'revoked']));
    expect(events.text).not.toContain(key);
  });

  it('authenticates before reading a body: an anonymous 9 MB upload is answered on its headers', async () => {
    const url = new URL(running.url);
    for (const path of ['/v1/payments', '/v1/ach/returns', '/v1/payments/pay_x/refunds']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json', 'content-length': String(9 * 1024 * 1024) },
        });
        // Only the headers are sent: the answer must come without a single body byte.
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', reject);
        req.flushHeaders();
        setTimeout(() => reject(new Error(`${path}: no answer without the body`)), 5_000);
      });
      expect(status, path).toBe(401);
    }
    // Malformed JSON from nobody is a 401, not a parse error.
    const res = await fetch(`${running.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(401);
  });

  it('sends security headers: nosniff, no-store on API JSON, CSP on /docs, HSTS only over TLS', async () => {
    const api = await call('GET', '/v1/payments/pay_nope', acmeRead);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect(api.headers.get('strict-transport-security')).toBeNull();
    const docs = await fetch(`${running.url}/docs`, { redirect: 'manual' });
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
    const tls = await call('GET', '/health', undefined, undefined, { 'x-forwarded-proto': 'https' });
    expect(tls.headers.get('strict-transport-security')).toContain('max-age=');
  });

  it('refuses control and bidi characters in ids, and treats a bare JSON POST release as "all"', async () => {
    const bad = await call('POST', '/v1/payment-methods/cards', acmeAdmin, {
      customerId: 'cus_\u0000\n\u202e../../etc',
      number: '4242424242424242',
      expMonth: 12,
      expYear: 2030,
      cvc: '123',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    const bare = await fetch(`${running.url}/v1/escrows/esc_nope/release`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acmeAdmin}`, 'content-type': 'application/json' },
    });
    const body = (await bare.json()) as Json;
    expect(body.code).not.toBe('malformed_json');
    expect(body.code).toBe('escrow_not_found');
  });

  it('throttles failed authentication per client (429 + Retry-After); a key in use keeps working', async () => {
    expect((await call('GET', '/v1/payments/pay_nope', acmeRead)).status).toBe(404); // cached now
    let last = { status: 0, headers: new Headers() };
    for (let i = 0; i < 25; i++) {
      last = await call('GET', '/v1/payments/pay_nope', `psk_wrong_key_${String(i).padStart(20, '0')}`);
    }
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('GET', '/v1/payments/pay_nope')).status).toBe(429);
    expect((await call('GET', '/v1/payments/pay_nope', acmeRead)).status).toBe(404);
  });

  it('replaces the bootstrap key when PAYSTREAM_API_KEY changes', async () => {
    await running.lifecycle.close();
    running = await start(dir, ROTATED_KEY);
    expect((await call('GET', '/v1/tenants', ROTATED_KEY)).status).toBe(200);
    expect((await call('GET', '/v1/tenants', OPERATOR_KEY)).body.code).toBe('invalid_api_key');
  }, 60_000);
});
