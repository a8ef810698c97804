// A producer finds its payment by the key it sent: GET /v1/payments?idempotencyKey= (the
// payments list narrowed to the one created with that key, tenant-scoped), and a replay of the same request over HTTP answers the original position — also
// when the payment came in as a record on the inbound topic. Every service in this process on
// the embedded engines, over real HTTP.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TENANT, TenantDirectory } from '@paystream/auth';
import { paymentIdFor } from '@paystream/escrow';
import { loadConfig } from '@paystream/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, runServices } from '../src/compose.js';
import { availableServices } from '../src/services.js';
import { type Api, call } from './scenario.js';

const dataDir = mkdtempSync(join(tmpdir(), 'paystream-lookup-'));
const key = 'psk_lookup_default_key_00000000000000000';
const otherKey = 'psk_lookup_other_tenant_key_000000000000';
let running: Running;
let api: Api;
let cardId: string;

beforeAll(async () => {
  const config = loadConfig({
    PAYSTREAM_DATA: dataDir,
    PORT: '0',
    PAYSTREAM_API_KEY: key,
    LOG_LEVEL: 'warn',
  });
  running = await runServices(config, availableServices());
  api = { url: running.url, key };
  const directory = new TenantDirectory(running.engines.readStore);
  await directory.putTenant({ ...DEFAULT_TENANT, id: 'acme', name: 'Acme' });
  await directory.addKey('acme', otherKey, ['read', 'write'], 'test');
  const card = await call(api, 'POST', '/v1/payment-methods/cards', {
    customerId: 'cus_maya',
    number: '4242424242424242',
    expMonth: 12,
    expYear: 2030,
    cvc: '123',
  });
  expect(card.status).toBe(201);
  cardId = String(card.body.id);
}, 60_000);

afterAll(async () => {
  await running?.lifecycle.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const paymentBody = () => ({
  amount: 4200,
  currency: 'USD',
  customerId: 'cus_maya',
  providerId: 'prov_rex',
  paymentMethodId: cardId,
});

/** The `topic/partition:offset` text inside a position token. */
const positionText = (token: unknown) => Buffer.from(String(token), 'base64url').toString('utf8');

async function lookUp(idempotencyKey: string, extra = '', as: Api = api) {
  return await call(as, 'GET', `/v1/payments?idempotencyKey=${encodeURIComponent(idempotencyKey)}${extra}`);
}

const only = (res: { body: Record<string, unknown> }) => {
  const data = res.body.data as Record<string, unknown>[];
  expect(data).toHaveLength(1);
  return data[0]!;
};

/** Polls the lookup until it finds the payment (an inbound record is processed asynchronously). */
async function lookUpEventually(idempotencyKey: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await lookUp(idempotencyKey);
    if ((res.body.data as unknown[] | undefined)?.length || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('GET /v1/payments?idempotencyKey= and replays over HTTP', () => {
  it('finds a payment created over HTTP; a replay answers the same id and position', async () => {
    const idem = 'order-1001-charge';
    const first = await call(api, 'POST', '/v1/payments', paymentBody(), { 'idempotency-key': idem });
    expect(first.status).toBe(202);
    expect(first.body.id).toBe(paymentIdFor('default', idem));
    expect(positionText(first.body.position)).toMatch(/^paystream\.commands\/\d+:\d+$/);

    const replay = await call(api, 'POST', '/v1/payments', paymentBody(), { 'idempotency-key': idem });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);

    const byId = await call(api, 'GET', `/v1/payments/${first.body.id}?after=${first.body.position}`);
    expect(byId.status).toBe(200);
    const found = await lookUp(idem);
    expect(found.status).toBe(200);
    expect(only(found)).toMatchObject({ id: first.body.id, amount: 4200, currency: 'USD' });
    // The list shows the payment as GET /v1/payments/{id} does, less lastRejection, which only the
    // single read looks up (a list would pay one more query per payment for it).
    const { lastRejection, ...shownById } = byId.body;
    expect(lastRejection).toBeNull();
    expect(only(found)).toEqual(shownById);
    expect(found.body.nextCursor).toBeNull();
  });

  it('finds a payment sent to the inbound topic; an HTTP replay answers its original position', async () => {
    const idem = 'order-1002-charge';
    const record = { type: 'payment.create', tenantId: 'default', idempotencyKey: idem, body: paymentBody() };
    const [at] = await running.engines.log.append([
      { topic: 'paystream.inbound', key: idem, value: Buffer.from(JSON.stringify(record)) },
    ]);
    const found = only(await lookUpEventually(idem));
    expect(found.id).toBe(paymentIdFor('default', idem));

    const replay = await call(api, 'POST', '/v1/payments', paymentBody(), { 'idempotency-key': idem });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(found.id);
    // Where the request entered the log: the inbound record itself.
    expect(positionText(replay.body.position)).toBe(`paystream.inbound/${at!.partition}:${at!.offset + 1}`);
    const again = await call(api, 'POST', '/v1/payments', paymentBody(), { 'idempotency-key': idem });
    expect(again.body.position).toBe(replay.body.position);

    // The position works as a read-your-writes token like any other.
    const read = await call(api, 'GET', `/v1/payments/${found.id}?after=${replay.body.position}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('paystream-consistent')).toBeNull();
  });

  it("is tenant-scoped: another tenant's key finds nothing under the same idempotency key", async () => {
    const idem = 'order-1001-charge'; // created by the default tenant above
    const other: Api = { url: running.url, key: otherKey };
    const res = await lookUp(idem, '', other);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ data: [], nextCursor: null });
    expect(JSON.stringify(res.body)).not.toContain(paymentIdFor('default', idem));
  });

  it('applies the other filters too', async () => {
    expect(only(await lookUp('order-1001-charge', '&customerId=cus_maya')).id).toBe(
      paymentIdFor('default', 'order-1001-charge'),
    );
    expect((await lookUp('order-1001-charge', '&customerId=cus_other')).body.data).toEqual([]);
  });

  it('finds nothing for a key never used, and refuses a malformed key with 400, writing nothing', async () => {
    const before = await running.engines.log.endPosition(['paystream.commands', 'paystream.events']);
    const unknown = await lookUp('never-used-key');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ data: [], nextCursor: null });

    const spaced = await lookUp('has a space');
    expect(spaced.status).toBe(400);
    expect(spaced.body).toMatchObject({ code: 'invalid_idempotency_key', field: 'idempotencyKey' });

    const long = await lookUp('k'.repeat(256));
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ code: 'validation_failed' });
    expect(await running.engines.log.endPosition(['paystream.commands', 'paystream.events'])).toEqual(before);
  });
});
