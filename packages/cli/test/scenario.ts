// One marketplace day over the public HTTP API, shared by the embedded and Kafka-mode
// end-to-end tests: tokenize, pay, hold, release, refund, decline paths, fraud, balances.

import { expect } from 'vitest';

export interface Api {
  readonly url: string;
  readonly key: string;
}

export async function call(
  api: Api,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${api.key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

/** Every card and account number the scenario sends, for the leak scan. */
export const SECRETS = {
  cards: ['4242424242424242', '4000000000009995', '4100000000000019'],
  accounts: ['000123456789'],
};

/** Luhn-valid test numbers for the card-testing burst (not real cards: 4242 range variants). */
export function burstCards(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const body = `42424242${String(100000 + i).padStart(7, '0')}`;
    for (let check = 0; check < 10; check++) {
      const digits = `${body}${check}`;
      let sum = 0;
      for (let j = 0; j < 16; j++) {
        let d = Number(digits[15 - j]);
        if (j % 2 === 1) {
          d *= 2;
          if (d > 9) d -= 9;
        }
        sum += d;
      }
      if (sum % 10 === 0) {
        out.push(digits);
        break;
      }
    }
  }
  return out;
}

async function card(api: Api, customerId: string, number: string): Promise<string> {
  const r = await call(api, 'POST', '/v1/payment-methods/cards', {
    customerId,
    number,
    expMonth: 12,
    expYear: 2031,
    cvc: '123',
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

async function pay(api: Api, key: string, body: Record<string, unknown>, waitMs: number) {
  const r = await call(
    api,
    'POST',
    `/v1/payments?wait=${Math.min(waitMs, 30_000)}`,
    { currency: 'USD', ...body },
    { 'idempotency-key': key },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body;
}

async function decided(api: Api, paymentId: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(api, 'GET', `/v1/payments/${paymentId}`);
    // Waiting for an admin's review counts as decided: only a person moves it on.
    if (r.status === 200 && (r.body.status !== 'pending' || r.body.pendingStep === 'review')) return r.body;
    if (Date.now() > deadline) throw new Error(`payment ${paymentId} not decided: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

export async function marketplaceDay(api: Api, opts: { waitMs: number; burst: number }): Promise<void> {
  const run = Date.now().toString(36);
  // The walker's payout account (a business: CCD).
  const account = await call(api, 'POST', '/v1/bank-accounts', {
    ownerId: 'prv_rex',
    routingNumber: '021000021',
    accountNumber: SECRETS.accounts[0],
    accountType: 'checking',
    holderName: 'Rex Walks LLC',
    holderType: 'business',
  });
  expect(account.status, JSON.stringify(account.body)).toBe(201);
  expect(account.body.last4).toBe('6789');

  // A dog-walking booking, $125.00, 8% platform fee.
  const visa = await card(api, 'cus_maya', SECRETS.cards[0]!);
  const booking = await pay(
    api,
    `booking-${run}`,
    { amount: 12_500, customerId: 'cus_maya', providerId: 'prv_rex', paymentMethodId: visa },
    opts.waitMs,
  );
  const held = await decided(api, booking.id as string, opts.waitMs);
  expect(held.status).toBe('held');
  expect((held.fraud as { decision: string }).decision).toBe('approve');

  const release = await call(api, 'POST', `/v1/escrows/${held.escrowId}/release`, {});
  expect(release.status, JSON.stringify(release.body)).toBe(202);
  const after = await call(api, 'GET', `/v1/payments/${booking.id}?after=${release.body.position}`);
  expect(after.body.status).toBe('released');
  const balance = await call(api, 'GET', '/v1/providers/prv_rex/balance');
  expect(balance.body).toMatchObject({ currency: 'USD', available: 11_500, held: 0 });

  // A second booking refunded in part, then released: every cent is accounted for.
  const second = await pay(
    api,
    `booking2-${run}`,
    { amount: 20_000, customerId: 'cus_maya', providerId: 'prv_rex', paymentMethodId: visa },
    opts.waitMs,
  );
  const secondHeld = await decided(api, second.id as string, opts.waitMs);
  const refund = await call(api, 'POST', `/v1/payments/${second.id}/refunds`, {
    amount: 5_000,
    reason: 'walk cut short',
  });
  expect(refund.status, JSON.stringify(refund.body)).toBe(202);
  const rel2 = await call(api, 'POST', `/v1/escrows/${secondHeld.escrowId}/release`, {});
  expect(rel2.status, JSON.stringify(rel2.body)).toBe(202);
  const done = await call(api, 'GET', `/v1/payments/${second.id}?after=${rel2.body.position}`);
  expect(done.body.amounts).toMatchObject({
    captured: 20_000,
    refunded: 5_000,
    released: 15_000,
    fees: 1_200,
    held: 0,
  });

  // Insufficient funds: declined by the network, nothing captured.
  const nsf = await card(api, 'cus_tom', SECRETS.cards[1]!);
  const nsfPay = await pay(
    api,
    `nsf-${run}`,
    { amount: 3_000, customerId: 'cus_tom', providerId: 'prv_rex', paymentMethodId: nsf },
    opts.waitMs,
  );
  const nsfDecided = await decided(api, nsfPay.id as string, opts.waitMs);
  expect(nsfDecided.status).toBe('declined');

  // The documented fraud test card is always scored as fraud and declined.
  const fraudCard = await card(api, 'cus_mallory', SECRETS.cards[2]!);
  const fraudPay = await pay(
    api,
    `fraud-${run}`,
    { amount: 4_000, customerId: 'cus_mallory', providerId: 'prv_rex', paymentMethodId: fraudCard },
    opts.waitMs,
  );
  const fraudDecided = await decided(api, fraudPay.id as string, opts.waitMs);
  expect(fraudDecided.status).toBe('declined');
  expect((fraudDecided.fraud as { decision: string; score: number }).decision).toBe('decline');

  // Card testing: small payments on many new cards from one device.
  const decisions: string[] = [];
  const ids: string[] = [];
  const numbers = burstCards(opts.burst);
  for (const [i, number] of numbers.entries()) {
    const c = await card(api, `cus_burst_${i}`, number);
    const p = await pay(
      api,
      `burst-${run}-${i}`,
      {
        amount: 100,
        customerId: `cus_burst_${i}`,
        providerId: 'prv_rex',
        paymentMethodId: c,
        risk: { deviceId: 'dev_shared_burst', ipAddress: '198.51.100.23', ipCountry: 'US' },
      },
      0,
    );
    ids.push(p.id as string);
  }
  for (const id of ids) {
    const d = await decided(api, id, opts.waitMs).catch(
      async () => (await call(api, 'GET', `/v1/payments/${id}`)).body,
    );
    decisions.push(((d.fraud as { decision?: string } | null)?.decision ?? 'unscored') as string);
  }
  expect(
    decisions.filter((d) => d === 'review' || d === 'decline').length,
    decisions.join(','),
  ).toBeGreaterThan(0);

  // Close the ACH windows now: both net releases (115.00 + 138.00) become one entry in transit.
  const close = await call(api, 'POST', '/v1/ach/windows/close', {});
  expect(close.status, JSON.stringify(close.body)).toBe(200);
  const deadline = Date.now() + opts.waitMs;
  let inTransit = 0;
  while (Date.now() < deadline) {
    const b = await call(api, 'GET', '/v1/providers/prv_rex/balance');
    inTransit = (b.body.inTransit as number) + (b.body.paid as number);
    if (inTransit === 25_300) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  expect(inTransit).toBe(25_300);
  const batches = await call(api, 'GET', '/v1/ach/batches');
  const batch = (batches.body.data as { id: string }[])[0]!;
  const file = await fetch(`${api.url}/v1/ach/batches/${batch.id}/file`, {
    headers: { authorization: `Bearer ${api.key}` },
  });
  expect(file.status).toBe(200);
  const nacha = await file.text();
  expect(
    nacha
      .split('\n')
      .filter(Boolean)
      .every((line) => line.length === 94),
  ).toBe(true);
  expect(nacha).toContain(SECRETS.accounts[0]!.padEnd(17, ' '));

  // The books balance, and the whole history verifies.
  const tb = await call(api, 'GET', '/v1/ledger/trial-balance');
  expect(tb.body.balanced).toBe(true);
  const audit = await call(api, 'GET', '/v1/audit/verify');
  expect(audit.body.ok, JSON.stringify(audit.body.firstProblem)).toBe(true);
}
