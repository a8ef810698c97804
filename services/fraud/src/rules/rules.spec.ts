import { PaystreamError } from '@paystream/core';
import { describe, expect, it } from 'vitest';
import type { PaymentForScoring } from '../domain/input.js';
import { loadRulesFile } from './load.js';
import { createRules, parseRulesConfig } from './rules.js';

const p: PaymentForScoring = {
  paymentId: 'pay_1',
  tenantId: 'default',
  customerId: 'cus_1',
  providerId: 'prv_1',
  amountMinor: 1_000,
  currency: 'USD',
  occurredAtMs: 0,
  cardFingerprint: 'abcdef0123456789',
  cardBin: '424242',
  cardLast4: '4242',
  ipAddress: '10.1.2.3',
  deviceId: 'dev_1',
  email: 'someone@Bad.Example',
};

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PaystreamError);
    expect((e as PaystreamError).code).toBe('invalid_fraud_rules');
    return (e as PaystreamError).field;
  }
  throw new Error('expected a PaystreamError');
}

describe('rules config', () => {
  it('loads the default config file with the documented thresholds', () => {
    const rules = loadRulesFile();
    expect(rules.thresholds).toEqual({ reviewAt: 700, declineAt: 900 });
    expect(rules.decide(699)).toBe('approve');
    expect(rules.decide(700)).toBe('review');
    expect(rules.decide(899)).toBe('review');
    expect(rules.decide(900)).toBe('decline');
  });

  it('rejects bad config with the offending field', () => {
    const base = { version: 1, thresholds: { reviewAt: 700, declineAt: 900 } };
    expect(fieldOf(() => parseRulesConfig({ ...base, version: 2 }))).toBe('version');
    expect(fieldOf(() => parseRulesConfig({ ...base, thresholds: { reviewAt: 950, declineAt: 900 } }))).toBe(
      'thresholds.reviewAt',
    );
    expect(
      fieldOf(() => parseRulesConfig({ ...base, thresholds: { reviewAt: 700.5, declineAt: 900 } })),
    ).toBe('thresholds.reviewAt');
    expect(fieldOf(() => parseRulesConfig({ ...base, deny: { cardPatterns: [{ bin: '4100' }] } }))).toBe(
      'deny.cardPatterns[0].bin',
    );
    expect(fieldOf(() => parseRulesConfig({ ...base, deny: { cardPatterns: [{}] } }))).toBe(
      'deny.cardPatterns[0]',
    );
    expect(fieldOf(() => parseRulesConfig({ ...base, allow: { emailDomain: [] } }))).toBe(
      'allow.emailDomain',
    );
    expect(fieldOf(() => parseRulesConfig({ ...base, allow: { emailDomains: ['not a domain'] } }))).toBe(
      'allow.emailDomains[0]',
    );
    expect(fieldOf(() => parseRulesConfig({ ...base, extra: true }))).toBe('extra');
  });

  it('always denies the documented fraud test card, even with empty lists', () => {
    const rules = createRules({ version: 1, thresholds: { reviewAt: 700, declineAt: 900 } });
    expect(rules.denyHit({ ...p, cardBin: '410000', cardLast4: '0019' })?.code).toBe(
      'simulator_fraud_test_card',
    );
    expect(rules.denyHit(p)).toBeUndefined();
  });

  it('matches every kind of list entry', () => {
    const rules = createRules({
      version: 1,
      thresholds: { reviewAt: 700, declineAt: 900 },
      deny: { emailDomains: ['bad.example'], cardPatterns: [{ last4: '1111' }] },
      allow: { customerIds: ['cus_vip'], ipAddresses: ['10.1.2.3'], deviceIds: ['dev_ok'] },
    });
    expect(rules.denyHit(p)?.code).toBe('deny_list_email_domain');
    expect(rules.denyHit({ ...p, email: undefined, cardLast4: '1111' })?.code).toBe('deny_list_card_pattern');
    expect(rules.allowHit({ ...p, customerId: 'cus_vip' })?.code).toBe('allow_list_customer');
    expect(rules.allowHit(p)?.code).toBe('allow_list_ip');
    expect(rules.allowHit({ ...p, ipAddress: undefined, deviceId: 'dev_ok' })?.code).toBe(
      'allow_list_device',
    );
    expect(rules.allowHit({ ...p, ipAddress: undefined })).toBeUndefined();
  });
});
