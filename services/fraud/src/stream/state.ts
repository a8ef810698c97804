// Everything the fraud service remembers between events, all bounded, all snapshot-able:
// the streaming features (inside the built-in scorer), card facts from CardTokenized, which
// payments were already scored (so a duplicate PaymentRequested is not scored twice), and the
// log position the state covers.

import { PaystreamError } from '@paystream/core';
import { BoundedMap } from '../features/bounded-map.js';
import type { FeatureSnapshot } from '../features/store.js';
import type { Scorer } from '../score.js';
import type { CardFacts } from './payment.js';

const DAY_MS = 86_400_000;

/** Card facts kept: 250,000 cards, forgotten after 180 days without a payment. */
export const MAX_CARD_FACTS = 250_000;
export const CARD_FACTS_TTL_MS = 180 * DAY_MS;
/** Payment ids remembered for de-duplication: 200,000, for 30 days. */
export const MAX_SCORED_PAYMENTS = 200_000;
export const SCORED_TTL_MS = 30 * DAY_MS;

export const STATE_SNAPSHOT_VERSION = 1;

export interface ScoredPayment {
  lastSeenMs: number;
  /** Where its PaymentRequested is: a redelivery of that record is not a duplicate. */
  readonly partition: number;
  readonly offset: number;
}

export interface FraudStateSnapshot {
  readonly version: typeof STATE_SNAPSHOT_VERSION;
  readonly topic: string;
  /** Next offset per partition that this state has applied (everything before is in it). */
  readonly position: Record<string, number>;
  readonly features: FeatureSnapshot;
  readonly cards: [string, CardFacts][];
  readonly scored: [string, ScoredPayment][];
}

export interface FraudStateLimits {
  readonly maxCardFacts?: number;
  readonly maxScoredPayments?: number;
}

export class FraudState {
  readonly scorer: Scorer;
  readonly cards: BoundedMap<CardFacts>;
  readonly scored: BoundedMap<ScoredPayment>;
  /** `topic/partition` → next offset applied. */
  readonly applied: Record<string, number> = {};

  constructor(scorer: Scorer, limits: FraudStateLimits = {}) {
    this.scorer = scorer;
    this.cards = new BoundedMap(limits.maxCardFacts ?? MAX_CARD_FACTS, CARD_FACTS_TTL_MS);
    this.scored = new BoundedMap(limits.maxScoredPayments ?? MAX_SCORED_PAYMENTS, SCORED_TTL_MS);
  }

  advance(key: string, nextOffset: number): void {
    this.applied[key] = Math.max(this.applied[key] ?? 0, nextOffset);
  }

  snapshot(topic: string): FraudStateSnapshot {
    return {
      version: STATE_SNAPSHOT_VERSION,
      topic,
      position: { ...this.applied },
      features: this.scorer.snapshot(),
      cards: [...this.cards.entries()].map(([k, v]) => [k, { ...v }]),
      scored: [...this.scored.entries()].map(([k, v]) => [k, { ...v }]),
    };
  }

  /** Loads a snapshot's card facts, scored ids and position (features go to createScorer). */
  load(s: FraudStateSnapshot): void {
    this.cards.load(s.cards);
    this.scored.load(s.scored);
    for (const [k, v] of Object.entries(s.position)) this.applied[k] = v;
  }
}

function bad(path: string, message: string): never {
  throw new PaystreamError('invalid_fraud_snapshot', `fraud state snapshot ${path} ${message}`, path);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pairs<V>(
  path: string,
  v: unknown,
  parse: (p: string, x: Record<string, unknown>) => V,
): [string, V][] {
  if (!Array.isArray(v)) bad(path, 'must be an array');
  return v.map((e, i): [string, V] => {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || !isRecord(e[1])) {
      bad(`${path}[${i}]`, 'must be a [key, object] pair');
    }
    return [e[0], parse(`${path}[${i}][1]`, e[1])];
  });
}

function int(path: string, v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) bad(path, 'must be a non-negative integer');
  return v as number;
}

function text(path: string, v: unknown, pattern: RegExp): string {
  if (typeof v !== 'string' || !pattern.test(v)) bad(path, `must match ${String(pattern)}`);
  return v;
}

/** Validates the parts this module owns; the features part is validated by the feature store. */
export function parseStateSnapshot(v: unknown): FraudStateSnapshot {
  if (!isRecord(v)) bad('', 'must be an object');
  if (v.version !== STATE_SNAPSHOT_VERSION) bad('version', `must be ${STATE_SNAPSHOT_VERSION}`);
  if (typeof v.topic !== 'string') bad('topic', 'must be a string');
  if (!isRecord(v.position)) bad('position', 'must be an object');
  const position: Record<string, number> = {};
  for (const [k, o] of Object.entries(v.position)) position[k] = int(`position.${k}`, o);
  return {
    version: STATE_SNAPSHOT_VERSION,
    topic: v.topic,
    position,
    features: v.features as FeatureSnapshot,
    cards: pairs('cards', v.cards, (p, x) => ({
      lastSeenMs: int(`${p}.lastSeenMs`, x.lastSeenMs),
      bin: text(`${p}.bin`, x.bin, /^\d{6}$/),
      last4: text(`${p}.last4`, x.last4, /^\d{4}$/),
      fingerprint: text(`${p}.fingerprint`, x.fingerprint, /^[0-9a-f]{8,128}$/),
    })),
    scored: pairs('scored', v.scored, (p, x) => ({
      lastSeenMs: int(`${p}.lastSeenMs`, x.lastSeenMs),
      partition: int(`${p}.partition`, x.partition),
      offset: int(`${p}.offset`, x.offset),
    })),
  };
}
