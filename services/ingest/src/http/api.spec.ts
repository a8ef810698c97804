// The command API end to end over app.inject: every error path answers {code, message, field}
// with its status and appends NOTHING; the happy paths append exactly their commands/events.
// The last test scans every file under the data dir and every captured log line for the card
// and account numbers used here.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS } from '@paystream/eventing';
import { covers, decodePosition, partitionKey } from '@paystream/log';
import type { Envelope } from '@paystream/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentIdFor } from '../commands/payments.js';
import { requestHash } from '../idempotency/request-hash.js';
import { DEFAULT_LEASE_MS, IdempotencyStore } from '../idempotency/store.js';
import {
  escrowIdFor,
  type Harness,
  historyTo,
  OTHER_TENANT,
  openHarness,
  requestPaymentCommand,
} from '../testing/harness.js';
import { cardNumberAad } from '../tokenize/format.js';

const VISA = '4242424242424242';
const AMEX = '378282246310005';
const MASTERCARD = '5555555555554444';
const ACCOUNT = '000123456789';
const ROUTING = '011000015';
/** Every secret this suite sends; none may be found at rest or in the logs. */
const SECRETS = [
  VISA,
  AMEX,
  MASTERCARD,
  ACCOUNT,
  '4242 4242 4242 4242',
  '5555 5555 5555 4444',
  '4242-4242-4242-4242',
];

let h: Harness;
let auth: Record<string, string>;
let card: { id: string };

beforeAll(async () => {
  h = await openHarness();
  auth = { authorization: `Bearer ${h.apiKey}` };
  card = await createCard({ number: VISA });
});
afterAll(async () => {
  await h.close();
});

type Json = Record<string, unknown>;
let seq = 0;

async function post(url: string, payload: unknown, headers: Record<string, string> = auth) {
  const res = await h.app.inject({ method: 'POST', url, payload: payload as Json, headers });
  return { status: res.statusCode, body: res.json() as Json, headers: res.headers, raw: res.body };
}

async function createCard(overrides: Json = {}, headers = auth): Promise<{ id: string } & Json> {
  const res = await post(
    '/v1/payment-methods/cards',
    { customerId: 'cus_maya', number: VISA, expMonth: 12, expYear: 2030, cvc: '123', ...overrides },
    headers,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string } & Json;
}

function paymentBody(overrides: Json = {}): Json {
  return {
    amount: 12_500,
    currency: 'USD',
    customerId: 'cus_maya',
    providerId: 'prov_walkies_rex',
    paymentMethodId: card.id,
    ...overrides,
  };
}

const idem = (key = `k-${++seq}`) => ({ ...auth, 'idempotency-key': key });

/** Runs a request that must be refused and asserts status, code, field and that nothing was appended. */
async function refused(
  send: () => Promise<{ status: number; body: Json }>,
  status: number,
  code: string,
  field?: string,
): Promise<Json> {
  const before = await h.appended();
  const res = await send();
  expect(res.body.code, JSON.stringify(res.body)).toBe(code);
  expect(res.status).toBe(status);
  expect(typeof res.body.message).toBe('string');
  if (field !== undefined) expect(res.body.field).toBe(field);
  expect(await h.appended()).toEqual(before);
  return res.body;
}

/** A payment of the default tenant brought to `to` by escrow events; returns its ids. */
async function givenPayment(to: 'pending' | 'review' | 'held', tenantId = 'default') {
  const paymentId = `pay_given_${++seq}`;
  await h.givenPayment(tenantId, paymentId, historyTo(requestPaymentCommand(paymentId), to));
  return { paymentId, escrowId: escrowIdFor(paymentId) };
}

describe('bootstrap', () => {
  it('created tenant default and announced its key exactly once, outside the logger', () => {
    expect(h.announced).toHaveLength(1);
    expect(h.announced[0]).toBe(
      `API key for tenant "default": ${h.apiKey} (saved to ${join(h.t.dataDir, 'api-key')})`,
    );
    expect(h.logLines.join('')).not.toContain(h.apiKey);
  });
});

describe('authentication and scopes', () => {
  it('401 unauthorized without a key, 401 invalid_api_key with a wrong one', async () => {
    await refused(
      () => post('/v1/payments', paymentBody(), { 'idempotency-key': 'a1' }),
      401,
      'unauthorized',
    );
    await refused(
      () => post('/v1/payments', paymentBody(), { authorization: 'Basic abc', 'idempotency-key': 'a2' }),
      401,
      'unauthorized',
    );
    await refused(
      () =>
        post('/v1/payments', paymentBody(), {
          authorization: 'Bearer psk_not_a_real_key_0000000000',
          'idempotency-key': 'a3',
        }),
      401,
      'invalid_api_key',
    );
  });

  it('authenticates before parsing: an anonymous malformed body is a 401, not a 400', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/payments',
      payload: '{"amount":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('403 insufficient_scope for a read-only key, and for review without admin', async () => {
    const readOnly = { authorization: `Bearer ${await h.key('default', ['read'])}` };
    await refused(
      () => post('/v1/payments', paymentBody(), { ...readOnly, 'idempotency-key': 's1' }),
      403,
      'insufficient_scope',
    );
    await refused(
      () =>
        post(
          '/v1/payment-methods/cards',
          { customerId: 'c', number: VISA, expMonth: 1, expYear: 2030, cvc: '123' },
          readOnly,
        ),
      403,
      'insufficient_scope',
    );
    const writer = { authorization: `Bearer ${await h.key('default', ['read', 'write'])}` };
    const { paymentId } = await givenPayment('review');
    await refused(
      () => post(`/v1/payments/${paymentId}/review`, { decision: 'approve' }, writer),
      403,
      'insufficient_scope',
    );
  });
});

describe('POST /v1/payment-methods/cards', () => {
  it('201: tokenizes; the event holds only the sealed number, which opens under its tenant+card AAD', async () => {
    const before = await h.appended();
    const res = await post('/v1/payment-methods/cards', {
      customerId: 'cus_leak_check',
      number: '5555 5555 5555 4444',
      expMonth: 3,
      expYear: 2029,
      cvc: '987',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ brand: 'mastercard', last4: '4444', expMonth: 3, expYear: 2029 });
    expect(res.body.id).toMatch(/^card_[0-9a-f]{26}$/);
    expect(res.body.fingerprint).toMatch(/^fp_[0-9a-f]{32}$/);
    expect(res.raw).not.toContain('5555555555554444');
    expect(res.raw).not.toContain('987');
    expect(covers(await h.appended(), decodePosition(String(res.body.position)))).toBe(true);
    expect(await h.appended()).not.toEqual(before);

    const events = (await h.envelopes(TOPICS.events)).filter((e) => e.aggregateId === res.body.id);
    expect(events).toHaveLength(1);
    const e = events[0] as Envelope<'CardTokenized'>;
    expect(e.type).toBe('CardTokenized');
    expect(e.aggregateVersion).toBe(1);
    expect(e.prevHash).toBe('0'.repeat(64));
    expect(JSON.stringify(e)).not.toContain('5555555555554444');
    expect(Object.keys(e.payload).sort()).toEqual(
      [
        'bin',
        'brand',
        'cardId',
        'customerId',
        'expMonth',
        'expYear',
        'fingerprint',
        'last4',
        'sealedNumber',
      ].sort(),
    );
    const opened = await h.t.engines.envelope.open(
      Buffer.from(e.payload.sealedNumber, 'base64url'),
      cardNumberAad('default', String(res.body.id)),
    );
    expect(opened.toString('utf8')).toBe('5555555555554444');
    await expect(
      h.t.engines.envelope.open(
        Buffer.from(e.payload.sealedNumber, 'base64url'),
        cardNumberAad(OTHER_TENANT.id, String(res.body.id)),
      ),
    ).rejects.toThrow(/does not authenticate/);
  });

  it('the same card gets the same fingerprint and a new token; amex takes a 4-digit CVC', async () => {
    const a = await createCard({ number: VISA });
    const b = await createCard({ number: '4242-4242-4242-4242' });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.id).not.toBe(b.id);
    expect((await createCard({ number: AMEX, cvc: '1234' })).brand).toBe('amex');
  });

  const base = { customerId: 'cus_maya', number: VISA, expMonth: 12, expYear: 2030, cvc: '123' };
  const cards = (body: Json) => () => post('/v1/payment-methods/cards', body);

  it('400 invalid_card_number on a bad Luhn digit, without echoing the number', async () => {
    const body = await refused(
      cards({ ...base, number: '4242424242424241' }),
      400,
      'invalid_card_number',
      'number',
    );
    expect(JSON.stringify(body)).not.toContain('424242424242424');
  });

  it('400 card_expired (by the clock port), invalid_expiry, invalid_cvc', async () => {
    await refused(cards({ ...base, expMonth: 12, expYear: 2025 }), 400, 'card_expired', 'expYear');
    await refused(cards({ ...base, expYear: 2090 }), 400, 'invalid_expiry', 'expYear');
    await refused(cards({ ...base, cvc: '12a' }), 400, 'invalid_cvc', 'cvc');
    await refused(cards({ ...base, number: AMEX, cvc: '123' }), 400, 'invalid_cvc', 'cvc');
    await refused(cards({ ...base, cvc: '12' }), 400, 'validation_failed', 'cvc');
  });

  it('400 validation_failed on missing, mistyped and unknown fields', async () => {
    const { cvc: _cvc, ...noCvc } = base;
    await refused(cards(noCvc), 400, 'validation_failed', 'cvc');
    await refused(cards({ ...base, expMonth: '12' }), 400, 'validation_failed', 'expMonth');
    await refused(cards({ ...base, expMonth: 13 }), 400, 'validation_failed', 'expMonth');
    await refused(cards({ ...base, number: 4242424242424242 }), 400, 'validation_failed', 'number');
    await refused(cards({ ...base, pin: '0000' }), 400, 'validation_failed', 'pin');
  });

  it('400 malformed_json', async () => {
    await refused(
      async () => {
        const res = await h.app.inject({
          method: 'POST',
          url: '/v1/payment-methods/cards',
          payload: `{"number": "${VISA}", `,
          headers: { ...auth, 'content-type': 'application/json' },
        });
        return { status: res.statusCode, body: res.json() as Json };
      },
      400,
      'malformed_json',
    );
  });

  it('replays with the same Idempotency-Key, refuses another card under it', async () => {
    const headers = idem();
    const first = await post('/v1/payment-methods/cards', { ...base, number: MASTERCARD }, headers);
    expect(first.status).toBe(201);
    const before = await h.appended();
    const again = await post('/v1/payment-methods/cards', { ...base, number: MASTERCARD }, headers);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await h.appended()).toEqual(before);
    await refused(
      () => post('/v1/payment-methods/cards', base, headers),
      409,
      'idempotency_conflict',
      'Idempotency-Key',
    );
  });
});

describe('POST /v1/bank-accounts', () => {
  const base = {
    ownerId: 'prov_walkies_rex',
    routingNumber: ROUTING,
    accountNumber: ACCOUNT,
    accountType: 'checking',
    holderName: 'Rex Walker',
  };

  it('201: shows last 4 only; holderType defaults to individual; number sealed', async () => {
    const res = await post('/v1/bank-accounts', base);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      last4: '6789',
      routingNumber: ROUTING,
      accountType: 'checking',
      status: 'active',
      holderType: 'individual',
    });
    expect(res.raw).not.toContain(ACCOUNT);
    const e = (await h.envelopes(TOPICS.events)).find(
      (x) => x.aggregateId === res.body.id,
    ) as Envelope<'BankAccountTokenized'>;
    expect(e.type).toBe('BankAccountTokenized');
    expect(e.payload.holderType).toBe('individual');
    expect(JSON.stringify(e)).not.toContain(ACCOUNT);
    const biz = await post('/v1/bank-accounts', { ...base, holderType: 'business', accountType: 'savings' });
    expect(biz.body).toMatchObject({ holderType: 'business', accountType: 'savings' });
  });

  it('400 invalid_routing_number on a bad 3-7-1 checksum; invalid_account_number; validation_failed', async () => {
    await refused(
      () => post('/v1/bank-accounts', { ...base, routingNumber: '011000016' }),
      400,
      'invalid_routing_number',
      'routingNumber',
    );
    await refused(
      () => post('/v1/bank-accounts', { ...base, accountNumber: '12ab' }),
      400,
      'invalid_account_number',
      'accountNumber',
    );
    await refused(
      () => post('/v1/bank-accounts', { ...base, accountType: 'brokerage' }),
      400,
      'validation_failed',
      'accountType',
    );
    await refused(
      () => post('/v1/bank-accounts', { ...base, holderType: 'trust' }),
      400,
      'validation_failed',
      'holderType',
    );
  });
});

describe('POST /v1/payments', () => {
  it('202 with the command position; the RequestPayment command carries the resolved terms', async () => {
    const fresh = await createCard({ number: VISA });
    const catchUpsBefore = h.queries.catchUps;
    const key = 'order-1001';
    const res = await post(
      '/v1/payments',
      paymentBody({
        paymentMethodId: fresh.id,
        escrow: { holdUntil: '2026-01-12T15:00:00Z', autoRelease: true },
        metadata: { booking: 'bk_1' },
        risk: { ipAddress: '203.0.113.7', ipCountry: 'US' },
      }),
      idem(key),
    );
    expect(res.status).toBe(202);
    // Read-your-writes: the card was not projected yet, so ingest caught up once and found it.
    expect(h.queries.catchUps).toBe(catchUpsBefore + 1);
    expect(res.body).toEqual({
      id: paymentIdFor('default', key),
      status: 'pending',
      position: expect.any(String),
    });
    const position = decodePosition(String(res.body.position));
    expect(Object.keys(position).every((k) => k.startsWith(`${TOPICS.commands}/`))).toBe(true);
    expect(covers(await h.appended(), position)).toBe(true);

    const commands = (await h.envelopes(TOPICS.commands)).filter((e) => e.aggregateId === res.body.id);
    expect(commands).toHaveLength(1);
    const c = commands[0] as Envelope<'RequestPayment'>;
    expect(c.type).toBe('RequestPayment');
    expect(c.tenantId).toBe('default');
    expect(c.payload).toEqual({
      paymentId: res.body.id,
      customerId: 'cus_maya',
      providerId: 'prov_walkies_rex',
      paymentMethodId: fresh.id,
      amountMinor: 12_500,
      currency: 'USD',
      platformFeeBps: 800,
      holdUntilMs: Date.UTC(2026, 0, 12, 15, 0, 0),
      autoRelease: true,
      metadata: { booking: 'bk_1' },
      risk: { ipAddress: '203.0.113.7', ipCountry: 'US', deviceId: null, email: null, userAgent: null },
      idempotencyKey: key,
    });
  });

  it('replays the identical response for the same key and body; 409 for another body', async () => {
    const headers = idem();
    const first = await post('/v1/payments', paymentBody({ platformFeeBps: 650 }), headers);
    expect(first.status).toBe(202);
    const before = await h.appended();
    const again = await post('/v1/payments', { platformFeeBps: 650, ...paymentBody() }, headers);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(await h.appended()).toEqual(before);
    await refused(
      () => post('/v1/payments', paymentBody({ amount: 12_501 }), headers),
      409,
      'idempotency_conflict',
      'Idempotency-Key',
    );
  });

  it('a retry after a crash between the append and the stored response appends nothing and answers with the payment', async () => {
    const key = `crash-${++seq}`;
    const paymentId = paymentIdFor('default', key);
    // The crashed request: its claim was taken and its command reached escrow, then nothing.
    const crashed = new IdempotencyStore(h.t.engines.readStore, h.clock);
    const body = paymentBody();
    await crashed.begin({
      tenantId: 'default',
      idempotencyKey: key,
      operation: 'payment.create',
      requestHash: requestHash('payment.create', null, body),
      owner: 'http:crashed',
    });
    await h.givenPayment('default', paymentId, historyTo(requestPaymentCommand(paymentId), 'held'));
    await h.queries.catchUp(1000); // the read side saw escrow's events within the lease
    await refused(() => post('/v1/payments', body, idem(key)), 409, 'idempotency_in_progress');
    h.clock.advance(DEFAULT_LEASE_MS + 1);
    const before = await h.appended();
    const res = await post('/v1/payments', body, idem(key));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: paymentId, status: 'held' });
    expect(await h.appended()).toEqual(before);
  });

  it('concurrent duplicates: exactly one command; the others replay it or get idempotency_in_progress', async () => {
    const headers = idem();
    const before = await h.appended();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => post('/v1/payments', paymentBody(), headers)),
    );
    const accepted = results.filter((r) => r.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    for (const r of accepted) expect(r.body).toEqual(accepted[0]!.body);
    for (const r of results.filter((x) => x.status !== 202))
      expect(r.body.code).toBe('idempotency_in_progress');
    const commands = (await h.envelopes(TOPICS.commands)).filter(
      (e) => e.aggregateId === accepted[0]!.body.id,
    );
    expect(commands).toHaveLength(1);
    const after = await h.appended();
    const grew = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(grew).toHaveLength(1);
  });

  const pay =
    (body: Json, headers: Record<string, string> = idem()) =>
    () =>
      post('/v1/payments', body, headers);

  it('400 idempotency_key_required without the header', async () => {
    await refused(pay(paymentBody(), auth), 400, 'idempotency_key_required', 'Idempotency-Key');
  });

  it('zero, negative, fractional, over- and under-limit amounts', async () => {
    await refused(pay(paymentBody({ amount: 0 })), 400, 'invalid_amount', 'amount');
    await refused(pay(paymentBody({ amount: -500 })), 400, 'invalid_amount', 'amount');
    const frac = await refused(pay(paymentBody({ amount: 125.5 })), 400, 'validation_failed', 'amount');
    expect(frac.message).toMatch(/integer/);
    await refused(pay(paymentBody({ amount: '12500' })), 400, 'validation_failed', 'amount');
    await refused(pay(paymentBody({ amount: 500_001 })), 400, 'amount_out_of_range', 'amount');
    await refused(pay(paymentBody({ amount: 99 })), 400, 'amount_out_of_range', 'amount');
    expect((await post('/v1/payments', paymentBody({ amount: 500_000 }), idem())).status).toBe(202);
  });

  it('unknown currency, missing and unknown fields, bad provider id, fee and hold', async () => {
    await refused(pay(paymentBody({ currency: 'XYZ' })), 400, 'unsupported_currency', 'currency');
    await refused(pay(paymentBody({ currency: 'usd' })), 400, 'unsupported_currency', 'currency');
    const { customerId: _c, ...noCustomer } = paymentBody();
    await refused(pay(noCustomer), 400, 'validation_failed', 'customerId');
    await refused(pay(paymentBody({ tip: 100 })), 400, 'validation_failed', 'tip');
    await refused(
      pay(paymentBody({ escrow: { holdUntil: '2026-01-12T15:00:00Z', extra: 1 } })),
      400,
      'validation_failed',
      'escrow.extra',
    );
    await refused(
      pay(paymentBody({ providerId: 'prov with spaces' })),
      400,
      'invalid_provider_id',
      'providerId',
    );
    await refused(pay(paymentBody({ platformFeeBps: 10_001 })), 400, 'validation_failed', 'platformFeeBps');
    await refused(
      pay(paymentBody({ escrow: { holdUntil: '2025-12-31T00:00:00Z' } })),
      400,
      'invalid_hold_until',
      'escrow.holdUntil',
    );
    await refused(
      pay(paymentBody({ escrow: { holdUntil: 'next tuesday' } })),
      400,
      'invalid_hold_until',
      'escrow.holdUntil',
    );
  });

  it('404 payment_method_not_found for unknown and other-tenant cards; 400 for another customer’s card', async () => {
    await refused(
      pay(paymentBody({ paymentMethodId: 'card_nope' })),
      404,
      'payment_method_not_found',
      'paymentMethodId',
    );
    const acme = { authorization: `Bearer ${await h.key(OTHER_TENANT.id, ['read', 'write'])}` };
    const theirs = await createCard({ number: VISA }, acme);
    await refused(
      pay(paymentBody({ paymentMethodId: theirs.id })),
      404,
      'payment_method_not_found',
      'paymentMethodId',
    );
    await refused(
      pay(paymentBody({ customerId: 'cus_someone_else' })),
      400,
      'payment_method_not_owned',
      'paymentMethodId',
    );
  });

  it('?wait=<ms> returns the decided status once escrow has decided', async () => {
    const key = 'order-wait-1';
    const paymentId = paymentIdFor('default', key);
    const waiting = post('/v1/payments?wait=5000', paymentBody({ paymentMethodId: card.id }), idem(key));
    // Play escrow: once the command is in the log, hold the payment.
    for (let i = 0; i < 200; i++) {
      const cmds = await h.envelopes(TOPICS.commands);
      const cmd = cmds.find((e) => e.aggregateId === paymentId) as Envelope<'RequestPayment'> | undefined;
      if (cmd) {
        await h.givenPayment(
          'default',
          paymentId,
          historyTo(
            { type: 'RequestPayment', data: cmd.payload, metadata: { commandId: cmd.eventId } },
            'held',
          ),
        );
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const res = await waiting;
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: paymentId, status: 'held', escrowId: escrowIdFor(paymentId) });
  });

  it('?wait answers pending when nothing decides in time; refuses waits over the bound', async () => {
    const res = await post('/v1/payments?wait=50', paymentBody(), idem());
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending');
    await refused(() => post('/v1/payments?wait=30001', paymentBody(), idem()), 400, 'invalid_wait', 'wait');
    await refused(
      () => post('/v1/payments?wait=soon', paymentBody(), idem()),
      400,
      'validation_failed',
      'wait',
    );
  });

  it('413 payload_too_large over the 64 KiB body limit', async () => {
    await refused(pay(paymentBody({ metadata: { note: 'x'.repeat(70 * 1024) } })), 413, 'payload_too_large');
  });
});

describe('commands on payments and escrows', () => {
  it('release of a held escrow: 202 with the release id, amount and fee preview; Release appended', async () => {
    const { paymentId, escrowId } = await givenPayment('held');
    const res = await post(`/v1/escrows/${escrowId}/release`, { amount: 5000 });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      paymentId,
      escrowId,
      command: 'Release',
      status: 'accepted',
      expectedStatus: 'partially_released',
      amount: 5000,
      currency: 'USD',
    });
    expect(res.body.id).toMatch(/^rel_/);
    const cmd = (await h.envelopes(TOPICS.commands)).filter((e) => e.aggregateId === paymentId);
    expect(cmd.map((e) => [e.type, e.payload])).toEqual([['Release', { paymentId, amountMinor: 5000 }]]);
    expect(cmd[0]!.eventId).not.toBe('');
  });

  it('release without a body releases everything; refund, dispute and resolve each append one command', async () => {
    const a = await givenPayment('held');
    const all = await h.app.inject({
      method: 'POST',
      url: `/v1/escrows/${a.escrowId}/release`,
      headers: auth,
    });
    expect(all.statusCode, all.body).toBe(202);
    expect(all.json()).toMatchObject({ amount: 12_500, expectedStatus: 'released' });

    const b = await givenPayment('held');
    const refund = await post(`/v1/payments/${b.paymentId}/refunds`, {
      amount: 2500,
      reason: 'one walk missed',
    });
    expect(refund.status).toBe(202);
    expect(refund.body).toMatchObject({
      command: 'Refund',
      amount: 2500,
      expectedStatus: 'partially_refunded',
    });
    expect(refund.body.id).toMatch(/^rfd_/);

    // The preview is against the projected state: escrow has not applied the refund yet.
    const dispute = await post(`/v1/escrows/${b.escrowId}/disputes`, { reason: 'not as described' });
    expect(dispute.status).toBe(202);
    expect(dispute.body).toMatchObject({
      command: 'OpenDispute',
      amount: 12_500,
      expectedStatus: 'disputed',
    });
    const types = (await h.envelopes(TOPICS.commands))
      .filter((e) => e.aggregateId === b.paymentId)
      .map((e) => e.type);
    expect(types).toEqual(['Refund', 'OpenDispute']);

    const c = await givenPayment('held');
    await h.givenPayment('default', c.paymentId, [
      { type: 'OpenDispute', data: { reason: 'late' }, metadata: { commandId: 'cmd_d' } },
    ]);
    await h.queries.catchUp(0);
    const resolve = await post(`/v1/escrows/${c.escrowId}/disputes/resolve`, { outcome: 'refund' });
    expect(resolve.status).toBe(202);
    expect(resolve.body).toMatchObject({ command: 'ResolveDispute', expectedStatus: 'refunded' });
  });

  it('review (admin): approve and decline become ApproveReview / DeclineReview', async () => {
    const a = await givenPayment('review');
    const approve = await post(`/v1/payments/${a.paymentId}/review`, {
      decision: 'approve',
      note: 'known customer',
    });
    expect(approve.status).toBe(202);
    expect(approve.body).toMatchObject({ command: 'ApproveReview', expectedStatus: 'pending' });
    const b = await givenPayment('review');
    const decline = await post(`/v1/payments/${b.paymentId}/review`, { decision: 'decline' });
    expect(decline.body).toMatchObject({ command: 'DeclineReview', expectedStatus: 'declined' });
    const cmds = await h.envelopes(TOPICS.commands);
    const approveCmd = cmds.find((e) => e.aggregateId === a.paymentId) as Envelope<'ApproveReview'>;
    expect(approveCmd.payload).toMatchObject({ paymentId: a.paymentId, note: 'known customer' });
    expect(approveCmd.payload.reviewerId).toMatch(/^key:[0-9a-f]{16}$/);
  });

  it('404 for unknown payments and escrows', async () => {
    await refused(() => post('/v1/payments/pay_unknown/refunds', {}), 404, 'payment_not_found', 'id');
    await refused(() => post('/v1/escrows/esc_unknown/release', {}), 404, 'escrow_not_found', 'id');
    await refused(
      () => post('/v1/escrows/esc_unknown/disputes', { reason: 'x' }),
      404,
      'escrow_not_found',
      'id',
    );
  });

  it("404 (never 403) for another tenant's payment and escrow", async () => {
    const theirs = await givenPayment('held', OTHER_TENANT.id);
    await refused(() => post(`/v1/payments/${theirs.paymentId}/refunds`, {}), 404, 'payment_not_found');
    await refused(() => post(`/v1/escrows/${theirs.escrowId}/release`, {}), 404, 'escrow_not_found');
    await refused(
      () => post(`/v1/payments/${theirs.paymentId}/review`, { decision: 'approve' }),
      404,
      'payment_not_found',
    );
  });

  it('409 illegal_transition, checked with the escrow decider, nothing appended', async () => {
    const pending = await givenPayment('pending');
    await refused(() => post(`/v1/payments/${pending.paymentId}/refunds`, {}), 409, 'illegal_transition');
    await refused(
      () => post(`/v1/payments/${pending.paymentId}/review`, { decision: 'approve' }),
      409,
      'illegal_transition',
    );
    const held = await givenPayment('held');
    await refused(
      () => post(`/v1/escrows/${held.escrowId}/disputes/resolve`, { outcome: 'release' }),
      409,
      'illegal_transition',
    );
    await h.givenPayment('default', held.paymentId, [
      { type: 'Release', data: { amountMinor: null }, metadata: { commandId: 'cmd_all' } },
    ]);
    await h.queries.catchUp(0); // the projection has seen the release (a lagging one would let escrow refuse it)
    await refused(() => post(`/v1/escrows/${held.escrowId}/release`, {}), 409, 'illegal_transition');
    await refused(
      () => post(`/v1/payments/${held.paymentId}/refunds`, { amount: 100 }),
      409,
      'illegal_transition',
    );
  });

  it('409 amount_exceeds_available; 400 for zero, fractional and unknown fields', async () => {
    const held = await givenPayment('held');
    await refused(
      () => post(`/v1/escrows/${held.escrowId}/release`, { amount: 12_501 }),
      409,
      'amount_exceeds_available',
    );
    await refused(
      () => post(`/v1/escrows/${held.escrowId}/release`, { amount: 0 }),
      400,
      'invalid_amount',
      'amount',
    );
    await refused(
      () => post(`/v1/payments/${held.paymentId}/refunds`, { amount: -1 }),
      400,
      'invalid_amount',
      'amount',
    );
    await refused(
      () => post(`/v1/payments/${held.paymentId}/refunds`, { amount: 10.5 }),
      400,
      'validation_failed',
      'amount',
    );
    await refused(
      () => post(`/v1/escrows/${held.escrowId}/release`, { amountMinor: 100 }),
      400,
      'validation_failed',
      'amountMinor',
    );
    await refused(
      () => post(`/v1/escrows/${held.escrowId}/disputes/resolve`, { outcome: 'split' }),
      400,
      'validation_failed',
      'outcome',
    );
    await refused(
      () => post(`/v1/escrows/${held.escrowId}/disputes`, {}),
      400,
      'validation_failed',
      'reason',
    );
  });

  it('a refund with an Idempotency-Key replays instead of refunding twice', async () => {
    const held = await givenPayment('held');
    const headers = idem();
    const first = await post(`/v1/payments/${held.paymentId}/refunds`, { amount: 1000 }, headers);
    expect(first.status).toBe(202);
    const before = await h.appended();
    const again = await post(`/v1/payments/${held.paymentId}/refunds`, { amount: 1000 }, headers);
    expect(again.body).toEqual(first.body);
    expect(await h.appended()).toEqual(before);
    await refused(
      () => post(`/v1/payments/${held.paymentId}/refunds`, { amount: 2000 }, headers),
      409,
      'idempotency_conflict',
    );
  });
});

describe('rate limit', () => {
  it('429 rate_limited per API key once the window is used up; another key is unaffected', async () => {
    const limited = await openHarness({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const send = (key: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/v1/payments/pay_x/refunds',
          payload: {},
          headers: { authorization: `Bearer ${key}` },
        });
      for (let i = 0; i < 3; i++) expect((await send(limited.apiKey)).statusCode).toBe(404);
      const res = await send(limited.apiKey);
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ code: 'rate_limited' });
      expect((await send(await limited.key('default', ['write']))).statusCode).toBe(404);
    } finally {
      await limited.close();
    }
  });
});

describe('OpenAPI', () => {
  it('documents the command routes with their schemas', async () => {
    const spec = h.app.swagger() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    for (const path of [
      '/v1/payment-methods/cards',
      '/v1/bank-accounts',
      '/v1/payments',
      '/v1/payments/{id}/refunds',
      '/v1/payments/{id}/review',
      '/v1/escrows/{id}/release',
      '/v1/escrows/{id}/disputes',
      '/v1/escrows/{id}/disputes/resolve',
    ]) {
      expect(spec.paths[path]?.post, path).toBeDefined();
    }
    expect(JSON.stringify(spec.paths['/v1/payments']?.post?.requestBody)).toContain('"integer"');
  });
});

describe('no card or account number at rest or in logs', () => {
  it('scans every file under the data dir and every log line', async () => {
    // Make sure plenty was logged: a dead-ended request path logs at warn/error too.
    expect(h.logLines.length).toBeGreaterThan(0);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(h.t.dataDir);
    expect(files.some((f) => f.endsWith('log.db'))).toBe(true);
    expect(files.some((f) => f.endsWith('read.db'))).toBe(true);
    const blobs = files.filter((f) => existsSync(f)).map((f) => [f, readFileSync(f)] as const);
    for (const secret of SECRETS) {
      for (const [f, bytes] of blobs) {
        expect(bytes.includes(Buffer.from(secret)), `${secret.slice(-4)} in ${f}`).toBe(false);
      }
      expect(h.logLines.join('\n').includes(secret)).toBe(false);
    }
    // The tokens themselves are there (sanity: the scan looks at real data).
    const all = Buffer.concat(blobs.map(([, b]) => b));
    expect(all.includes(Buffer.from(card.id))).toBe(true);
    expect(partitionKey(TOPICS.events, 0)).toBe('paystream.events/0');
  });
});
