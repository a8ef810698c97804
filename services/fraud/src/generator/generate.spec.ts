import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAUD_PATTERNS, generate } from './generate.js';
import { Prng } from './prng.js';

const SMALL = { customers: 300, days: 12, warmupDays: 3 };

describe('Prng', () => {
  it('is reproducible for a seed and stays in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (seed) => {
        const a = new Prng(seed);
        const b = new Prng(seed);
        for (let i = 0; i < 50; i += 1) {
          const x = a.next();
          expect(x).toBe(b.next());
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
        }
      }),
    );
  });

  it('int stays inside an inclusive range', () => {
    const r = new Prng(1);
    for (let i = 0; i < 1000; i += 1) {
      const n = r.int(3, 7);
      expect(Number.isInteger(n) && n >= 3 && n <= 7).toBe(true);
    }
  });
});

describe('generate', () => {
  const data = generate({ ...SMALL, seed: 42 });

  it('is reproducible for a seed and differs across seeds', () => {
    expect(generate({ ...SMALL, seed: 42 })).toEqual(data);
    const other = generate({ ...SMALL, seed: 43 });
    expect(other.records.map((r) => r.payment.cardFingerprint)).not.toEqual(
      data.records.map((r) => r.payment.cardFingerprint),
    );
  });

  it('emits events in time order with consistent labels and valid amounts', () => {
    expect(data.records.length).toBeGreaterThan(1000);
    for (let i = 1; i < data.records.length; i += 1) {
      expect(data.records[i]!.payment.occurredAtMs).toBeGreaterThanOrEqual(
        data.records[i - 1]!.payment.occurredAtMs,
      );
    }
    for (const { payment, label } of data.records) {
      expect(label.fraud).toBe(label.pattern !== null);
      expect(Number.isSafeInteger(payment.amountMinor)).toBe(true);
      expect(payment.amountMinor).toBeGreaterThanOrEqual(100);
      expect(payment.amountMinor).toBeLessThanOrEqual(500_000);
      // The documented fraud test card is reserved for the deny rule, never generated.
      expect(`${payment.cardBin}${payment.cardLast4}`).not.toBe('4100000019');
    }
  });

  it('injects every named pattern, and none during warm-up', () => {
    const seen = new Set(data.records.filter((r) => r.label.fraud).map((r) => r.label.pattern));
    expect([...seen].sort()).toEqual([...FRAUD_PATTERNS].sort());
    const early = data.records.filter((r) => r.payment.occurredAtMs < data.warmupEndMs);
    expect(early.length).toBeGreaterThan(0);
    expect(early.some((r) => r.label.fraud)).toBe(false);
  });

  it('card testing is many cards from one device or one IP', () => {
    const testing = data.records.filter((r) => r.label.pattern === 'card_testing');
    const cardsPerDevice = new Map<string, Set<string>>();
    const cardsPerIp = new Map<string, Set<string>>();
    for (const { payment: p } of testing) {
      if (p.deviceId)
        cardsPerDevice.set(p.deviceId, (cardsPerDevice.get(p.deviceId) ?? new Set()).add(p.cardFingerprint));
      if (p.ipAddress)
        cardsPerIp.set(p.ipAddress, (cardsPerIp.get(p.ipAddress) ?? new Set()).add(p.cardFingerprint));
    }
    const most = Math.max(...[...cardsPerDevice.values(), ...cardsPerIp.values()].map((s) => s.size));
    expect(most).toBeGreaterThanOrEqual(8);
    expect(testing.every((r) => r.payment.amountMinor <= 400)).toBe(true);
  });
});
