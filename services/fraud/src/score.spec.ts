import { PaystreamError } from '@paystream/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PaymentForScoring } from './domain/input.js';
import { FRAUD_PATTERNS, generate } from './generator/generate.js';
import { loadModelFile } from './model/load.js';
import { loadRulesFile } from './rules/load.js';
import { createScorer } from './score.js';
import { evaluate } from './training.js';

const model = loadModelFile();
const rules = loadRulesFile();
const T0 = Date.UTC(2026, 1, 2, 12);

function payment(over: Partial<PaymentForScoring> = {}): PaymentForScoring {
  return {
    paymentId: 'pay_1',
    tenantId: 'default',
    customerId: 'cus_1',
    providerId: 'prv_1',
    amountMinor: 4_200,
    currency: 'USD',
    occurredAtMs: T0,
    cardFingerprint: '0123456789abcdef0123456789abcdef',
    cardBin: '424242',
    cardLast4: '4242',
    cardCountry: 'US',
    ipAddress: '10.0.0.1',
    ipCountry: 'US',
    deviceId: 'dev_1',
    email: 'a@mail.example',
    ...over,
  };
}

const arbPayment = fc.record({
  customerId: fc.constantFrom('cus_1', 'cus_2', 'cus_3'),
  providerId: fc.constantFrom('prv_1', 'prv_2'),
  amountMinor: fc.integer({ min: 1, max: 10_000_000 }),
  gapMs: fc.integer({ min: 0, max: 3 * 86_400_000 }),
  cardFingerprint: fc.constantFrom('aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd'),
  cardCountry: fc.option(fc.constantFrom('US', 'GB', 'RO'), { nil: undefined }),
  ipAddress: fc.option(fc.constantFrom('10.0.0.1', '10.0.0.2'), { nil: undefined }),
  ipCountry: fc.option(fc.constantFrom('US', 'GB', 'NG'), { nil: undefined }),
  deviceId: fc.option(fc.constantFrom('dev_1', 'dev_2', 'dev_3'), { nil: undefined }),
});

describe('createScorer', () => {
  it('always gives an integer score in 0..1000 with a matching decision', () => {
    fc.assert(
      fc.property(fc.array(arbPayment, { minLength: 1, maxLength: 40 }), (events) => {
        const scorer = createScorer({ model, rules });
        let t = T0;
        for (const [i, e] of events.entries()) {
          t += e.gapMs;
          const { gapMs: _gap, ...fields } = e;
          const a = scorer.score(payment({ ...fields, paymentId: `pay_${i}`, occurredAtMs: t }));
          expect(Number.isInteger(a.score) && a.score >= 0 && a.score <= 1000).toBe(true);
          expect(a.decision).toBe(rules.decide(a.score));
          expect(a.reasons.length).toBeLessThanOrEqual(5);
          expect(a.modelVersion).toBe(model.version);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('declines the documented fraud test card with its rule as the first reason', () => {
    const scorer = createScorer({ model, rules });
    const a = scorer.score(payment({ cardBin: '410000', cardLast4: '0019' }));
    expect(a).toMatchObject({ score: 1000, decision: 'decline' });
    expect(a.reasons[0]!.code).toBe('simulator_fraud_test_card');
  });

  it('approves an allow-listed customer with a score below review', () => {
    const scorer = createScorer({
      model,
      rules: { ...rules.config, allow: { customerIds: ['cus_vip'] } },
    });
    const a = scorer.score(payment({ customerId: 'cus_vip', cardBin: '410000', cardLast4: '0019' }));
    expect(a.decision).toBe('decline'); // deny beats allow
    const b = scorer.score(payment({ customerId: 'cus_vip', paymentId: 'pay_2' }));
    expect(b.decision).toBe('approve');
    expect(b.score).toBeLessThan(700);
    expect(b.reasons[0]!.code).toBe('allow_list_customer');
  });

  it('rejects invalid input with a PaystreamError naming the field', () => {
    const scorer = createScorer({ model, rules });
    expect(() => scorer.score(payment({ amountMinor: 12.5 }))).toThrow(PaystreamError);
    expect(() => scorer.score(payment({ cardBin: '4242' }))).toThrow(
      expect.objectContaining({ code: 'invalid_fraud_input', field: 'cardBin' }),
    );
  });

  it('sends a burst of small payments on many new cards from one device to review or decline', () => {
    const scorer = createScorer({ model, rules });
    const decisions: string[] = [];
    for (let i = 0; i < 15; i += 1) {
      const a = scorer.score(
        payment({
          paymentId: `pay_t${i}`,
          customerId: 'cus_tester',
          amountMinor: 100 + i,
          occurredAtMs: T0 + i * 10_000,
          cardFingerprint: `feed${String(i).padStart(4, '0')}`,
          cardBin: '520000',
          cardLast4: String(1000 + i),
          deviceId: 'dev_attacker',
        }),
      );
      decisions.push(a.decision);
    }
    expect(decisions.slice(5).every((d) => d !== 'approve')).toBe(true);
  });

  it('after restoring a snapshot, scores the rest of the stream identically', () => {
    const data = generate({ seed: 77, customers: 200, days: 10, warmupDays: 3 });
    const half = Math.floor(data.records.length / 2);
    const live = createScorer({ model, rules });
    for (const r of data.records.slice(0, half)) live.score(r.payment);
    const snapshot = JSON.parse(JSON.stringify(live.snapshot()));
    const restored = createScorer({ model, rules, snapshot });
    for (const r of data.records.slice(half))
      expect(restored.score(r.payment)).toEqual(live.score(r.payment));
  });

  it('the committed model still meets a floor of the goals on a small held-out set', () => {
    // Seed 11 is not a training, calibration or held-out seed of scripts/train.ts. Floors sit
    // below the eval goals (recall 0.90 at FPR 1%, patterns 0.75) to allow for the small sample.
    const report = evaluate(
      model,
      generate({ seed: 11, customers: 1_500, days: 21, warmupDays: 7 }),
      rules.config,
    );
    expect(report.negatives).toBeGreaterThan(10_000);
    expect(report.atReview.recall).toBeGreaterThanOrEqual(0.85);
    expect(report.atReview.falsePositiveRate).toBeLessThanOrEqual(0.015);
    expect(report.auc).toBeGreaterThanOrEqual(0.98);
    for (const p of FRAUD_PATTERNS)
      expect(report.perPattern[p].recallAtReview, p).toBeGreaterThanOrEqual(0.65);
  });
});
