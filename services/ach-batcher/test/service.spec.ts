// End to end on the embedded engines: bank accounts and releases appended as ingest and escrow
// would, the clock moved past a cut-off, and then everything the batcher must do — once.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TENANT, TenantDirectory } from '@paystream/auth';
import { TestClock } from '@paystream/core';
import { NEW_CHAIN, sealOnto, TOPICS } from '@paystream/eventing';
import { bankAccountAad } from '@paystream/keys';
import { createHttpServer, type HttpServer } from '@paystream/runtime';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import type { Envelope, Payloads, PayloadType } from '@paystream/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTING } from '../src/nacha/fixtures.js';
import { readNachaFile } from '../src/nacha/reader.js';
import { buildReturnFile, type OriginalBatchFacts } from '../src/nacha/returns.js';
import { loadAchConfig } from '../src/service/config.js';
import { ACH_CONTROL_TOPIC, decodeCommand } from '../src/service/control.js';
import { ControlProcessor } from '../src/service/processor.js';
import { ACCOUNTS, type AccountRow } from '../src/service/state.js';
import { createAchBatcherService, type RunningAchBatcher } from '../src/service.js';
import { ensureAchcli, validateWithAchcli } from './achcli.js';

const ADMIN_KEY = 'psk_test_admin_key_0123456789abcdef';
const READ_KEY = 'psk_test_read_key_0123456789abcdefg';
// Monday 2 March 2026, 09:00 in New York (EST): the 10:30 same-day window is open.
const START_MS = Date.UTC(2026, 2, 2, 14, 0);
const FIRST_CUTOFF_MS = Date.UTC(2026, 2, 2, 15, 30);

interface Harness {
  te: TestEngines;
  clock: TestClock;
  app: HttpServer;
  running: RunningAchBatcher;
  seq: number;
}

async function startHarness(env: NodeJS.ProcessEnv = {}): Promise<Harness> {
  const clock = new TestClock(START_MS);
  const te = await openTestEngines({ clock });
  const directory = new TenantDirectory(te.engines.readStore);
  await directory.init();
  await directory.putTenant(DEFAULT_TENANT);
  await directory.addKey('default', ADMIN_KEY, ['read', 'write', 'admin'], 'test admin');
  await directory.addKey('default', READ_KEY, ['read'], 'test read');
  const running = await start(te, env);
  const app = await createHttpServer({
    logger: te.logger,
    metrics: te.metrics,
    service: 'ach-test',
    openapi: false,
  });
  const api = createAchBatcherService({ requestTimeoutMs: 60_000 }).api!;
  await (await api({ config: te.config, engines: te.engines, logger: te.logger, metrics: te.metrics }))(app);
  await app.ready();
  return { te, clock, app, running, seq: 0 };
}

async function start(te: TestEngines, env: NodeJS.ProcessEnv = {}): Promise<RunningAchBatcher> {
  const config = loadAchConfig({ ACH_TIMER_INTERVAL_MS: '20', ...env });
  return (await createAchBatcherService({ config, requestTimeoutMs: 60_000 }).start({
    config: te.config,
    engines: te.engines,
    logger: te.logger,
    metrics: te.metrics,
  })) as RunningAchBatcher;
}

/** While set, appended events are collected here and published together by flush(). */
let collecting: Envelope[] | null = null;

async function flush(h: Harness): Promise<void> {
  const all = collecting ?? [];
  collecting = null;
  for (let i = 0; i < all.length; i += 1000) await h.te.engines.bus.publish(all.slice(i, i + 1000));
}

async function append<T extends PayloadType>(h: Harness, aggregateId: string, type: T, payload: Payloads[T]) {
  h.seq += 1;
  const { envelopes } = sealOnto(h.te.engines.bus.codec, NEW_CHAIN, [
    {
      type,
      payload,
      meta: {
        eventId: `evt_test_${h.seq}`,
        aggregateId,
        tenantId: 'default',
        occurredAtMs: h.clock.nowMs(),
        causationId: null,
        correlationId: `corr_${h.seq}`,
      },
    },
  ]);
  if (collecting) collecting.push(...envelopes);
  else await h.te.engines.bus.publish(envelopes);
}

async function tokenize(
  h: Harness,
  providerId: string,
  account: {
    number: string;
    routing: string;
    type: 'checking' | 'savings';
    holder: 'individual' | 'business';
  },
): Promise<string> {
  const bankAccountId = `ba_${providerId}`;
  await append(h, bankAccountId, 'BankAccountTokenized', {
    bankAccountId,
    ownerId: providerId,
    routingNumber: account.routing,
    last4: account.number.slice(-4),
    accountType: account.type,
    holderName: `Holder ${providerId}`,
    holderType: account.holder,
    fingerprint: `fp_${providerId}`,
    sealedAccountNumber: await h.te.engines.envelope.sealToString(
      account.number,
      bankAccountAad('default', bankAccountId),
    ),
  });
  return bankAccountId;
}

async function release(h: Harness, providerId: string, netMinor: number, n: number): Promise<string> {
  const releaseId = `rel_${providerId}_${n}`;
  await append(h, `esc_${providerId}_${n}`, 'EscrowReleased', {
    escrowId: `esc_${providerId}_${n}`,
    paymentId: `pay_${providerId}_${n}`,
    providerId,
    releaseId,
    amountMinor: netMinor + 100,
    feeMinor: 100,
    netMinor,
    currency: 'USD',
    trigger: 'manual',
  });
  return releaseId;
}

async function allEvents(h: Harness): Promise<Envelope[]> {
  const { log, bus } = h.te.engines;
  const out: Envelope[] = [];
  const partitions = await log.partitionsOf(TOPICS.events);
  for (let p = 0; p < partitions; p++) {
    for (let offset = 0; ; ) {
      const records = await log.read(TOPICS.events, p, offset, 5000);
      if (records.length === 0) break;
      await bus.codec.prepare(records.map((r) => r.value));
      for (const r of records) out.push(bus.codec.decode(r.value));
      offset = records.at(-1)!.offset + 1;
    }
  }
  return out;
}

function ofType<T extends PayloadType>(events: readonly Envelope[], type: T): Envelope<T>[] {
  return events.filter((e): e is Envelope<T> => e.type === type);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function balances(events: readonly Envelope[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of ofType(events, 'JournalEntryPosted')) {
    let sum = 0;
    for (const p of e.payload.postings) {
      sum += p.amountMinor;
      out.set(p.account, (out.get(p.account) ?? 0) + p.amountMinor);
    }
    expect(sum, `entry ${e.payload.entryId} is balanced`).toBe(0);
  }
  return out;
}

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

describe('ach-batcher service, end to end on embedded engines', () => {
  let h: Harness;
  let achcli = '';
  let workDir = '';
  const numbers = {
    p1: '123456789',
    p2: '99887766554',
    p4: '4455667788',
    p5: '1122334455',
  };

  beforeAll(async () => {
    achcli = ensureAchcli();
    workDir = mkdtempSync(join(tmpdir(), 'paystream-ach-service-'));
    h = await startHarness();
  }, 300_000);

  afterAll(async () => {
    await h?.running.stop();
    await h?.app.close();
    await h?.te.cleanup();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  let batchIds: string[] = [];
  let fileText = '';

  it('closes the window once its cut-off passes: one payout per provider, ledger, a sealed file', async () => {
    await tokenize(h, 'p1', {
      number: numbers.p1,
      routing: ROUTING.usBankMn,
      type: 'checking',
      holder: 'individual',
    });
    await tokenize(h, 'p2', {
      number: numbers.p2,
      routing: ROUTING.wellsFargoTx,
      type: 'savings',
      holder: 'business',
    });
    await tokenize(h, 'p4', {
      number: numbers.p4,
      routing: ROUTING.fedBoston,
      type: 'checking',
      holder: 'individual',
    });
    await tokenize(h, 'p5', {
      number: numbers.p5,
      routing: ROUTING.bankOfAmericaCa,
      type: 'checking',
      holder: 'individual',
    });
    const r1a = await release(h, 'p1', 5_000, 1);
    const r1b = await release(h, 'p1', 2_500, 2);
    await release(h, 'p2', 10_000, 1);
    await release(h, 'p3', 700, 1); // p3 has no bank account
    await release(h, 'p4', 1_234, 1);
    await release(h, 'p5', 4_321, 1);

    // Before the cut-off the timer does nothing.
    await h.running.tick();
    expect(ofType(await allEvents(h), 'PayoutScheduled')).toHaveLength(0);

    h.clock.set(FIRST_CUTOFF_MS + 60_000);
    const closed = await until('AchBatchClosed', async () => {
      const e = ofType(await allEvents(h), 'AchBatchClosed');
      return e.length > 0 ? e : undefined;
    });
    const events = await allEvents(h);
    const payouts = ofType(events, 'PayoutScheduled');
    expect(payouts.map((p) => [p.payload.providerId, p.payload.amountMinor]).sort()).toEqual([
      ['p1', 7_500],
      ['p2', 10_000],
      ['p4', 1_234],
      ['p5', 4_321],
    ]);
    const p1 = payouts.find((p) => p.payload.providerId === 'p1')!;
    expect(p1.payload.releaseIds).toEqual([r1a, r1b].sort());
    expect(p1.payload.windowId).toBe('2026-03-02/same-day-1');
    expect(p1.payload.effectiveDate).toBe('2026-03-02');
    expect(p1.payload.bankAccountId).toBe('ba_p1');

    // PPD (individuals) and CCD (the business) are separate NACHA batches of one file.
    expect(closed.map((b) => b.payload.entryCount).sort()).toEqual([1, 3]);
    expect(new Set(closed.map((b) => b.payload.fileId)).size).toBe(1);
    expect(closed.reduce((s, b) => s + b.payload.totalCreditMinor, 0)).toBe(7_500 + 10_000 + 1_234 + 4_321);
    batchIds = closed.map((b) => b.payload.batchId);

    // payable → in transit, balanced, once per payout.
    const b = balances(events);
    expect(b.get('provider:p1:payable')).toBe(7_500);
    expect(b.get('ach:in_transit')).toBe(-(7_500 + 10_000 + 1_234 + 4_321));
    expect(ofType(events, 'JournalEntryPosted')).toHaveLength(4);

    // At rest the file is sealed: no account number appears in the stored bytes.
    const keys = await h.te.engines.objects.list('ach/files/');
    expect(keys).toHaveLength(1);
    const stored = (await h.te.engines.objects.get(keys[0]!))!;
    for (const n of Object.values(numbers)) expect(stored.includes(Buffer.from(n))).toBe(false);
    // Nor in any event.
    for (const e of events) {
      const json = JSON.stringify(e.payload);
      for (const n of Object.values(numbers)) expect(json).not.toContain(n);
    }
  });

  it('serves the decrypted file to an admin; it passes our reader and moov-io/ach achcli', async () => {
    const denied = await h.app.inject({
      method: 'GET',
      url: `/v1/ach/batches/${batchIds[0]}/file`,
      headers: auth(READ_KEY),
    });
    expect(denied.statusCode).toBe(403);
    const missing = await h.app.inject({
      method: 'GET',
      url: `/v1/ach/batches/achbatch_${'0'.repeat(26)}/file`,
      headers: auth(ADMIN_KEY),
    });
    expect(missing.statusCode).toBe(404);

    const res = await h.app.inject({
      method: 'GET',
      url: `/v1/ach/batches/${batchIds[0]}/file`,
      headers: auth(ADMIN_KEY),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    fileText = res.body;
    expect(fileText).toContain(numbers.p1);
    const parsed = readNachaFile(fileText);
    expect(parsed.batches.map((x) => x.header.secCode).sort()).toEqual(['CCD', 'PPD']);
    const entries = parsed.batches.flatMap((x) => x.entries.map((e) => e.entry));
    expect(entries.map((e) => e.transactionCode).sort()).toEqual([22, 22, 22, 32]);
    const theirs = validateWithAchcli(achcli, workDir, 'service-window', fileText);
    expect(theirs.fileControl.totalCredit).toBe(parsed.fileControl.totalCreditCents);
    expect(theirs.batches.flatMap((x) => x.entryDetails.map((e) => e.traceNumber)).sort()).toEqual(
      entries.map((e) => e.traceNumber).sort(),
    );
  });

  it('a second close, a timer pass and a restart add nothing for the closed window', async () => {
    const before = (await allEvents(h)).length;
    await h.running.tick();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/ach/windows/close',
      headers: auth(ADMIN_KEY),
    });
    expect(res.statusCode).toBe(200);
    const summary = res.json() as {
      windows: { windowId: string; status: string; payouts?: number }[];
      unpaid: { providerId: string; amountMinor: number; reason: string }[];
    };
    // The open 14:45 window closes early with nothing to pay; p3 has no account and is reported.
    expect(summary.windows).toEqual([
      expect.objectContaining({ windowId: '2026-03-02/same-day-2', payouts: 0 }),
    ]);
    expect(summary.unpaid).toEqual([
      expect.objectContaining({ providerId: 'p3', amountMinor: 700, reason: 'no_active_bank_account' }),
    ]);

    await h.running.stop();
    h.running = await start(h.te);
    await h.running.tick();
    await new Promise((r) => setTimeout(r, 200));
    expect((await allEvents(h)).length).toBe(before);
  });

  it('a redelivered close command (crash before commit) yields the very same events', async () => {
    const { engines } = h.te;
    const records = await engines.log.read(ACH_CONTROL_TOPIC, 0, 0, 100);
    const events = await allEvents(h);
    // The command that closed the first window (earlier timer passes closed empty windows).
    const first = records.find((r) => {
      const cmd = decodeCommand(r.value);
      return events.some((e) => e.type === 'PayoutScheduled' && e.causationId === cmd.commandId);
    })!;
    const processor = new ControlProcessor({ engines, config: loadAchConfig(), logger: h.te.logger });
    const staged: Buffer[] = [];
    const batch = { topic: ACH_CONTROL_TOPIC, partition: 0, records: [first] };
    await processor.handle(batch, {
      append: (out) => void staged.push(...out.map((o) => Buffer.from(o.value))),
    });
    const replayed = staged.map((v) => engines.bus.codec.decode(v).eventId);
    const published = events
      .filter((e) => e.causationId === decodeCommand(first.value).commandId)
      .map((e) => e.eventId);
    expect(replayed.length).toBeGreaterThan(0);
    expect(replayed.sort()).toEqual(published.sort());
  });

  it('applies returns and NOCs, reports unknown traces, and pays returned funds again', async () => {
    const parsed = readNachaFile(fileText);
    const byName = new Map(
      parsed.batches.flatMap((b) =>
        b.entries.map((e) => [e.entry.receiverName.trim(), { entry: e.entry, header: b.header }] as const),
      ),
    );
    const facts = (name: string): OriginalBatchFacts => {
      const { header } = byName.get(name)!;
      return {
        secCode: header.secCode as 'PPD' | 'CCD',
        companyName: header.companyName,
        companyIdentification: header.companyIdentification,
        companyEntryDescription: header.companyEntryDescription,
        effectiveEntryDate: header.effectiveEntryDate,
      };
    };
    const entry = (name: string) => byName.get(name)!.entry;
    const text = buildReturnFile({
      returningBankRoutingNumber: ROUTING.usBankMn,
      returningBankName: 'US BANK NA',
      odfiRoutingNumber: '021000021',
      odfiName: 'PAYSTREAM ODFI',
      fileCreationDate: '2026-03-03',
      fileCreationTime: '0610',
      fileIdModifier: 'A',
      returns: [
        { original: entry('HOLDER P1'), originalBatch: facts('HOLDER P1'), returnCode: 'R01' },
        { original: entry('HOLDER P2'), originalBatch: facts('HOLDER P2'), returnCode: 'R02' },
        {
          original: { ...entry('HOLDER P1'), traceNumber: '021000020999999' },
          originalBatch: facts('HOLDER P1'),
          returnCode: 'R03',
        },
      ],
      corrections: [
        {
          original: entry('HOLDER P4'),
          originalBatch: facts('HOLDER P4'),
          changeCode: 'C01',
          correction: { accountNumber: '5566778899' },
        },
        {
          original: entry('HOLDER P5'),
          originalBatch: facts('HOLDER P5'),
          changeCode: 'C02',
          correction: { routingNumber: ROUTING.bankOfAmericaNy },
        },
      ],
    });
    const post = () =>
      h.app.inject({
        method: 'POST',
        url: '/v1/ach/returns',
        headers: { ...auth(ADMIN_KEY), 'content-type': 'text/plain' },
        payload: text,
      });
    const res = await post();
    expect(res.statusCode, res.body).toBe(200);
    const summary = res.json() as {
      applied: { payoutId: string; returnCode: string; amountMinor: number; accountStatus: string | null }[];
      unknown: { traceNumber: string; code: string }[];
      notifications: { changeCode: string; bankAccountId: string; changed: string[] }[];
    };
    expect(summary.applied.map((a) => [a.returnCode, a.amountMinor, a.accountStatus])).toEqual([
      ['R01', 7_500, null],
      ['R02', 10_000, 'closed'],
    ]);
    expect(summary.unknown).toEqual([
      expect.objectContaining({ traceNumber: '021000020999999', code: 'R03' }),
    ]);
    expect(summary.notifications.map((n) => [n.changeCode, n.bankAccountId, n.changed])).toEqual([
      ['C01', 'ba_p4', ['accountNumber']],
      ['C02', 'ba_p5', ['routingNumber']],
    ]);
    expect(res.body).not.toContain('5566778899');

    const events = await allEvents(h);
    expect(
      ofType(events, 'AchReturnReceived')
        .map((e) => e.payload.returnCode)
        .sort(),
    ).toEqual(['R01', 'R02']);
    const updates = ofType(events, 'BankAccountUpdated');
    expect(updates.find((u) => u.payload.bankAccountId === 'ba_p2')?.payload.status).toBe('closed');
    const c01 = updates.find((u) => u.payload.bankAccountId === 'ba_p4')!;
    expect(c01.payload.last4).toBe('8899');
    expect(JSON.stringify(c01.payload)).not.toContain('5566778899');
    const opened = await h.te.engines.envelope.openString(
      c01.payload.sealedAccountNumber!,
      bankAccountAad('default', 'ba_p4'),
    );
    expect(opened.toString()).toBe('5566778899');
    expect(updates.find((u) => u.payload.bankAccountId === 'ba_p5')?.payload.routingNumber).toBe(
      ROUTING.bankOfAmericaNy,
    );
    await until('the account projection to take the NOC', async () => {
      const row = (await h.te.engines.readStore.get(ACCOUNTS, {
        bankAccountId: 'ba_p5',
      })) as unknown as AccountRow;
      return row.routingNumber === ROUTING.bankOfAmericaNy ? row : undefined;
    });

    // Reversal: in transit → back to the providers' payables.
    const b = balances(events);
    expect(b.get('provider:p1:payable')).toBe(0);
    expect(b.get('provider:p2:payable')).toBe(0);
    expect(b.get('ach:in_transit')).toBe(-(1_234 + 4_321));

    // The same file again applies nothing new.
    const again = await post();
    expect(again.json()).toEqual(summary);
    expect((await allEvents(h)).length).toBe(events.length);

    h.clock.advance(60_000);
    // Next close: p1 (R01) is paid again; p2's account is closed so its money stays available.
    const close = await h.app.inject({
      method: 'POST',
      url: '/v1/ach/windows/close',
      headers: auth(ADMIN_KEY),
    });
    const closeSummary = close.json() as {
      unpaid: { providerId: string; amountMinor: number; reason: string }[];
    };
    expect(closeSummary.unpaid.map((u) => [u.providerId, u.amountMinor, u.reason]).sort()).toEqual([
      ['p2', 10_000, 'no_active_bank_account'],
      ['p3', 700, 'no_active_bank_account'],
    ]);
    const after = await allEvents(h);
    const repaid = ofType(after, 'PayoutScheduled').filter((p) => p.payload.providerId === 'p1');
    expect(repaid.map((p) => p.payload.amountMinor)).toEqual([7_500, 7_500]);
    const second = repaid.find((p) => p.payload.windowId !== '2026-03-02/same-day-1')!;
    expect(second.payload.releaseIds).toEqual([expect.stringMatching(/^repay_/)]);
    expect(second.payload.windowId).toBe('2026-03-02/same-day-3');
    expect(balances(after).get('provider:p1:payable')).toBe(7_500);
  });

  it('settles in-transit payouts on their effective date and reverses later returns from the bank', async () => {
    // 17:00 New York on the effective date (22:00 UTC).
    h.clock.set(Date.UTC(2026, 2, 2, 22, 1));
    await until('settlement entries', async () => {
      const e = ofType(await allEvents(h), 'JournalEntryPosted').filter((j) =>
        j.payload.postings.some((p) => p.account === 'bank:operating'),
      );
      return e.length >= 3 ? e : undefined;
    });
    const b = balances(await allEvents(h));
    expect(b.get('ach:in_transit') ?? 0).toBe(0);
    expect(b.get('bank:operating')).toBe(-(1_234 + 4_321 + 7_500));
  });
});

describe('ach-batcher: more than 2,500 payouts', () => {
  it('splits one window into NACHA batches of 2,500 that achcli accepts', async () => {
    const achcli = ensureAchcli();
    const workDir = mkdtempSync(join(tmpdir(), 'paystream-ach-many-'));
    const h = await startHarness();
    try {
      const n = 2_600;
      collecting = [];
      for (let i = 0; i < n; i++) {
        const id = `m${i}`;
        await tokenize(h, id, {
          number: String(10_000_000 + i),
          routing: ROUTING.usBankMn,
          type: i % 2 ? 'savings' : 'checking',
          holder: 'individual',
        });
        await release(h, id, 100 + i, 1);
      }
      await flush(h);
      h.clock.advance(60_000);
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/ach/windows/close',
        headers: auth(ADMIN_KEY),
      });
      expect(res.statusCode, res.body).toBe(200);
      const closed = ofType(await allEvents(h), 'AchBatchClosed');
      expect(closed.map((b) => b.payload.entryCount).sort((a, b) => b - a)).toEqual([2_500, 100]);
      const file = await h.app.inject({
        method: 'GET',
        url: `/v1/ach/batches/${closed[0]!.payload.batchId}/file`,
        headers: auth(ADMIN_KEY),
      });
      const theirs = validateWithAchcli(achcli, workDir, 'service-many', file.body);
      expect(theirs.batches.map((b) => b.entryDetails.length)).toEqual([2_500, 100]);
      expect(theirs.fileControl.totalCredit).toBe((n * (100 + 100 + n - 1)) / 2);
    } finally {
      await h.running.stop();
      await h.app.close();
      await h.te.cleanup();
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 120_000);
});
