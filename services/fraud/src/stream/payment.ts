// From log events to the scorer's input: card facts from CardTokenized, the payment and its
// risk signals from PaymentRequested. Only tokenized card data is kept: the BIN, the last four
// and the opaque fingerprint. CardTokenized also carries the sealed card number; it is never read.

import { sha256Hex } from '@paystream/core';
import type { Envelope } from '@paystream/schemas';
import { MAX_ID_LENGTH, type PaymentForScoring } from '../domain/input.js';

export interface CardFacts {
  lastSeenMs: number;
  readonly bin: string;
  readonly last4: string;
  /** Hex, as the features expect (the `fp_` prefix of ingest's fingerprints removed). */
  readonly fingerprint: string;
}

/** Card ids are per tenant. */
export function cardKey(tenantId: string, cardId: string): string {
  return `${tenantId}\u001f${cardId}`;
}

export function paymentKey(tenantId: string, paymentId: string): string {
  return `${tenantId}\u001f${paymentId}`;
}

const HEX_FINGERPRINT = /^(?:fp_)?([0-9a-f]{8,128})$/i;

/** A fingerprint in the features' hex form; any other opaque form is hashed, stably. */
export function normalizeFingerprint(fingerprint: string): string {
  const m = HEX_FINGERPRINT.exec(fingerprint);
  return m ? m[1]!.toLowerCase() : sha256Hex('fingerprint', fingerprint).slice(0, 32);
}

export function cardFactsOf(e: Envelope<'CardTokenized'>): CardFacts {
  return {
    lastSeenMs: e.occurredAtMs,
    bin: e.payload.bin,
    last4: e.payload.last4,
    fingerprint: normalizeFingerprint(e.payload.fingerprint),
  };
}

/**
 * Facts for a card the service never saw tokenized (evicted past its bound, or tokenized
 * before this service's history): a stable stand-in fingerprint per card id, and a BIN and
 * last four that match no rule. The assessment says so in its reasons.
 */
export function unknownCardFacts(tenantId: string, cardId: string, atMs: number): CardFacts {
  return {
    lastSeenMs: atMs,
    bin: '000000',
    last4: '0000',
    fingerprint: sha256Hex('unknown-card', tenantId, '\u001f', cardId).slice(0, 32),
  };
}

const COUNTRY = /^[A-Z]{2}$/;

function optionalId(v: string | null | undefined): string | undefined {
  return v === null || v === undefined || v.length === 0 || v.length > MAX_ID_LENGTH ? undefined : v;
}

/**
 * The scorer's input for a PaymentRequested. Optional risk signals the scorer cannot use (an
 * over-long id, a malformed country or email) are left out rather than failing the payment;
 * required fields are checked by the scorer's validatePayment.
 */
export function toPaymentForScoring(e: Envelope<'PaymentRequested'>, card: CardFacts): PaymentForScoring {
  const p = e.payload;
  const risk = p.risk;
  const ipCountry = risk?.ipCountry?.toUpperCase();
  const email = optionalId(risk?.email);
  return {
    paymentId: p.paymentId,
    tenantId: e.tenantId,
    customerId: p.customerId,
    providerId: p.providerId,
    amountMinor: p.amountMinor,
    currency: p.currency,
    occurredAtMs: e.occurredAtMs,
    cardFingerprint: card.fingerprint,
    cardBin: card.bin,
    cardLast4: card.last4,
    ipAddress: optionalId(risk?.ipAddress),
    ipCountry: ipCountry !== undefined && COUNTRY.test(ipCountry) ? ipCountry : undefined,
    deviceId: optionalId(risk?.deviceId),
    email: email?.includes('@') ? email : undefined,
  };
}
