// Amazon Fraud Detector closed to new customers on 2025-11-07 and cannot run here, so the SDK
// client is stubbed: these tests pin the request we send and how its answer is mapped.

import type {
  GetEventPredictionCommand,
  GetEventPredictionCommandOutput,
} from '@aws-sdk/client-frauddetector';
import { PaystreamError } from '@paystream/core';
import { describe, expect, it } from 'vitest';
import type { PaymentForScoring } from '../domain/input.js';
import { loadModelFile } from '../model/load.js';
import { loadRulesFile } from '../rules/load.js';
import { createScorer } from '../score.js';
import {
  awsFraudDetectorScorerPort,
  type FallbackCause,
  type FraudDetectorSender,
} from './aws-fraud-detector.js';

const model = loadModelFile();
const rules = loadRulesFile();
const T0 = Date.UTC(2026, 1, 2, 12);

function pay(over: Partial<PaymentForScoring> = {}): PaymentForScoring {
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
    ipAddress: '203.0.113.7',
    ipCountry: 'US',
    deviceId: 'dev_1',
    email: 'a@mail.example',
    ...over,
  };
}

function output(o: Partial<GetEventPredictionCommandOutput>): GetEventPredictionCommandOutput {
  return { $metadata: {}, ...o };
}

function stub(
  answer: (c: GetEventPredictionCommand, signal?: AbortSignal) => Promise<GetEventPredictionCommandOutput>,
) {
  const sent: GetEventPredictionCommand[] = [];
  const client: FraudDetectorSender = {
    send: (command, options) => {
      sent.push(command);
      return answer(command, options?.abortSignal);
    },
  };
  return { client, sent };
}

function port(client: FraudDetectorSender, extra: { timeoutMs?: number } = {}) {
  const builtin = createScorer({ model, rules });
  const fallbacks: FallbackCause[] = [];
  const p = awsFraudDetectorScorerPort({
    client,
    detectorId: 'paystream_detector',
    detectorVersionId: '3',
    eventTypeName: 'marketplace_payment',
    builtin,
    rules,
    onFallback: (cause) => fallbacks.push(cause),
    ...extra,
  });
  return { p, builtin, fallbacks };
}

const MODEL = {
  modelId: 'payments_ofi',
  modelType: 'ONLINE_FRAUD_INSIGHTS' as const,
  modelVersionNumber: '1.0',
};

describe('Amazon Fraud Detector adapter', () => {
  it('sends GetEventPrediction with our input as event variables and tokenized card data only', async () => {
    const { client, sent } = stub(async () =>
      output({
        modelScores: [{ modelVersion: MODEL, scores: { payments_ofi_insightscore: 120 } }],
        ruleResults: [],
      }),
    );
    const { p } = port(client);
    await p.score(pay());
    expect(sent).toHaveLength(1);
    expect(sent[0]!.input).toEqual({
      detectorId: 'paystream_detector',
      detectorVersionId: '3',
      eventId: 'pay_1',
      eventTypeName: 'marketplace_payment',
      eventTimestamp: '2026-02-02T12:00:00.000Z',
      entities: [{ entityType: 'customer', entityId: 'cus_1' }],
      eventVariables: {
        tenant_id: 'default',
        customer_id: 'cus_1',
        provider_id: 'prv_1',
        amount_minor: '4200',
        currency: 'USD',
        card_bin: '424242',
        card_last4: '4242',
        card_fingerprint: '0123456789abcdef0123456789abcdef',
        ip_address: '203.0.113.7',
        ip_country: 'US',
        device_id: 'dev_1',
        email_address: 'a@mail.example',
      },
    });
  });

  it('maps the model score and thresholds to our score, decision and reasons', async () => {
    const { client } = stub(async () =>
      output({ modelScores: [{ modelVersion: MODEL, scores: { payments_ofi_insightscore: 742.4 } }] }),
    );
    const { p, fallbacks } = port(client);
    const a = await p.score(pay());
    expect(a).toMatchObject({
      score: 742,
      decision: 'review',
      modelVersion: 'aws-fraud-detector/paystream_detector/3',
    });
    expect(a.reasons[0]).toMatchObject({ code: 'aws_model_score', contribution: 742 });
    expect(a.reasons[0]!.description).toContain('payments_ofi v1.0');
    expect(fallbacks).toEqual([]);
  });

  it('lets the most severe rule outcome decide and moves the score into its band', async () => {
    const { client } = stub(async () =>
      output({
        modelScores: [{ modelVersion: MODEL, scores: { payments_ofi_insightscore: 300 } }],
        ruleResults: [
          { ruleId: 'low_risk', outcomes: ['approve'] },
          { ruleId: 'Known-Bad-Email', outcomes: ['block'] },
        ],
      }),
    );
    const { p } = port(client);
    const a = await p.score(pay());
    expect(a.decision).toBe('decline');
    expect(a.score).toBe(900);
    expect(a.reasons[0]).toMatchObject({ code: 'aws_rule_known_bad_email', contribution: 600 });
    expect(a.reasons.map((r) => r.code)).toEqual([
      'aws_rule_known_bad_email',
      'aws_model_score',
      'aws_rule_low_risk',
    ]);
  });

  it('uses the built-in score when the detector returns rule outcomes only', async () => {
    const { client } = stub(async () =>
      output({ ruleResults: [{ ruleId: 'manual', outcomes: ['investigate'] }] }),
    );
    const { p } = port(client);
    const reference = createScorer({ model, rules }).score(pay());
    const a = await p.score(pay());
    expect(a.decision).toBe('review');
    expect(a.score).toBe(Math.min(Math.max(reference.score, 700), 899));
  });

  it('declines the simulator fraud test card even when the detector approves it', async () => {
    const { client } = stub(async () =>
      output({
        modelScores: [{ modelVersion: MODEL, scores: { s: 5 } }],
        ruleResults: [{ ruleId: 'ok', outcomes: ['approve'] }],
      }),
    );
    const { p } = port(client);
    const a = await p.score(pay({ cardBin: '410000', cardLast4: '0019' }));
    expect(a).toMatchObject({ score: 1000, decision: 'decline' });
    expect(a.reasons[0]!.code).toBe('simulator_fraud_test_card');
  });

  it.each([
    ['error', () => Promise.reject(Object.assign(new Error('boom'), { name: 'ThrottlingException' }))],
    ['invalid_response', async () => output({})],
    [
      'timeout',
      (_c: GetEventPredictionCommand, signal?: AbortSignal) =>
        new Promise<GetEventPredictionCommandOutput>((_, reject) =>
          signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    ],
  ] as const)('falls back to the built-in scorer on %s, says so and counts it', async (cause, answer) => {
    const { client } = stub(answer);
    const { p, fallbacks } = port(client, { timeoutMs: 50 });
    const reference = createScorer({ model, rules }).score(pay());
    const started = Date.now();
    const a = await p.score(pay());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fallbacks).toEqual([cause]);
    expect(a.score).toBe(reference.score);
    expect(a.decision).toBe(reference.decision);
    expect(a.modelVersion).toBe(model.version);
    expect(a.reasons[0]!.code).toBe('aws_fraud_detector_fallback');
    expect(a.reasons.slice(1)).toEqual(reference.reasons.slice(0, 4));
  });

  it('keeps the local features current while the detector answers, so a fallback is not stale', async () => {
    let fail = false;
    const { client } = stub(async () => {
      if (fail) throw new Error('down');
      return output({ modelScores: [{ modelVersion: MODEL, scores: { s: 10 } }] });
    });
    const { p } = port(client);
    const reference = createScorer({ model, rules });
    const burst = Array.from({ length: 8 }, (_, i) =>
      pay({
        paymentId: `pay_${i}`,
        occurredAtMs: T0 + i * 10_000,
        amountMinor: 100 + i,
        cardFingerprint: `feed${String(i).padStart(4, '0')}`,
        cardLast4: String(1000 + i),
      }),
    );
    for (const b of burst.slice(0, 7)) {
      reference.score(b);
      expect((await p.score(b)).score).toBe(10);
    }
    fail = true;
    const last = await p.score(burst[7]!);
    expect(last.score).toBe(reference.score(burst[7]!).score);
    expect(last.decision).not.toBe('approve');
  });

  it('rejects bad configuration with a stable code', () => {
    const { client } = stub(async () => output({}));
    expect(() => port(client, { timeoutMs: 0 })).toThrow(PaystreamError);
    expect(() =>
      awsFraudDetectorScorerPort({
        client,
        detectorId: '',
        eventTypeName: 'e',
        builtin: createScorer({ model, rules }),
        rules,
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_config', field: 'detectorId' }));
  });
});
