// A tenant admin's window close is the tenant's business only: another tenant's payouts stay
// pending and its files are never named in the reply. The platform operator closes for all.

import { DEFAULT_TENANT, TenantDirectory } from '@paystream/auth';
import { sha256Hex, TestClock } from '@paystream/core';
import { NEW_CHAIN, sealOnto, TOPICS } from '@paystream/eventing';
import { bankAccountAad } from '@paystream/keys';
import { createHttpServer, type HttpServer } from '@paystream/runtime';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import type { Envelope, Payloads, PayloadType } from '@paystream/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTING } from '../src/nacha/fixtures.js';
import { loadAchConfig } from '../src/service/config.js';
import { fileDigest } from '../src/service/digest.js';
import { createAchBatcherService, type RunningAchBatcher } from '../src/service.js';

const DEFAULT_ADMIN = 'psk_test_default_admin_0123456789ab';
const ACME_ADMIN = 'psk_test_acme_admin_0123456789abcdef';
const OPERATOR = 'psk_test_operator_key_0123456789abcd';
// Monday 2 March 2026, 09:00 New York: the 10:30 same-day window is open.
const START_MS = Date.UTC(2026, 2, 2, 14, 0);

describe('ach-batcher: who may close whose windows', () => {
  let te: TestEngines;
  let app: HttpServer;
  let running: RunningAchBatcher;
  let seq = 0;

  async function append<T extends PayloadType>(
    tenantId: string,
    aggregateId: string,
    type: T,
    payload: Payloads[T],
  ) {
    seq += 1;
    const { envelopes } = sealOnto(te.engines.bus.codec, NEW_CHAIN, [
      {
        type,
        payload,
        meta: {
          eventId: `evt_tc_${seq}`,
          aggregateId,
          tenantId,
          occurredAtMs: te.engines.clock.nowMs(),
          causationId: null,
          correlationId: `corr_tc_${seq}`,
        },
      },
    ]);
    await te.engines.bus.publish(envelopes);
  }

  async function providerWithRelease(tenantId: string, providerId: string, netMinor: number) {
    const bankAccountId = `ba_${tenantId}_${providerId}`;
    await append(tenantId, bankAccountId, 'BankAccountTokenized', {
      bankAccountId,
      ownerId: providerId,
      routingNumber: ROUTING.usBankMn,
      last4: '6789',
      accountType: 'checking',
      holderName: `Holder ${providerId}`,
      holderType: 'individual',
      fingerprint: `fp_${tenantId}_${providerId}`,
      sealedAccountNumber: await te.engines.envelope.sealToString(
        '123456789',
        bankAccountAad(tenantId, bankAccountId),
      ),
    });
    await append(tenantId, `esc_${tenantId}_${providerId}`, 'EscrowReleased', {
      escrowId: `esc_${tenantId}_${providerId}`,
      paymentId: `pay_${tenantId}_${providerId}`,
      providerId,
      releaseId: `rel_${tenantId}_${providerId}`,
      amountMinor: netMinor + 100,
      feeMinor: 100,
      netMinor,
      currency: 'USD',
      trigger: 'manual',
    });
  }

  async function scheduled(): Promise<Envelope<'PayoutScheduled'>[]> {
    const out: Envelope<'PayoutScheduled'>[] = [];
    const { log, bus } = te.engines;
    const partitions = await log.partitionsOf(TOPICS.events);
    for (let p = 0; p < partitions; p++) {
      const records = await log.read(TOPICS.events, p, 0, 10_000);
      await bus.codec.prepare(records.map((r) => r.value));
      for (const r of records) {
        const e = bus.codec.decode(r.value);
        if (e.type === 'PayoutScheduled') out.push(e as Envelope<'PayoutScheduled'>);
      }
    }
    return out;
  }

  const clock = new TestClock(START_MS);
  const close = (key: string) => {
    // Releases count for a window when made before its cut-off, which is "now" here.
    clock.advance(60_000);
    return app.inject({
      method: 'POST',
      url: '/v1/ach/windows/close',
      headers: { authorization: `Bearer ${key}` },
    });
  };

  beforeAll(async () => {
    te = await openTestEngines({ clock });
    const directory = new TenantDirectory(te.engines.readStore);
    await directory.init();
    await directory.putTenant(DEFAULT_TENANT);
    await directory.putTenant({ ...DEFAULT_TENANT, id: 'acme', name: 'Acme' });
    await directory.addKey('default', DEFAULT_ADMIN, ['read', 'write', 'admin'], 'default admin');
    await directory.addKey('acme', ACME_ADMIN, ['read', 'write', 'admin'], 'acme admin');
    await directory.addKey('default', OPERATOR, ['read', 'write', 'admin', 'operator'], 'operator');
    const service = createAchBatcherService({
      config: loadAchConfig({ ACH_TIMER_INTERVAL_MS: '300000' }),
      requestTimeoutMs: 60_000,
    });
    const ctx = { config: te.config, engines: te.engines, logger: te.logger, metrics: te.metrics };
    running = (await service.start(ctx)) as RunningAchBatcher;
    app = await createHttpServer({
      logger: te.logger,
      metrics: te.metrics,
      service: 'ach-tc',
      openapi: false,
    });
    // The routes live in the API process; the worker above consumes the close requests.
    await (await service.api!(ctx))(app);
    await app.ready();
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await app?.close();
    await te?.cleanup();
  });

  it("a tenant admin's close pays only its own tenant and names only its own files", async () => {
    await providerWithRelease('default', 'pd', 5_000);
    await providerWithRelease('acme', 'pa', 3_000);

    const res = await close(ACME_ADMIN);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain('"default"');
    const files = (res.json() as { windows: { files?: { tenantId: string }[] }[] }).windows.flatMap(
      (w) => w.files ?? [],
    );
    expect(files.map((f) => f.tenantId)).toEqual(['acme']);
    const after = await scheduled();
    expect(after.map((e) => [e.tenantId, e.payload.providerId, e.payload.amountMinor])).toEqual([
      ['acme', 'pa', 3_000],
    ]);

    // Default's own admin now closes the same calendar window for default alone.
    const mine = await close(DEFAULT_ADMIN);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.body).not.toContain('acme');
    expect(
      (await scheduled()).filter((e) => e.tenantId === 'default').map((e) => e.payload.amountMinor),
    ).toEqual([5_000]);
  });

  it('names each NACHA file by an HMAC, not a SHA-256 of its text (no account brute force)', async () => {
    const { log, bus } = te.engines;
    const closed: Envelope<'AchBatchClosed'>[] = [];
    for (let p = 0; p < (await log.partitionsOf(TOPICS.events)); p++) {
      const records = await log.read(TOPICS.events, p, 0, 10_000);
      await bus.codec.prepare(records.map((r) => r.value));
      for (const r of records) {
        const e = bus.codec.decode(r.value);
        if (e.type === 'AchBatchClosed') closed.push(e as Envelope<'AchBatchClosed'>);
      }
    }
    const batch = closed.find((b) => b.tenantId === 'acme')!;
    const file = await app.inject({
      method: 'GET',
      url: `/v1/ach/batches/${batch.payload.batchId}/file`,
      headers: { authorization: `Bearer ${ACME_ADMIN}` },
    });
    expect(file.statusCode, file.body).toBe(200);
    expect(batch.payload.fileSha256).not.toBe(sha256Hex(file.body));
    expect(batch.payload.fileSha256).toBe(await fileDigest(te.engines, Buffer.from(file.body, 'ascii')));
  });

  it('the platform operator closes every tenant', async () => {
    await providerWithRelease('default', 'pd2', 700);
    await providerWithRelease('acme', 'pa2', 800);
    const res = await close(OPERATOR);
    expect(res.statusCode, res.body).toBe(200);
    const files = (res.json() as { windows: { files?: { tenantId: string }[] }[] }).windows.flatMap(
      (w) => w.files ?? [],
    );
    expect(files.map((f) => f.tenantId).sort()).toEqual(['acme', 'default']);
    const amounts = (await scheduled()).map((e) => e.payload.amountMinor).sort((a, b) => a - b);
    expect(amounts).toEqual([700, 800, 3_000, 5_000]);
  });
});
