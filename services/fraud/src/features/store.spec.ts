import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PaymentForScoring } from '../domain/input.js';
import { generate } from '../generator/generate.js';
import { F, FEATURE_COUNT } from './definitions.js';
import { FeatureStore } from './store.js';

const T0 = Date.UTC(2026, 0, 5, 12);

function payment(over: Partial<PaymentForScoring> = {}): PaymentForScoring {
  return {
    paymentId: 'pay_1',
    tenantId: 'default',
    customerId: 'cus_1',
    providerId: 'prv_1',
    amountMinor: 5_000,
    currency: 'USD',
    occurredAtMs: T0,
    cardFingerprint: 'aaaaaaaaaaaaaaaa',
    cardBin: '424242',
    cardLast4: '4242',
    cardCountry: 'US',
    ipAddress: '10.0.0.1',
    ipCountry: 'US',
    deviceId: 'dev_1',
    ...over,
  };
}

describe('FeatureStore', () => {
  it('reads features from history before the payment, then folds it in', () => {
    const s = new FeatureStore();
    const first = s.observe(payment());
    expect(first.length).toBe(FEATURE_COUNT);
    expect(first[F.customer_new]).toBe(1);
    expect(first[F.card_first_seen]).toBe(1);
    expect(first[F.customer_count_1h]).toBe(0);

    const second = s.observe(payment({ occurredAtMs: T0 + 60_000 }));
    expect(second[F.customer_new]).toBe(0);
    expect(second[F.card_first_seen]).toBe(0);
    expect(second[F.card_new_for_customer]).toBe(0);
    expect(second[F.device_new_for_customer]).toBe(0);
    expect(Math.expm1(second[F.customer_count_1h]!)).toBeCloseTo(1, 9);
  });

  it('flags a new device and a new country on an established customer', () => {
    const s = new FeatureStore();
    for (let i = 0; i < 5; i += 1) s.observe(payment({ occurredAtMs: T0 + i * 86_400_000 }));
    const x = s.observe(
      payment({
        occurredAtMs: T0 + 6 * 86_400_000,
        deviceId: 'dev_new',
        ipAddress: '10.9.9.9',
        ipCountry: 'RO',
      }),
    );
    expect(x[F.device_new_for_customer]).toBe(1);
    expect(x[F.ip_country_new_for_customer]).toBe(1);
    expect(x[F.geo_mismatch]).toBe(1);
    expect(x[F.takeover_signals]).toBe(1);
  });

  it('counts distinct cards per device and customers per card', () => {
    const s = new FeatureStore();
    let x: Float64Array = new Float64Array(0);
    for (let i = 0; i < 6; i += 1) {
      x = s.observe(
        payment({ customerId: `cus_${i}`, cardFingerprint: `bbbbbbbb${i}`, occurredAtMs: T0 + i * 5_000 }),
      );
    }
    expect(Math.round(Math.expm1(x[F.device_cards_1h]!))).toBe(5);
    expect(Math.round(Math.expm1(x[F.ip_cards_1h]!))).toBe(5);
    for (let i = 0; i < 4; i += 1) {
      x = s.observe(
        payment({ customerId: `shared_${i}`, cardFingerprint: 'cccccccc', occurredAtMs: T0 + 3_600_000 * i }),
      );
    }
    expect(Math.round(Math.expm1(x[F.card_customers_7d]!))).toBe(3);
  });

  it('scores an amount against the customer history as a z-score', () => {
    const s = new FeatureStore();
    const amounts = [4_000, 5_000, 6_000, 5_000, 4_500];
    for (const [i, a] of amounts.entries())
      s.observe(payment({ amountMinor: a, occurredAtMs: T0 + i * 86_400_000 }));
    const usual = s.observe(payment({ amountMinor: 5_000, occurredAtMs: T0 + 10 * 86_400_000 }));
    const huge = s.observe(payment({ amountMinor: 150_000, occurredAtMs: T0 + 11 * 86_400_000 }));
    expect(Math.abs(usual[F.amount_z]!)).toBeLessThan(1);
    expect(huge[F.amount_z]).toBeGreaterThan(5);
  });

  it('keeps every tracked-key count within its bound and counts evictions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 2 ** 31 }), (bound, seed) => {
        const s = new FeatureStore({ maxKeys: { customer: bound, card: bound, device: bound, ip: bound } });
        const data = generate({ seed, customers: 40, days: 2, warmupDays: 1 });
        for (const r of data.records) {
          const x = s.observe(r.payment);
          for (const v of x) expect(Number.isFinite(v)).toBe(true);
          // Counts and distinct counts enter as log1p of a non-negative number.
          for (const i of [F.customer_count_1h, F.device_count_1m, F.device_cards_24h, F.card_customers_7d]) {
            expect(x[i]!).toBeGreaterThanOrEqual(0);
          }
          const k = s.stats().keys;
          expect(Math.max(k.customer, k.card, k.device, k.ip)).toBeLessThanOrEqual(bound);
        }
        if (data.records.length > bound) expect(s.stats().evictions.card.lru).toBeGreaterThan(0);
      }),
      { numRuns: 20 },
    );
  });

  it('restored from a JSON snapshot, gives identical features from then on', () => {
    const data = generate({ seed: 5, customers: 150, days: 6, warmupDays: 2 });
    const half = Math.floor(data.records.length / 2);
    const live = new FeatureStore();
    for (const r of data.records.slice(0, half)) live.observe(r.payment);
    const restored = FeatureStore.fromSnapshot(JSON.parse(JSON.stringify(live.snapshot())));
    for (const r of data.records.slice(half)) {
      expect(Array.from(restored.observe(r.payment))).toEqual(Array.from(live.observe(r.payment)));
    }
    expect(restored.stats().keys).toEqual(live.stats().keys);
  });

  it('rejects a malformed snapshot with the offending path', () => {
    const s = new FeatureStore();
    s.observe(payment());
    const snap = JSON.parse(JSON.stringify(s.snapshot()));
    snap.devices[0][1].count = -1;
    expect(() => new FeatureStore().restore(snap)).toThrow(
      expect.objectContaining({ code: 'invalid_fraud_snapshot', field: 'devices[0][1].count' }),
    );
    expect(() => new FeatureStore().restore({ version: 99 })).toThrow(/version/);
  });
});
