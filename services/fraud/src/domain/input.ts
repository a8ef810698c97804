// The scorer's contract: what a payment looks like to fraud scoring, and what comes back.
// Only tokenized card data crosses this boundary: an opaque fingerprint, the BIN (first six
// digits) and the last four. A full card number never reaches the fraud service.

import { PaystreamError } from '@paystream/core';

export interface PaymentForScoring {
  readonly paymentId: string;
  readonly tenantId: string;
  readonly customerId: string;
  readonly providerId: string;
  /** Integer minor units (cents). Scoring reads it and never changes it. */
  readonly amountMinor: number;
  /** ISO 4217 code, upper case. */
  readonly currency: string;
  /** When the payment happened; the only clock the features ever read. */
  readonly occurredAtMs: number;
  /** Opaque hex fingerprint from tokenization, stable per card number. */
  readonly cardFingerprint: string;
  /** First six digits of the card number. */
  readonly cardBin: string;
  readonly cardLast4: string;
  /** ISO 3166-1 alpha-2 country of the issuing bank. */
  readonly cardCountry?: string | undefined;
  readonly ipAddress?: string | undefined;
  /** ISO 3166-1 alpha-2 country of the IP address. */
  readonly ipCountry?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly email?: string | undefined;
}

export type FraudDecision = 'approve' | 'review' | 'decline';

export interface FraudReason {
  /** Stable machine-readable code, e.g. `device_many_cards_1h` or `deny_list_card_pattern`. */
  readonly code: string;
  readonly description: string;
  /**
   * How much this reason pushed the score up. For model reasons it is the feature's share of
   * the log-odds (weight × standardised value); for rules it is the score points the rule set.
   */
  readonly contribution: number;
}

export interface FraudAssessment {
  /** Integer 0..1000; higher is riskier. */
  readonly score: number;
  readonly decision: FraudDecision;
  /** The top reasons, most important first, at most MAX_REASONS. */
  readonly reasons: readonly FraudReason[];
  readonly modelVersion: string;
}

export const MIN_SCORE = 0;
export const MAX_SCORE = 1000;
/** Reasons returned with an assessment: enough to act on, few enough to read. */
export const MAX_REASONS = 5;

const HEX = /^[0-9a-f]{8,128}$/i;
const BIN = /^\d{6}$/;
const LAST4 = /^\d{4}$/;
const COUNTRY = /^[A-Z]{2}$/;
const CURRENCY = /^[A-Z]{3}$/;
/** Identifiers are bounded so a hostile producer cannot grow feature state without limit. */
export const MAX_ID_LENGTH = 200;

function bad(field: string, message: string): never {
  throw new PaystreamError('invalid_fraud_input', `${field} ${message}`, field);
}

function requireId(field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) bad(field, 'must be a non-empty string');
  if (value.length > MAX_ID_LENGTH) bad(field, `must be at most ${MAX_ID_LENGTH} characters`);
}

function optionalId(field: string, value: unknown): void {
  if (value !== undefined) requireId(field, value);
}

/** Rejects anything the features cannot handle safely; never returns a corrected copy. */
export function validatePayment(p: PaymentForScoring): void {
  requireId('paymentId', p.paymentId);
  requireId('tenantId', p.tenantId);
  requireId('customerId', p.customerId);
  requireId('providerId', p.providerId);
  if (!Number.isSafeInteger(p.amountMinor) || p.amountMinor <= 0) {
    bad('amountMinor', `must be a positive integer number of minor units, got ${String(p.amountMinor)}`);
  }
  if (typeof p.currency !== 'string' || !CURRENCY.test(p.currency))
    bad('currency', 'must be an ISO 4217 code');
  if (!Number.isSafeInteger(p.occurredAtMs) || p.occurredAtMs < 0) {
    bad('occurredAtMs', 'must be a non-negative integer of epoch milliseconds');
  }
  if (typeof p.cardFingerprint !== 'string' || !HEX.test(p.cardFingerprint)) {
    bad('cardFingerprint', 'must be an opaque hex string of 8..128 characters');
  }
  if (typeof p.cardBin !== 'string' || !BIN.test(p.cardBin)) bad('cardBin', 'must be exactly six digits');
  if (typeof p.cardLast4 !== 'string' || !LAST4.test(p.cardLast4))
    bad('cardLast4', 'must be exactly four digits');
  if (p.cardCountry !== undefined && !COUNTRY.test(p.cardCountry)) {
    bad('cardCountry', 'must be an ISO 3166-1 alpha-2 code');
  }
  if (p.ipCountry !== undefined && !COUNTRY.test(p.ipCountry))
    bad('ipCountry', 'must be an ISO 3166-1 alpha-2 code');
  optionalId('ipAddress', p.ipAddress);
  optionalId('deviceId', p.deviceId);
  optionalId('email', p.email);
  if (p.email !== undefined && !p.email.includes('@')) bad('email', 'must contain @');
}
