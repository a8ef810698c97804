// The demo's marketplace day, planned before anything is sent: payments drawn from the fraud
// generator's labelled mix (normal shopping plus its six named fraud patterns), a few payments
// on the simulator's documented test cards, the providers' bank accounts, and what happens to
// each payment's escrow afterwards. Pure and seeded: one seed, one plan.

import { TEST_CARDS } from '@paystream/escrow';
import {
  DEFAULT_ATTACKS_PER_DAY_PER_1000,
  FRAUD_PATTERNS,
  type FraudPattern,
  generate,
  type LabelledPayment,
  Prng,
} from '@paystream/fraud';
import { luhnCheckDigit } from '@paystream/ingest';
import { isTestCard } from './card-numbers.js';

/** What the marketplace does with a held payment. */
export const ESCROW_ACTIONS = [
  'release',
  'partial_release',
  'partial_refund',
  'refund',
  'dispute_release',
  'dispute_refund',
  'dispute_open',
  'auto_release',
  'hold',
] as const;
export type EscrowAction = (typeof ESCROW_ACTIONS)[number];

/** Most bookings complete; the rest show every other path once the day has a few hundred. */
const ACTION_WEIGHTS: readonly (readonly [EscrowAction, number])[] = [
  ['release', 52],
  ['partial_release', 8],
  ['partial_refund', 8],
  ['refund', 5],
  ['dispute_release', 3],
  ['dispute_refund', 3],
  ['dispute_open', 3],
  ['auto_release', 10],
  ['hold', 8],
];

export type TestCardKind = 'declined' | 'insufficientFunds' | 'fraud';
const TEST_CARD_KINDS: readonly TestCardKind[] = ['declined', 'insufficientFunds', 'fraud'];

export interface PlannedCard {
  /** Customer and card: a shared card is tokenized once per customer that uses it. */
  readonly key: string;
  readonly customerId: string;
  readonly number: string;
}

export interface PlannedPayment {
  readonly index: number;
  readonly customerId: string;
  readonly providerId: string;
  readonly cardKey: string;
  readonly amountMinor: number;
  readonly risk: { ipAddress?: string; ipCountry?: string; deviceId?: string; email?: string };
  /** The generator's label, or the test card used. */
  readonly pattern: FraudPattern | 'normal' | `test_card:${TestCardKind}`;
  readonly fraud: boolean;
  readonly action: EscrowAction;
}

export interface PlannedBankAccount {
  readonly ownerId: string;
  readonly routingNumber: string;
  readonly accountNumber: string;
  readonly accountType: 'checking' | 'savings';
  readonly holderName: string;
  readonly holderType: 'individual' | 'business';
}

export interface DemoPlan {
  readonly seed: number;
  readonly payments: readonly PlannedPayment[];
  readonly cards: readonly PlannedCard[];
  readonly bankAccounts: readonly PlannedBankAccount[];
}

/**
 * The generator simulates DAYS days and attacks only after its warm-up; the demo's day is the
 * last one, so its customers come with a history (in the generator's world) and the attacks on
 * established accounts (takeover, velocity burst, amount anomaly) have something to attack.
 */
const DAYS = 7;
const WARMUP_DAYS = 6;
const DAY_MS = 86_400_000;
/** A demo day is a bad day: twice the generator's attack rates, so the patterns show. */
const ATTACK_BOOST = 2;
/** Payments per customer on one day, measured on the generator (a first guess, then corrected). */
const PAYMENTS_PER_CUSTOMER_DAY = 0.5;
const MAX_SIZING_ROUNDS = 6;
/** Real-format ABA routing numbers of receiving banks (pass the 3-7-1 checksum). */
const RDFI_ROUTINGS = ['011000015', '091000019', '121000358', '026009593', '111000025'];

/**
 * The last day's payments, with at most one ordinary payment per customer: compressed into
 * seconds, a customer's second booking of the day would read as a velocity attack. Fraud
 * patterns are kept whole (their bursts are what the features should see).
 */
function oneDay(records: readonly LabelledPayment[], fromMs: number): LabelledPayment[] {
  const seen = new Set<string>();
  return records.filter(({ payment: p, label }) => {
    if (p.occurredAtMs < fromMs) return false;
    if (label.fraud) return true;
    if (seen.has(p.customerId)) return false;
    seen.add(p.customerId);
    return true;
  });
}

/** The first `count` payments of the last simulated day of a data set large enough to hold them. */
function generatedPayments(seed: number, count: number): { records: LabelledPayment[]; providers: number } {
  const providers = Math.min(200, Math.max(8, Math.round(count / 40)));
  const attacksPerDayPer1000 = Object.fromEntries(
    FRAUD_PATTERNS.map((p) => [p, DEFAULT_ATTACKS_PER_DAY_PER_1000[p] * ATTACK_BOOST]),
  );
  let customers = Math.max(10, Math.ceil(count / PAYMENTS_PER_CUSTOMER_DAY));
  for (let round = 0; round < MAX_SIZING_ROUNDS; round++) {
    const data = generate({
      seed,
      customers,
      providers,
      days: DAYS,
      warmupDays: WARMUP_DAYS,
      attacksPerDayPer1000,
    });
    const day = oneDay(data.records, data.endMs - DAY_MS);
    if (day.length >= count) return { records: day.slice(0, count), providers };
    customers = Math.ceil((customers * count * 1.1) / Math.max(1, day.length));
  }
  throw new RangeError(`the generator did not produce ${count} payments in ${MAX_SIZING_ROUNDS} rounds`);
}

/** A Luhn-valid 16-digit number on the generated card's BIN, distinct per card, never a test card. */
function numberFor(bin: string, ordinal: number): string {
  for (let n = ordinal; ; n += 1_000_000) {
    const body = `${bin}${String(n).padStart(9, '0')}`;
    const number = `${body}${luhnCheckDigit(body)}`;
    if (!isTestCard(number)) return number;
  }
}

export function planDemoDay(seed: number, paymentCount: number): DemoPlan {
  const { records, providers } = generatedPayments(seed, paymentCount - TEST_CARD_KINDS.length);
  const rng = new Prng(seed);
  const cards = new Map<string, PlannedCard>();
  const numbers = new Map<string, string>();
  const payments: PlannedPayment[] = [];

  const cardFor = (customerId: string, fingerprint: string, number: () => string): string => {
    const key = `${customerId}|${fingerprint}`;
    if (!cards.has(key)) {
      let n = numbers.get(fingerprint);
      if (n === undefined) {
        n = number();
        numbers.set(fingerprint, n);
      }
      cards.set(key, { key, customerId, number: n });
    }
    return key;
  };
  const action = () => rng.weighted(ACTION_WEIGHTS);

  for (const { payment: p, label } of records) {
    const cardKey = cardFor(p.customerId, p.cardFingerprint, () => numberFor(p.cardBin, numbers.size));
    payments.push({
      index: 0,
      customerId: p.customerId,
      providerId: p.providerId,
      cardKey,
      amountMinor: p.amountMinor,
      risk: {
        ...(p.ipAddress ? { ipAddress: p.ipAddress } : {}),
        ...(p.ipCountry ? { ipCountry: p.ipCountry } : {}),
        ...(p.deviceId ? { deviceId: p.deviceId } : {}),
        ...(p.email ? { email: p.email } : {}),
      },
      pattern: label.pattern ?? 'normal',
      fraud: label.fraud,
      action: action(),
    });
  }

  // One payment per test card, at a seeded place, from a new customer: a test card used by
  // several customers would be a shared card, which the fraud service rightly declines first.
  for (const kind of TEST_CARD_KINDS) {
    const customerId = `cus_testcard_${kind}`;
    payments.splice(rng.int(0, payments.length), 0, {
      index: 0,
      customerId,
      providerId: `prv_${rng.int(0, providers - 1)}`,
      cardKey: cardFor(customerId, `test:${kind}`, () => TEST_CARDS[kind]),
      amountMinor: rng.int(20, 150) * 100,
      risk: {},
      pattern: `test_card:${kind}`,
      fraud: kind === 'fraud',
      action: 'release',
    });
  }

  const bankAccounts = Array.from({ length: providers }, (_, i): PlannedBankAccount => {
    const business = i % 3 !== 0;
    return {
      ownerId: `prv_${i}`,
      routingNumber: RDFI_ROUTINGS[i % RDFI_ROUTINGS.length]!,
      accountNumber: String(700_000_000 + i * 7_919),
      accountType: i % 5 === 4 ? 'savings' : 'checking',
      holderName: business ? `Provider ${i} LLC` : `Provider ${i}`,
      holderType: business ? 'business' : 'individual',
    };
  });

  return {
    seed,
    payments: payments.map((p, index) => ({ ...p, index })),
    cards: [...cards.values()],
    bankAccounts,
  };
}
