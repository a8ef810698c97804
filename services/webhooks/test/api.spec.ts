// The endpoints API on the embedded engines, without PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE: the SSRF
// guard at registration, validation that writes nothing, tenant isolation, scopes, the secret
// shown once and sealed at rest, PATCH / rotate / DELETE.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TENANT, TenantDirectory } from '@paystream/auth';
import { createHttpServer, type HttpServer } from '@paystream/runtime';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWebhooksConfig } from '../src/config.js';
import { createWebhooksService, type RunningWebhooks } from '../src/service.js';
import { parseSecret } from '../src/signing/signature.js';

const ADMIN = 'psk_test_webhooks_admin_0123456789abcd';
const READER = 'psk_test_webhooks_reader_0123456789abc';
const OTHER = 'psk_test_webhooks_other_tenant_0123456';

let te: TestEngines;
let app: HttpServer;
let running: RunningWebhooks;

// A public address for registration (no request is sent in these tests).
const PUBLIC_HOSTS: Record<string, string> = { 'hooks.example.com': '93.184.216.34' };

beforeAll(async () => {
  te = await openTestEngines();
  const directory = new TenantDirectory(te.engines.readStore);
  await directory.init();
  await directory.putTenant(DEFAULT_TENANT);
  await directory.putTenant({ ...DEFAULT_TENANT, id: 'other', name: 'Other' });
  await directory.addKey('default', ADMIN, ['read', 'write', 'admin'], 'admin');
  await directory.addKey('default', READER, ['read'], 'reader');
  await directory.addKey('other', OTHER, ['read', 'write', 'admin'], 'other admin');
  running = (await createWebhooksService({
    config: loadWebhooksConfig({}),
    resolver: async (host) => {
      if (PUBLIC_HOSTS[host]) return [{ address: PUBLIC_HOSTS[host]!, family: 4 }];
      const { lookup } = await import('node:dns/promises');
      return await lookup(host, { all: true });
    },
  }).start({
    config: te.config,
    engines: te.engines,
    logger: te.logger,
    metrics: te.metrics,
  })) as RunningWebhooks;
  app = await createHttpServer({
    logger: te.logger,
    metrics: te.metrics,
    service: 'webhooks-test',
    openapi: false,
  });
  await running.routes?.(app);
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await running?.stop();
  await te?.cleanup();
});

async function req(method: string, url: string, key: string, payload?: unknown) {
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${key}` },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : {} };
}

async function listed(key = ADMIN): Promise<unknown[]> {
  return (await req('GET', '/v1/webhook-endpoints', key)).body.data;
}

describe('webhook endpoints API', () => {
  it('refuses URLs that reach loopback, private or metadata addresses, and writes nothing', async () => {
    for (const url of [
      'http://localhost:8080/hooks', // resolves to 127.0.0.1 / ::1
      'http://127.0.0.1:9/hooks',
      'http://[::1]/hooks',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.7/hooks',
      'https://[::ffff:127.0.0.1]/x',
    ]) {
      const r = await req('POST', '/v1/webhook-endpoints', ADMIN, { url, events: ['payment.held'] });
      expect(r.status, url).toBe(422);
      expect(r.body).toMatchObject({ code: 'webhook_url_forbidden', field: 'url' });
    }
    expect(await listed()).toEqual([]);
  });

  it('answers bad input with a clear error and writes nothing', async () => {
    const cases: [unknown, number, string][] = [
      [{ url: 'ftp://hooks.example.com/', events: ['payment.held'] }, 400, 'invalid_url'],
      [{ url: 'https://user:pw@hooks.example.com/', events: ['payment.held'] }, 400, 'invalid_url'],
      [{ url: 'https://hooks.example.com/', events: [] }, 400, 'validation_failed'],
      [{ url: 'https://hooks.example.com/', events: ['payment.exploded'] }, 400, 'validation_failed'],
      [{ url: 'https://hooks.example.com/', events: ['payment.held'], extra: 1 }, 400, 'validation_failed'],
      [{ events: ['payment.held'] }, 400, 'validation_failed'],
      [{ url: 'https://does-not-exist.invalid/', events: ['payment.held'] }, 422, 'webhook_url_unresolvable'],
    ];
    for (const [body, status, code] of cases) {
      const r = await req('POST', '/v1/webhook-endpoints', ADMIN, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.code, JSON.stringify(r.body)).toBe(code);
    }
    expect(await listed()).toEqual([]);
  });

  it('needs the admin scope', async () => {
    const r = await req('POST', '/v1/webhook-endpoints', READER, {
      url: 'https://hooks.example.com/in',
      events: ['payment.held'],
    });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('insufficient_scope');
    expect((await req('GET', '/v1/webhook-endpoints', READER)).status).toBe(403);
  });

  it('creates, shows the secret once, seals it at rest, patches, rotates and deletes', async () => {
    const created = await req('POST', '/v1/webhook-endpoints', ADMIN, {
      url: 'https://hooks.example.com/in',
      events: ['payment.held', 'payout.paid'],
      description: 'marketplace backend',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^whep_[0-9a-f]{26}$/),
      url: 'https://hooks.example.com/in',
      events: ['payment.held', 'payout.paid'],
      enabled: true,
      secret: expect.stringMatching(/^whsec_/),
    });
    const id = created.body.id as string;
    const secret = created.body.secret as string;

    const shown = await req('GET', `/v1/webhook-endpoints/${id}`, ADMIN);
    expect(shown.status).toBe(200);
    expect(shown.body.secret).toBeUndefined();
    expect(JSON.stringify(await listed())).not.toContain(secret.slice(6));

    // Neither the secret nor its key bytes are anywhere in the data directory.
    const keyB64 = secret.slice('whsec_'.length);
    const keyBytes = parseSecret(secret);
    for (const f of readdirSync(te.dataDir)) {
      const bytes = readFileSync(join(te.dataDir, f));
      expect(bytes.includes(Buffer.from(keyB64)), f).toBe(false);
      expect(bytes.includes(keyBytes), f).toBe(false);
    }

    const patched = await req('PATCH', `/v1/webhook-endpoints/${id}`, ADMIN, {
      events: ['ach.returned'],
      enabled: false,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      events: ['ach.returned'],
      enabled: false,
      disabledReason: 'manual',
    });
    const badPatch = await req('PATCH', `/v1/webhook-endpoints/${id}`, ADMIN, { url: 'http://127.0.0.1/' });
    expect(badPatch.status).toBe(422);
    expect((await req('GET', `/v1/webhook-endpoints/${id}`, ADMIN)).body.url).toBe(
      'https://hooks.example.com/in',
    );
    expect((await req('PATCH', `/v1/webhook-endpoints/${id}`, ADMIN, {})).status).toBe(400);

    const rotated = await req('POST', `/v1/webhook-endpoints/${id}/rotate-secret`, ADMIN);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);

    const deliveries = await req('GET', `/v1/webhook-endpoints/${id}/deliveries`, ADMIN);
    expect(deliveries).toMatchObject({ status: 200, body: { data: [], nextCursor: null } });

    expect((await req('DELETE', `/v1/webhook-endpoints/${id}`, ADMIN)).status).toBe(204);
    expect((await req('GET', `/v1/webhook-endpoints/${id}`, ADMIN)).body.code).toBe(
      'webhook_endpoint_not_found',
    );
  });

  it('keeps tenants apart: another tenant’s endpoint is not found', async () => {
    const created = await req('POST', '/v1/webhook-endpoints', ADMIN, {
      url: 'https://hooks.example.com/mine',
      events: ['payment.held'],
    });
    const id = created.body.id as string;
    for (const [method, url] of [
      ['GET', `/v1/webhook-endpoints/${id}`],
      ['PATCH', `/v1/webhook-endpoints/${id}`],
      ['DELETE', `/v1/webhook-endpoints/${id}`],
      ['POST', `/v1/webhook-endpoints/${id}/rotate-secret`],
      ['GET', `/v1/webhook-endpoints/${id}/deliveries`],
    ] as const) {
      const r = await req(method, url, OTHER, method === 'PATCH' ? { enabled: false } : undefined);
      expect(r.status, `${method} ${url}`).toBe(404);
    }
    expect(await listed(OTHER)).toEqual([]);
    expect((await req('GET', `/v1/webhook-endpoints/${id}`, ADMIN)).body.enabled).toBe(true);
    expect((await req('POST', '/v1/webhook-deliveries/whdel_nope/retry', ADMIN)).status).toBe(404);
  });
});
