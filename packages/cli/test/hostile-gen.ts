// Generators for the hostile-input suite (hostile.spec.ts). Every request built here is meant to
// be refused: each carries at least one defect that no other field can repair (an invalid amount,
// an unknown field, a bad key, another tenant's id, …); the other fields are then decorated with
// odd unicode and injection strings. The few requests that may legitimately succeed say so
// (`expect: 'replay'` for an identical idempotent retry, `'read'` for a GET that may answer 200).

import fc from 'fast-check';

export type Expect = 'reject' | 'replay' | 'read';

export interface HostileRequest {
  readonly kind: string;
  readonly method: string;
  /** Already percent-encoded where it needs to be; sent as is. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly expect: Expect;
}

export interface Targets {
  /** The default tenant's admin keys (the per-key rate limit is spread over them). */
  readonly keys: readonly string[];
  readonly readOnlyKey: string;
  readonly writeOnlyKey: string;
  /** The second tenant's admin key. */
  readonly otherKey: string;
  /** Default tenant: a card of `customerId`, a card of another customer, a held payment. */
  readonly customerId: string;
  readonly cardId: string;
  readonly otherCustomersCardId: string;
  readonly paymentId: string;
  readonly escrowId: string;
  /** The held payment's idempotency key and its exact body. */
  readonly idempotencyKey: string;
  readonly paymentBody: Readonly<Record<string, unknown>>;
  /** The other tenant's card, payment and escrow. */
  readonly otherCardId: string;
  readonly otherPaymentId: string;
  readonly otherEscrowId: string;
}

type Json = Record<string, unknown>;

export const INJECTIONS: readonly string[] = [
  "' OR '1'='1",
  '1; DROP TABLE payments;--',
  "'; SELECT * FROM sqlite_master; --",
  '" OR ""="',
  "admin'--",
  '$where',
  '{"$gt":""}',
  '{"$ne":null}',
  '__proto__',
  'constructor',
  'prototype',
  '../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  '/dev/null',
  '\u0000',
  'abc\u0000def',
  '\u202Eevil\u202C',
  '\u200F\u200E\u200B',
  '\uFEFF',
  '💳🔥💸',
  'pay_💳',
  '\uD800',
  '\uDFFF',
  'a\uD83Db',
  '<script>alert(1)</script>',
  '$' + '{jndi:ldap://127.0.0.1/x}', // a log4j-style lookup (kept out of a template literal)
  '{{7*7}}',
  '\r\nX-Injected: 1',
  'line\nbreak',
  'Ω≈ç√∫',
  'ＵＳＤ',
  '١٢٣',
  ' ',
  '',
];

const SUPPORTED_CURRENCIES = new Set(['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY', 'CHF', 'MXN']);
const PROVIDER_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** Odd strings: the fixed list above, arbitrary unicode (incl. lone surrogates), long runs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`) },
  { weight: 1, arbitrary: fc.integer({ min: 129, max: 3000 }).map((n) => 'x'.repeat(n)) },
);

/** Anything that is not a JSON string. */
const notAString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constantFrom({ $gt: '' }, { $ne: null }, { $regex: '.*' }, {}),
);

/** Amounts no payment, refund or release may carry. */
export const invalidAmount: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: 0 }),
  fc.double({ noInteger: true, noDefaultInfinity: true, noNaN: true }),
  fc.constantFrom(-0, 1e21, 2 ** 53 + 2, Number.MAX_VALUE, -Number.MAX_VALUE, 0.1 + 0.2, 125.5),
  fc.constantFrom('100', '12500', 'NaN', 'Infinity', '-1', '1e3', '0x10', '١٠٠', ''),
  fc.constantFrom(null, true, false, [], [12500], {}, { $gt: 0 }, { value: 12500 }),
);

/** Amounts outside the default tenant's limits (100–500,000). */
const outOfRangeAmount = fc.oneof(
  fc.integer({ min: 1, max: 99 }),
  fc.integer({ min: 500_001, max: Number.MAX_SAFE_INTEGER }),
);

const badCurrency: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    'usd',
    'Usd',
    'XXX',
    'ZZZ',
    'BTC',
    'US',
    'USDD',
    '€€€',
    'U\u0000D',
    'ＵＳＤ',
    'US\u200F',
    '',
  ),
  fc.string({ minLength: 3, maxLength: 3 }).filter((s) => !SUPPORTED_CURRENCIES.has(s)),
  notAString,
);

/** Strings that are not a valid provider id. */
const badProviderId = fc.oneof(
  hostileString.filter((s) => !PROVIDER_ID.test(s)),
  fc.constantFrom('prv/../../x', 'prv:evil:payable', 'prv x', 'prv\u0000'),
);

const PAYMENT_FIELDS = ['amount', 'currency', 'customerId', 'providerId', 'paymentMethodId'] as const;

/** A key that is not a field of the body schema. */
const unknownKey = fc.oneof(
  fc.constantFrom(
    'constructor',
    '$where',
    '$gt',
    'prototype',
    'status',
    'id',
    'tenantId',
    '',
    ' amount',
    'Amount',
  ),
  fc.string({ minLength: 1, maxLength: 12 }),
);

function withoutKey(body: Json, key: string): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(body)) if (k !== key) out[k] = v;
  return out;
}

/**
 * Applies one defect (the reason the request must fail) to a valid payment body. `unknown` is
 * the schema's closed-object rule; `paymentMethod*` fail on lookup or ownership.
 */
function paymentDefect(t: Targets): fc.Arbitrary<{ defect: string; body: Json }> {
  const base: Json = {
    amount: 12_500,
    currency: 'USD',
    customerId: t.customerId,
    providerId: 'prv_hostile',
    paymentMethodId: t.cardId,
  };
  const d = (defect: string, arb: fc.Arbitrary<Json>) => arb.map((body) => ({ defect, body }));
  return fc.oneof(
    d(
      'amount',
      invalidAmount.map((amount) => ({ ...base, amount })),
    ),
    d(
      'amount-range',
      outOfRangeAmount.map((amount) => ({ ...base, amount })),
    ),
    d(
      'currency',
      badCurrency.map((currency) => ({ ...base, currency })),
    ),
    d(
      'provider',
      badProviderId.map((providerId) => ({ ...base, providerId })),
    ),
    d(
      'customer',
      fc
        .oneof(hostileString, notAString)
        .filter((c) => c !== t.customerId)
        .map((customerId) => ({ ...base, customerId })),
    ),
    d(
      'payment-method',
      fc
        .oneof(
          fc.constantFrom(t.otherCardId, t.otherCustomersCardId, `${t.cardId}x`, t.cardId.toUpperCase()),
          hostileString,
          notAString,
        )
        .filter((id) => id !== t.cardId)
        .map((paymentMethodId) => ({ ...base, paymentMethodId })),
    ),
    d(
      'missing',
      fc.constantFrom(...PAYMENT_FIELDS).map((k) => withoutKey(base, k)),
    ),
    d(
      'unknown-field',
      fc.tuple(unknownKey, fc.jsonValue()).map(([k, v]) => ({ ...base, [k]: v })),
    ),
    d(
      'fee',
      fc
        .oneof(
          fc.integer({ min: 10_001 }),
          fc.integer({ max: -1 }),
          fc.double({ noInteger: true }),
          fc.constantFrom('800', null, true, [], {}, { $gt: 0 }),
        )
        .map((platformFeeBps) => ({ ...base, platformFeeBps })),
    ),
    d(
      'escrow',
      fc
        .oneof(
          fc.constantFrom('not a date', '9999-99-99', '2999-01-01T00:00:00Z', '\u0000', 'yesterday'),
          fc.constantFrom(-1, 1.5, 8.64e15 + 1),
          fc.constant({ $gt: 0 }),
        )
        .map((holdUntil) => ({ ...base, escrow: { holdUntil } })),
    ),
    d(
      'escrow-shape',
      fc
        .oneof(
          fc.constantFrom('yes', 1, [], null),
          fc.record({ autoRelease: fc.constantFrom('true', 1, null) }),
        )
        .map((escrow) => ({ ...base, escrow })),
    ),
    d(
      'metadata',
      fc
        .oneof(
          fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), notAString, { minKeys: 1, maxKeys: 3 }),
          fc.dictionary(
            hostileString.filter((k) => !/^[A-Za-z0-9_.-]{1,40}$/.test(k)),
            fc.constant('v'),
            { minKeys: 1, maxKeys: 3 },
          ),
          fc.constant(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']))),
          fc.constantFrom('meta', 1, [], null),
        )
        .filter((m) => !(typeof m === 'object' && m !== null && Object.keys(m).length === 0))
        .map((metadata) => ({ ...base, metadata })),
    ),
    d(
      'risk',
      fc
        .oneof(
          fc.record({ ipCountry: hostileString.filter((c) => !/^[A-Z]{2}$/.test(c)) }),
          fc.record({ ipAddress: fc.integer({ min: 46, max: 300 }).map((n) => '1'.repeat(n)) }),
          fc.record({ email: notAString }),
          fc.record({ shell: fc.constant('$(rm -rf /)') }),
        )
        .map((risk) => ({ ...base, risk })),
    ),
    d(
      'not-an-object',
      fc.constantFrom<Json>({ body: [] }).map(() => ({ __array: true })),
    ),
  );
}

/** Harmless-looking but odd decorations of optional fields; never a repair of the defect. */
const decoration: fc.Arbitrary<Json> = fc.oneof(
  fc.constant({}),
  fc.record({
    metadata: fc.dictionary(
      fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/),
      hostileString.map((s) => s.slice(0, 500)),
      { maxKeys: 5 },
    ),
  }),
  fc.record({
    risk: fc.record(
      {
        ipAddress: hostileString.map((s) => s.slice(0, 45)),
        deviceId: hostileString.map((s) => s.slice(0, 128)),
        email: hostileString.map((s) => s.slice(0, 254)),
        userAgent: hostileString.map((s) => s.slice(0, 512)),
      },
      { requiredKeys: [] },
    ),
  }),
);

let counter = 0;
const fresh = (prefix: string) => `${prefix}-${++counter}`;

/** An Idempotency-Key header value: mostly fresh and valid, sometimes hostile (latin-1 only: fetch's headers are byte strings). */
const idempotencyKey: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('fresh') },
  {
    weight: 2,
    arbitrary: fc.constantFrom<string | null>(
      null,
      'k\u00e9y',
      'has space',
      'tab\there',
      'x'.repeat(256),
      "' OR 1=1 --\u00ff",
      '\u00a0',
    ),
  },
);

/** Percent-encodes a path segment byte-exactly, lone surrogates as their (invalid) 3-byte UTF-8 form. */
export function encodeSegment(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out +=
        `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`.toUpperCase();
    } else {
      out += encodeURIComponent(s[i]!);
    }
  }
  return out;
}

function sample<T>(arb: fc.Arbitrary<T>, n: number, seed: number): T[] {
  return fc.sample(arb, { seed, numRuns: n });
}

function jsonHeaders(key: string | null, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    ...extra,
  };
}

function bodyText(body: Json): string {
  return body.__array === true ? JSON.stringify([body]) : JSON.stringify(body);
}

/** Valid-looking requests for every route, without their defect; auth cases make them fail. */
function validRequests(t: Targets): { method: string; path: string; body?: string; idem: boolean }[] {
  const pay = JSON.stringify({
    amount: 12_500,
    currency: 'USD',
    customerId: t.customerId,
    providerId: 'prv_hostile',
    paymentMethodId: t.cardId,
  });
  return [
    { method: 'POST', path: '/v1/payments', body: pay, idem: true },
    { method: 'POST', path: '/v1/payments?wait=100', body: pay, idem: true },
    {
      method: 'POST',
      path: '/v1/payment-methods/cards',
      body: JSON.stringify({
        customerId: 'cus_x',
        number: '4242424242424242',
        expMonth: 12,
        expYear: 2030,
        cvc: '123',
      }),
      idem: false,
    },
    {
      method: 'POST',
      path: '/v1/bank-accounts',
      body: JSON.stringify({
        ownerId: 'prv_x',
        routingNumber: '011000015',
        accountNumber: '000123456789',
        accountType: 'checking',
        holderName: 'X',
      }),
      idem: false,
    },
    { method: 'POST', path: `/v1/payments/${t.paymentId}/refunds`, body: '{}', idem: false },
    { method: 'POST', path: `/v1/escrows/${t.escrowId}/release`, body: '{}', idem: false },
    { method: 'POST', path: `/v1/escrows/${t.escrowId}/disputes`, body: '{"reason":"x"}', idem: false },
    { method: 'POST', path: '/v1/ach/windows/close', body: '{}', idem: false },
    { method: 'GET', path: `/v1/payments/${t.paymentId}`, idem: false },
    { method: 'GET', path: `/v1/escrows/${t.escrowId}`, idem: false },
    { method: 'GET', path: '/v1/providers/prv_hostile/balance', idem: false },
    { method: 'GET', path: '/v1/payouts', idem: false },
    { method: 'GET', path: '/v1/ach/batches', idem: false },
    { method: 'GET', path: '/v1/ledger/trial-balance', idem: false },
    { method: 'GET', path: '/v1/analytics/costs', idem: false },
    { method: 'GET', path: `/v1/audit/events?aggregateId=${t.paymentId}`, idem: false },
    { method: 'GET', path: '/v1/audit/verify', idem: false },
    // the operator console's reads
    { method: 'GET', path: '/v1/payments?status=held&limit=5', idem: false },
    { method: 'GET', path: '/v1/console/session', idem: false },
    { method: 'GET', path: '/v1/console/overview?range=hour', idem: false },
    { method: 'GET', path: '/v1/console/review-queue', idem: false },
    { method: 'GET', path: '/v1/providers', idem: false },
    { method: 'GET', path: '/v1/ach/returns', idem: false },
    { method: 'GET', path: '/v1/ledger/accounts', idem: false },
    { method: 'GET', path: '/v1/console/events?limit=5', idem: false },
    { method: 'GET', path: '/v1/console/infrastructure', idem: false },
  ];
}

export function generate(t: Targets, seed: number): HostileRequest[] {
  const out: HostileRequest[] = [];
  let k = 0;
  const key = () => t.keys[k++ % t.keys.length]!;
  const push = (r: HostileRequest) => out.push(r);

  // 1. Authentication: every route, valid requests, missing / malformed / unknown keys.
  const badAuth = sample(
    fc.oneof(
      fc.constantFrom<string | null>(
        null,
        '',
        'Bearer',
        'Bearer ',
        'bearer KEY',
        'Basic dXNlcjpwYXNz',
        'Bearer KEY KEY',
        'Bearer KEYx',
        'BearerKEY',
        'Bearer  KEY',
        'Token KEY',
        'Bearer short',
        'Bearer \u00ff\u00fe\u00fd\u00fc\u00fb\u00fa\u00f9\u00f8\u00f7\u00f6\u00f5\u00f4\u00f3\u00f2\u00f1\u00f0',
        "Bearer ' OR '1'='1",
        'Bearer ../../../../etc/passwd',
        'Bearer psk_00000000000000000000000000000000',
      ),
      fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/).map((s) => `Bearer ${s}`),
      // fetch refuses NUL, CR and LF in a header value (the raw-socket cases send those).
      fc
        .string({ unit: 'binary-ascii', maxLength: 80 })
        .map((s) => `Bearer ${s.replace(/[^\t\x20-\x7e]/g, '')}`),
    ),
    1_500,
    seed + 1,
  );
  const valid = validRequests(t);
  badAuth.forEach((a, i) => {
    const v = valid[i % valid.length]!;
    const auth = a?.replaceAll('KEY', t.keys[0]!) ?? null;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth !== null) headers.authorization = auth;
    if (v.idem) headers['idempotency-key'] = fresh('auth');
    push({
      kind: 'auth',
      method: v.method,
      path: v.path,
      headers,
      ...(v.body ? { body: v.body } : {}),
      expect: 'reject',
    });
  });
  // Scopes: a read-only key writing, a write-only key on admin routes and on reads.
  for (let i = 0; i < 300; i++) {
    const v = valid[i % valid.length]!;
    const admin = v.path.startsWith('/v1/ach/windows') || v.path.startsWith('/v1/audit/verify');
    const k2 = v.method === 'GET' ? t.writeOnlyKey : admin ? t.writeOnlyKey : t.readOnlyKey;
    push({
      kind: 'scope',
      method: v.method,
      path: v.path,
      headers: jsonHeaders(k2, v.idem ? { 'idempotency-key': fresh('scope') } : {}),
      ...(v.body ? { body: v.body } : {}),
      expect: 'reject',
    });
  }

  // 2. Payments with a defect, decorated with odd strings.
  const payments = sample(
    fc.tuple(paymentDefect(t), decoration, idempotencyKey, fc.boolean()),
    3_000,
    seed + 2,
  );
  for (const [{ defect, body }, deco, idem, wait] of payments) {
    const full = { ...deco, ...body };
    const headers = jsonHeaders(
      key(),
      idem === null ? {} : { 'idempotency-key': idem === 'fresh' ? fresh('pay') : idem },
    );
    push({
      kind: `payment:${defect}`,
      method: 'POST',
      path: wait ? '/v1/payments?wait=50' : '/v1/payments',
      headers,
      body: bodyText(full),
      expect: 'reject',
    });
  }
  // A valid payment body, refused only for its key or its query.
  for (const [i, bad] of [
    ...sample(
      fc.constantFrom(
        'wait=-1',
        'wait=abc',
        'wait=30001',
        'wait=1e3',
        'wait=9999999',
        'wait=%00',
        'wait=1&wait=2',
        '__proto__[x]=1',
        'constructor[prototype][x]=1',
        'x=1',
      ),
      200,
      seed + 3,
    ),
  ].entries()) {
    push({
      kind: 'payment:query',
      method: 'POST',
      path: `/v1/payments?${bad}`,
      headers: jsonHeaders(key(), { 'idempotency-key': fresh(`q${i}`) }),
      body: valid[0]!.body!,
      expect: 'reject',
    });
  }
  for (const idem of [null, '', 'k\u00e9y', 'has space', 'x'.repeat(256), '\u00a0\u00a0', 'tab\tkey']) {
    for (let i = 0; i < 15; i++) {
      const extra: Record<string, string> = idem === null ? {} : { 'idempotency-key': idem };
      push({
        kind: 'payment:key',
        method: 'POST',
        path: '/v1/payments',
        headers: jsonHeaders(key(), extra),
        body: valid[0]!.body!,
        expect: 'reject',
      });
    }
  }

  // 3. Reused idempotency keys: altered bodies conflict; the identical body (in any key order) replays.
  const altered = sample(
    fc.oneof(
      fc
        .integer({ min: 100, max: 500_000 })
        .filter((a) => a !== t.paymentBody.amount)
        .map((amount) => ({ ...t.paymentBody, amount })),
      fc.constantFrom('EUR', 'GBP', 'CAD').map((currency) => ({ ...t.paymentBody, currency })),
      fc
        .stringMatching(/^[A-Za-z0-9_.-]{1,30}$/)
        .filter((p) => p !== t.paymentBody.providerId)
        .map((providerId) => ({ ...t.paymentBody, providerId })),
      fc.integer({ min: 0, max: 10_000 }).map((platformFeeBps) => ({ ...t.paymentBody, platformFeeBps })),
      fc
        .dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 10 }), {
          minKeys: 1,
          maxKeys: 3,
        })
        .map((metadata) => ({ ...t.paymentBody, metadata })),
      fc.constant({ ...t.paymentBody, paymentMethodId: t.otherCustomersCardId }),
    ),
    600,
    seed + 4,
  );
  for (const body of altered) {
    push({
      kind: 'idempotency:altered',
      method: 'POST',
      path: '/v1/payments',
      headers: jsonHeaders(key(), { 'idempotency-key': t.idempotencyKey }),
      body: JSON.stringify(body),
      expect: 'reject',
    });
  }
  const entries = Object.entries(t.paymentBody);
  for (let i = 0; i < 50; i++) {
    const rotated = [...entries.slice(i % entries.length), ...entries.slice(0, i % entries.length)];
    push({
      kind: 'idempotency:replay',
      method: 'POST',
      path: '/v1/payments',
      headers: jsonHeaders(key(), { 'idempotency-key': t.idempotencyKey }),
      body: JSON.stringify(Object.fromEntries(rotated)),
      expect: 'replay',
    });
  }

  // 4. Cards and bank accounts with a defect.
  const cardBase = {
    customerId: 'cus_hostile',
    number: '4242424242424242',
    expMonth: 12,
    expYear: 2030,
    cvc: '123',
  };
  const cardDefect = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 19 }).map((ds) => {
      const digits = ds.join('');
      return { ...cardBase, number: luhnValid(digits) ? flipLast(digits) : digits };
    }),
    fc
      .constantFrom(
        '4242424242424241',
        '4242-4242-4242-424x',
        '４２４２４２４２４２４２４２４２',
        '٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢',
        '4242\u00004242424242424',
        '4242424242424242\u200F',
        "4242' OR 1=1 --",
        '0000000000000001',
      )
      .map((number) => ({ ...cardBase, number })),
    fc
      .oneof(
        fc.integer({ min: 2000, max: 2024 }),
        fc.integer({ max: 1999 }),
        fc.integer({ min: 2200 }),
        fc.constantFrom('2030', 2030.5),
      )
      .map((expYear) => ({ ...cardBase, expYear })),
    fc
      .oneof(fc.integer({ max: 0 }), fc.integer({ min: 13 }), fc.constantFrom('12', 1.5, null))
      .map((expMonth) => ({ ...cardBase, expMonth })),
    fc
      .oneof(fc.constantFrom('12', '12345', 'abc', '١٢٣', '12\u0000', ''), fc.integer())
      .map((cvc) => ({ ...cardBase, cvc })),
    fc.constantFrom('customerId', 'number', 'expMonth', 'expYear', 'cvc').map((f) => withoutKey(cardBase, f)),
    fc.tuple(unknownKey, fc.jsonValue()).map(([k2, v]) => ({ ...cardBase, [k2]: v })),
    fc
      .oneof(
        fc.constant(''),
        fc.integer({ min: 129, max: 500 }).map((n) => 'c'.repeat(n)),
        notAString,
      )
      .map((customerId) => ({ ...cardBase, customerId })),
  );
  for (const [body, customerId] of sample(fc.tuple(cardDefect, hostileString), 900, seed + 5)) {
    // The customer id is decorated only where the defect is elsewhere.
    const b =
      'customerId' in body && body.customerId === cardBase.customerId
        ? { ...body, customerId: customerId || 'c' }
        : body;
    push({
      kind: 'card',
      method: 'POST',
      path: '/v1/payment-methods/cards',
      headers: jsonHeaders(key()),
      body: JSON.stringify(b),
      expect: 'reject',
    });
  }
  const bankBase = {
    ownerId: 'prv_hostile',
    routingNumber: '011000015',
    accountNumber: '000123456789',
    accountType: 'checking',
    holderName: 'H',
  };
  const bankDefect = fc.oneof(
    fc
      .array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 })
      .map((ds) => ds.join(''))
      .filter((r) => !abaValid(r))
      .map((routingNumber) => ({ ...bankBase, routingNumber })),
    fc
      .constantFrom('01100001x', '０１１０００１５', '011000015\u0000', "' OR 1=1", '')
      .map((routingNumber) => ({ ...bankBase, routingNumber })),
    fc
      .constantFrom(
        '123',
        'abcdefgh',
        '123456789012345678',
        '1234\u00005678',
        '12345678901234567890123',
        '١٢٣٤٥',
      )
      .map((accountNumber) => ({ ...bankBase, accountNumber })),
    fc
      .oneof(fc.constantFrom('crypto', 'Checking', '', 'checking\u0000'), notAString)
      .map((accountType) => ({ ...bankBase, accountType })),
    fc
      .oneof(fc.constant(''), fc.constant('h'.repeat(101)), notAString)
      .map((holderName) => ({ ...bankBase, holderName })),
    fc.constantFrom('alien', 'INDIVIDUAL', '').map((holderType) => ({ ...bankBase, holderType })),
    fc.tuple(unknownKey, fc.jsonValue()).map(([k2, v]) => ({ ...bankBase, [k2]: v })),
  );
  for (const body of sample(bankDefect, 600, seed + 6)) {
    push({
      kind: 'bank-account',
      method: 'POST',
      path: '/v1/bank-accounts',
      headers: jsonHeaders(key()),
      body: JSON.stringify(body),
      expect: 'reject',
    });
  }

  // 5. Escrow actions on the held payment that cannot apply, and on unknown ids.
  const over = fc.integer({ min: 12_501, max: Number.MAX_SAFE_INTEGER });
  const reason = hostileString.map((s) => s.slice(0, 500) || 'r');
  const escrowAction = fc.oneof(
    fc.tuple(fc.oneof(invalidAmount, over), reason).map(([amount, r]) => ({
      kind: 'refund',
      path: `/v1/payments/${t.paymentId}/refunds`,
      body: { amount, reason: r },
    })),
    fc
      .oneof(invalidAmount, over)
      .map((amount) => ({ kind: 'release', path: `/v1/escrows/${t.escrowId}/release`, body: { amount } })),
    fc.oneof(fc.constant(''), fc.constant('r'.repeat(501)), notAString).map((r) => ({
      kind: 'dispute',
      path: `/v1/escrows/${t.escrowId}/disputes`,
      body: { reason: r },
    })),
    fc.tuple(reason, unknownKey, fc.jsonValue()).map(([r, k2, v]) => ({
      kind: 'dispute',
      path: `/v1/escrows/${t.escrowId}/disputes`,
      body: { reason: r, [k2 === 'reason' ? 'x' : k2]: v },
    })),
    fc.oneof(fc.constantFrom('release', 'refund'), hostileString, notAString).map((outcome) => ({
      kind: 'resolve',
      path: `/v1/escrows/${t.escrowId}/disputes/resolve`,
      body: { outcome },
    })),
    fc.oneof(fc.constantFrom('approve', 'decline'), hostileString).map((decision) => ({
      kind: 'review',
      path: `/v1/payments/${t.paymentId}/review`,
      body: { decision },
    })),
    fc
      .tuple(
        hostileString.filter((s) => s !== t.escrowId && s.length > 0 && s.length <= 100),
        fc.constantFrom('release', 'disputes', 'disputes/resolve'),
      )
      .map(([id, action]) => ({
        kind: 'unknown-escrow',
        path: `/v1/escrows/${encodeSegment(id)}/${action}`,
        body: action === 'disputes' ? { reason: 'x' } : action === 'release' ? {} : { outcome: 'release' },
      })),
    hostileString
      .filter((s) => s !== t.paymentId && s.length > 0 && s.length <= 100)
      .map((id) => ({
        kind: 'unknown-payment',
        path: `/v1/payments/${encodeSegment(id)}/refunds`,
        body: {},
      })),
  );
  for (const a of sample(escrowAction, 900, seed + 7)) {
    push({
      kind: `escrow:${a.kind}`,
      method: 'POST',
      path: a.path,
      headers: jsonHeaders(key()),
      body: JSON.stringify(a.body),
      expect: 'reject',
    });
  }

  // 6. Other tenants' ids, both ways, with otherwise valid requests.
  const cross: { path: string; method: string; body?: string; key: string; idem?: boolean }[] = [
    { method: 'POST', path: `/v1/escrows/${t.escrowId}/release`, body: '{}', key: t.otherKey },
    {
      method: 'POST',
      path: `/v1/escrows/${t.escrowId}/disputes`,
      body: '{"reason":"mine now"}',
      key: t.otherKey,
    },
    { method: 'POST', path: `/v1/payments/${t.paymentId}/refunds`, body: '{}', key: t.otherKey },
    { method: 'POST', path: `/v1/escrows/${t.otherEscrowId}/release`, body: '{}', key: t.keys[0]! },
    { method: 'POST', path: `/v1/payments/${t.otherPaymentId}/refunds`, body: '{}', key: t.keys[0]! },
    {
      method: 'POST',
      path: `/v1/escrows/${t.otherEscrowId}/disputes`,
      body: '{"reason":"x"}',
      key: t.keys[0]!,
    },
    {
      method: 'POST',
      path: '/v1/payments',
      body: JSON.stringify({ ...t.paymentBody, paymentMethodId: t.otherCardId }),
      key: t.keys[0]!,
      idem: true,
    },
    {
      method: 'POST',
      path: '/v1/payments',
      body: JSON.stringify(t.paymentBody),
      key: t.otherKey,
      idem: true,
    },
    { method: 'GET', path: `/v1/payments/${t.paymentId}`, key: t.otherKey },
    { method: 'GET', path: `/v1/escrows/${t.escrowId}`, key: t.otherKey },
    { method: 'GET', path: `/v1/payments/${t.otherPaymentId}`, key: t.keys[0]! },
    { method: 'GET', path: `/v1/escrows/${t.otherEscrowId}`, key: t.keys[0]! },
    { method: 'GET', path: `/v1/audit/events?aggregateId=${t.paymentId}`, key: t.otherKey },
    { method: 'GET', path: `/v1/providers/${t.paymentBody.providerId as string}/balance`, key: t.otherKey },
  ];
  for (let i = 0; i < 420; i++) {
    const c = cross[i % cross.length]!;
    push({
      kind: 'cross-tenant',
      method: c.method,
      path: c.path,
      headers: jsonHeaders(c.key, c.idem ? { 'idempotency-key': fresh('x') } : {}),
      ...(c.body ? { body: c.body } : {}),
      expect: 'reject',
    });
  }

  // 7. Reads: hostile ids and query strings (a read may answer 200; it can never write).
  const readTarget = fc.oneof(
    hostileString.map((id) => `/v1/payments/${encodeSegment(id)}`),
    hostileString.map((id) => `/v1/escrows/${encodeSegment(id)}`),
    hostileString.map((id) => `/v1/providers/${encodeSegment(id)}/balance`),
    hostileString.map((id) => `/v1/ach/batches/${encodeSegment(id)}`),
    hostileString.map((id) => `/v1/ach/batches/${encodeSegment(id)}/file`),
    hostileString.map((id) => `/v1/ledger/accounts/${encodeSegment(id)}`),
    hostileString.map((q) => `/v1/payments/${t.paymentId}?after=${encodeSegment(q)}`),
    fc
      .base64String({ maxLength: 60 })
      .map((q) => `/v1/payments/${t.paymentId}?after=${encodeURIComponent(q)}`),
    hostileString.map((q) => `/v1/payouts?limit=${encodeSegment(q)}`),
    hostileString.map((q) => `/v1/payouts?cursor=${encodeSegment(q)}`),
    fc
      .base64String({ minLength: 4, maxLength: 80 })
      .map((q) => `/v1/ach/batches?cursor=${encodeURIComponent(q)}`),
    hostileString.map((q) => `/v1/payouts?providerId=${encodeSegment(q)}&limit=0`),
    fc
      .tuple(hostileString, hostileString)
      .map(([a, b]) => `/v1/analytics/costs?from=${encodeSegment(a)}&to=${encodeSegment(b)}`),
    fc.constantFrom(
      '/v1/analytics/costs?from=1900-01-01&to=2999-01-01',
      '/v1/analytics/costs?from=2030-01-01&to=2020-01-01',
    ),
    hostileString.map((q) => `/v1/audit/events?aggregateId=${encodeSegment(q)}`),
    hostileString.map((q) => `/v1/providers/prv_hostile/balance?currency=${encodeSegment(q)}`),
    fc
      .tuple(
        fc.constantFrom(
          'status',
          'pendingStep',
          'customerId',
          'providerId',
          'minAmount',
          'maxAmount',
          'from',
          'to',
          'limit',
          'cursor',
        ),
        hostileString,
      )
      .map(([k, q]) => `/v1/payments?${k}=${encodeSegment(q)}`),
    hostileString.map((q) => `/v1/console/overview?range=${encodeSegment(q)}`),
    hostileString.map((q) => `/v1/console/events?type=${encodeSegment(q)}`),
    hostileString.map((q) => `/v1/console/review-queue?limit=${encodeSegment(q)}`),
  );
  for (const path of sample(readTarget, 1_000, seed + 8)) {
    push({ kind: 'read', method: 'GET', path, headers: jsonHeaders(key()), expect: 'read' });
  }

  // 8. Content types other than JSON, on write routes, with valid bodies.
  const contentTypes = [
    'text/plain',
    'text/html',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=----x',
    'application/xml',
    'application/octet-stream',
    'application/jsonx',
    'application/x-json',
    'image/png',
    'json',
    '*/*',
  ];
  for (let i = 0; i < 330; i++) {
    const v = valid.filter((r) => r.method === 'POST' && !r.path.startsWith('/v1/ach'))[i % 7]!;
    const headers: Record<string, string> = {
      authorization: `Bearer ${key()}`,
      'content-type': contentTypes[i % contentTypes.length]!,
    };
    if (v.idem) headers['idempotency-key'] = fresh('ct');
    push({
      kind: 'content-type',
      method: 'POST',
      path: v.path,
      headers,
      body: v.body ?? '{}',
      expect: 'reject',
    });
  }

  // 9. Unknown routes and methods, path traversal.
  const routeArb = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'GET', 'POST'),
        // Not the ACH window close: with an admin key any POST there is a valid request.
        fc.constantFrom(
          ...valid.filter((v) => !v.path.startsWith('/v1/ach/windows')).map((v) => v.path.split('?')[0]!),
        ),
      )
      .map(([m, p]) => ({ m, p })),
    hostileString.map((s) => ({ m: 'GET', p: `/v1/${encodeSegment(s)}` })),
    hostileString.map((s) => ({ m: 'POST', p: `/${encodeSegment(s)}` })),
    fc
      .constantFrom(
        '/v1/../v1/payments',
        '/v1/payments/..%2F..%2F..%2Fetc%2Fpasswd',
        '/v1/payments/%2e%2e/%2e%2e/etc/passwd',
        '/..%5c..%5cwindows',
        '/v2/payments',
        '/V1/PAYMENTS',
        '/v1/payments%00',
        '/v1/payments;jsessionid=1',
        '/v1//payments',
        '//v1/payments',
        '/v1/payments/%',
        '/v1/payments/%zz',
        '/v1/payments/%ED%A0%80',
        '/v1/payments/%C0%AF',
        `/v1/payments/${'a'.repeat(300)}`,
        `/v1/${'a/'.repeat(1500)}`,
        '/admin',
        '/.env',
        '/v1/ach/batches/achbatch_00000000000000000000000000/file',
      )
      .map((p) => ({ m: 'GET', p })),
  );
  for (const { m, p } of sample(routeArb, 650, seed + 9)) {
    const isPost = m === 'POST' || m === 'PUT' || m === 'PATCH';
    push({
      kind: 'route',
      method: m,
      path: p,
      headers: jsonHeaders(key(), m === 'POST' ? { 'idempotency-key': fresh('r') } : {}),
      ...(isPost ? { body: '{"amount":"x"}' } : {}),
      expect: m === 'GET' ? 'read' : 'reject',
    });
  }

  // 10. Size and depth: over the 64 KiB limit, deeply nested, long arrays; prototype keys.
  const big = (n: number) => JSON.stringify({ ...t.paymentBody, metadata: { pad: 'x'.repeat(n) } });
  const shapes: string[] = [
    big(64 * 1024),
    big(70_000),
    big(200_000),
    big(1_000_000),
    `{"amount":${'9'.repeat(70_000)}}`,
    '['.repeat(30_000) + ']'.repeat(30_000),
    '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000),
    JSON.stringify({ ...t.paymentBody, metadata: nest(3_000) }),
    JSON.stringify({ ...t.paymentBody, escrow: nest(3_000) }),
    JSON.stringify({ ...t.paymentBody, risk: { deviceId: nest(2_000) } }),
    JSON.stringify({ ...t.paymentBody, amount: Array.from({ length: 10_000 }, () => 1) }),
    `{"__proto__":{"polluted":true},${JSON.stringify(t.paymentBody).slice(1)}`,
    `{"constructor":{"prototype":{"polluted":true}},${JSON.stringify(t.paymentBody).slice(1)}`,
    `{${JSON.stringify(t.paymentBody).slice(1, -1)},"metadata":{"__proto__":"x"}}`,
    `${JSON.stringify(t.paymentBody).slice(0, -1)},"amount":1}`,
    `${JSON.stringify(t.paymentBody).slice(0, -1)},"amount":NaN}`.replace('"amount":12500,', ''),
    `${JSON.stringify(t.paymentBody).slice(0, -1)},"amount":Infinity}`.replace('"amount":12500,', ''),
    `${JSON.stringify(t.paymentBody).slice(0, -1)},"amount":1e400}`.replace('"amount":12500,', ''),
    JSON.stringify(t.paymentBody).slice(0, -5),
    `${JSON.stringify(t.paymentBody)}garbage`,
    "{'amount': 12500}",
    '',
    'null',
    '"string"',
    '12500',
    '\u0000',
    '\uFEFF{}',
  ];
  for (let i = 0; i < 10 * shapes.length; i++) {
    // Not on refund/release: there a bare body (`null`, `{}`) legitimately means "everything held".
    const path = i % 2 === 0 ? '/v1/payment-methods/cards' : '/v1/payments';
    const s = shapes[i % shapes.length]!;
    // The 1 MB body is sent a few times only.
    if (s.length > 500_000 && i >= shapes.length) continue;
    push({
      kind: 'shape',
      method: 'POST',
      path,
      headers: jsonHeaders(key(), { 'idempotency-key': fresh('s') }),
      body: s,
      expect: 'reject',
    });
  }
  return out;
}

function nest(depth: number): Json {
  let v: Json = { leaf: 'x' };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function flipLast(digits: string): string {
  const last = Number(digits[digits.length - 1]);
  return digits.slice(0, -1) + String((last + 1) % 10);
}

export function abaValid(r: string): boolean {
  if (!/^\d{9}$/.test(r)) return false;
  const d = [...r].map(Number);
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
  return sum % 10 === 0;
}

/** Requests node's HTTP parser must refuse (sent over a raw socket: fetch will not send them). */
export function rawRequests(key: string): { kind: string; text: string }[] {
  const auth = `Authorization: Bearer ${key}\r\n`;
  const pay = '{"amount":12500}';
  const list: [string, string][] = [
    ['bad-method', 'FOO /v1/payments HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['bad-method', 'G\u0000T /v1/payments HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['bad-version', 'GET /v1/payments HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['bad-request-line', 'GET\r\n\r\n'],
    ['bad-request-line', 'GET /v1/pay ments HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['crlf-header', `GET /v1/payments/x HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n${auth}\r\n`],
    [
      'crlf-header',
      `POST /v1/payments HTTP/1.1\r\nHost: x\r\n${auth}Idempotency-Key: a\nX-Injected: 1\r\nContent-Type: application/json\r\nContent-Length: ${pay.length}\r\n\r\n${pay}`,
    ],
    ['nul-header', `GET /v1/payments/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0000${key}\r\n\r\n`],
    ['header-name', 'GET /v1/payments/x HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
    ['header-overflow', `GET /v1/payments/x HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`],
    [
      'smuggling',
      `POST /v1/payments HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 4\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n0\r\n\r\n`,
    ],
    [
      'bad-chunk',
      `POST /v1/payments HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'double-length',
      `POST /v1/payments HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\nContent-Length: 3\r\nContent-Type: application/json\r\n\r\n{}`,
    ],
    ['raw-utf8-path', 'GET /v1/payments/\u00ff HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['negative-length', `POST /v1/payments HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: -1\r\n\r\n`],
  ];
  const out: { kind: string; text: string }[] = [];
  for (let i = 0; i < 4; i++) for (const [kind, text] of list) out.push({ kind: `raw:${kind}`, text });
  return out;
}
