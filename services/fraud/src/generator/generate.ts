// A seeded, reproducible generator of labelled marketplace payments: normal behaviour per
// customer plus the named fraud patterns of ARCHITECTURE.md §4. It exists so the model can be
// retrained and its precision/recall reported from data anyone can regenerate.
//
// Normal behaviour deliberately includes the innocent look-alikes of every pattern (travel,
// a new phone, a big one-off purchase, a shopping spree, a card shared in a household, brand
// new customers) so that the model has to learn the combinations, not single flags.

import type { PaymentForScoring } from '../domain/input.js';
import { Prng } from './prng.js';

/** Bump when the distributions change: committed models record which generator trained them. */
export const GENERATOR_VERSION = 'paystream-fraud-gen/1';

export const FRAUD_PATTERNS = [
  'card_testing',
  'account_takeover',
  'velocity_burst',
  'geo_mismatch',
  'amount_anomaly',
  'shared_card',
] as const;
export type FraudPattern = (typeof FRAUD_PATTERNS)[number];

export interface FraudLabel {
  readonly fraud: boolean;
  readonly pattern: FraudPattern | null;
}

export interface LabelledPayment {
  readonly payment: PaymentForScoring;
  readonly label: FraudLabel;
}

export interface GeneratorOptions {
  readonly seed: number;
  /** Simulated days in total, warm-up included. */
  readonly days?: number;
  /** Leading days with normal traffic only, so features have history before any attack. */
  readonly warmupDays?: number;
  /** Customers present on day 0. */
  readonly customers?: number;
  /** Brand-new customers joining per day, as a fraction of `customers`. */
  readonly newCustomerRatePerDay?: number;
  readonly providers?: number;
  /** Attacks started per simulated day per 1,000 customers, by pattern. */
  readonly attacksPerDayPer1000?: Partial<Record<FraudPattern, number>>;
  readonly startMs?: number;
}

export interface GeneratedDataSet {
  readonly generatorVersion: string;
  readonly seed: number;
  readonly startMs: number;
  /** Records before this instant are warm-up: score them (to build state), don't count them. */
  readonly warmupEndMs: number;
  readonly endMs: number;
  /** In time order. */
  readonly records: readonly LabelledPayment[];
}

export const DEFAULT_ATTACKS_PER_DAY_PER_1000: Readonly<Record<FraudPattern, number>> = {
  card_testing: 0.6,
  account_takeover: 2.5,
  velocity_burst: 1,
  geo_mismatch: 3,
  amount_anomaly: 3,
  shared_card: 0.8,
};

/** Tenant amount limits from ARCHITECTURE.md §4; generated amounts stay inside them. */
const MIN_AMOUNT_MINOR = 100;
const MAX_AMOUNT_MINOR = 500_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** The documented fraud test card's BIN; generated cards never use it. */
const RESERVED_BIN = '410000';

const HOME_COUNTRIES: readonly (readonly [string, number])[] = [
  ['US', 55],
  ['CA', 8],
  ['GB', 8],
  ['DE', 6],
  ['FR', 5],
  ['MX', 4],
  ['BR', 4],
  ['AU', 3],
  ['ES', 3],
  ['NL', 2],
  ['JP', 2],
];
const ALL_COUNTRIES = [...HOME_COUNTRIES.map(([c]) => c), 'RU', 'NG', 'VN', 'ID', 'RO', 'UA', 'PH', 'IN'];
const EMAIL_DOMAINS = ['mail.example', 'inbox.example', 'post.example', 'web.example', 'corp.example'];

interface Card {
  readonly fingerprint: string;
  readonly bin: string;
  readonly last4: string;
  readonly country: string;
}

interface Ip {
  readonly address: string;
  readonly country: string;
}

interface Customer {
  readonly id: string;
  readonly home: string;
  readonly cards: Card[];
  readonly devices: string[];
  readonly ips: Ip[];
  readonly email: string;
  readonly medianMinor: number;
  readonly sigma: number;
  readonly peakHour: number;
  readonly spreadHours: number;
  readonly ratePerDay: number;
  readonly providers: readonly string[];
  readonly joinedDay: number;
  paymentsSoFar: number;
}

interface Draft {
  readonly atMs: number;
  readonly seq: number;
  readonly customerId: string;
  readonly providerId: string;
  readonly amountMinor: number;
  readonly card: Card;
  readonly ip: Ip | undefined;
  readonly deviceId: string | undefined;
  readonly email: string | undefined;
  readonly label: FraudLabel;
}

const NORMAL: FraudLabel = { fraud: false, pattern: null };

function fraud(pattern: FraudPattern): FraudLabel {
  return { fraud: true, pattern };
}

function clampAmount(amount: number): number {
  return Math.min(MAX_AMOUNT_MINOR, Math.max(MIN_AMOUNT_MINOR, Math.round(amount)));
}

class World {
  readonly rng: Prng;
  readonly drafts: Draft[] = [];
  readonly providers: string[] = [];
  #seq = 0;
  #ids = 0;

  constructor(
    seed: number,
    providerCount: number,
    readonly startMs: number,
  ) {
    this.rng = new Prng(seed);
    for (let i = 0; i < providerCount; i += 1) this.providers.push(`prv_${i}`);
  }

  id(prefix: string): string {
    this.#ids += 1;
    return `${prefix}_${this.#ids.toString(36)}${this.rng.hex(6)}`;
  }

  card(country: string): Card {
    let bin = (this.rng.chance(0.6) ? '4' : '5') + this.rng.digits(5);
    if (bin === RESERVED_BIN) bin = '411111';
    return { fingerprint: this.rng.hex(32), bin, last4: this.rng.digits(4), country };
  }

  ip(country: string): Ip {
    const r = this.rng;
    return { address: `${r.int(11, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`, country };
  }

  foreignCountry(not: string): string {
    for (;;) {
      const c = this.rng.pick(ALL_COUNTRIES);
      if (c !== not) return c;
    }
  }

  customer(joinedDay: number): Customer {
    const r = this.rng;
    const home = r.weighted(HOME_COUNTRIES);
    const cards = [this.card(r.chance(0.95) ? home : this.foreignCountry(home))];
    if (r.chance(0.3)) cards.push(this.card(home));
    const devices = [this.id('dev')];
    if (r.chance(0.4)) devices.push(this.id('dev'));
    const ips = [this.ip(home)];
    if (r.chance(0.5)) ips.push(this.ip(home));
    const favourites: string[] = [];
    const favouriteCount = r.int(1, 4);
    for (let i = 0; i < favouriteCount; i += 1) favourites.push(r.pick(this.providers));
    const id = this.id('cus');
    return {
      id,
      home,
      cards,
      devices,
      ips,
      email: `${id}@${r.pick(EMAIL_DOMAINS)}`,
      medianMinor: Math.round(Math.exp(r.uniform(Math.log(1_500), Math.log(20_000)))),
      sigma: r.uniform(0.25, 0.7),
      peakHour: r.uniform(8, 22),
      spreadHours: r.uniform(1.5, 4),
      ratePerDay: Math.min(3, Math.max(0.05, -Math.log(1 - r.next()) * 0.45)),
      providers: favourites,
      joinedDay,
      paymentsSoFar: 0,
    };
  }

  push(d: Omit<Draft, 'seq'>): void {
    this.#seq += 1;
    this.drafts.push({ ...d, seq: this.#seq });
  }

  timeOfDay(c: Customer, dayStartMs: number): number {
    const hour = (((c.peakHour + this.rng.normal() * c.spreadHours) % 24) + 24) % 24;
    return dayStartMs + Math.floor(hour * HOUR_MS);
  }

  normalAmount(c: Customer): number {
    return c.medianMinor * Math.exp(c.sigma * this.rng.normal());
  }

  /** One ordinary payment, including the innocent look-alikes of the fraud patterns. */
  normalPayment(c: Customer, atMs: number): void {
    const r = this.rng;
    let amount = this.normalAmount(c);
    if (r.chance(0.015)) amount *= r.uniform(3, 8); // a big one-off purchase
    if (r.chance(0.01)) c.cards.push(this.card(c.home)); // a new card
    if (r.chance(0.02)) c.devices.push(this.id('dev')); // a new phone or laptop
    let ip = r.chance(0.75) ? c.ips[0] : r.pick(c.ips);
    if (r.chance(0.02)) ip = this.ip(this.foreignCountry(c.home)); // travelling
    const card = r.chance(0.85) ? c.cards[0]! : r.pick(c.cards);
    const deviceId = r.chance(0.8) ? c.devices[0] : r.pick(c.devices);
    const providerId = r.chance(0.8) ? r.pick(c.providers) : r.pick(this.providers);
    c.paymentsSoFar += 1;
    this.push({
      atMs,
      customerId: c.id,
      providerId,
      amountMinor: clampAmount(amount),
      card,
      ip,
      deviceId,
      email: c.email,
      label: NORMAL,
    });
  }

  normalDay(c: Customer, day: number): void {
    const dayStartMs = this.startMs + day * DAY_MS;
    const count = this.rng.poisson(c.ratePerDay);
    for (let i = 0; i < count; i += 1) this.normalPayment(c, this.timeOfDay(c, dayStartMs));
    if (this.rng.chance(0.02)) {
      // A shopping spree: several payments within an hour or two, all from the usual setup.
      let atMs = this.timeOfDay(c, dayStartMs);
      const spree = this.rng.int(3, 5);
      for (let i = 0; i < spree; i += 1) {
        this.normalPayment(c, atMs);
        atMs += this.rng.int(3, 30) * MINUTE_MS;
      }
    }
  }

  accountTakeover(c: Customer, dayStartMs: number): void {
    const r = this.rng;
    const device = this.id('dev');
    const ip = this.ip(this.foreignCountry(c.home));
    let atMs = dayStartMs + r.int(0, DAY_MS - 3 * HOUR_MS);
    const n = r.int(1, 3);
    for (let i = 0; i < n; i += 1) {
      this.push({
        atMs,
        customerId: c.id,
        providerId: r.pick(this.providers),
        amountMinor: clampAmount(c.medianMinor * r.uniform(4, 15)),
        card: r.pick(c.cards),
        ip,
        deviceId: device,
        email: c.email,
        label: fraud('account_takeover'),
      });
      atMs += r.int(2, 40) * MINUTE_MS;
    }
  }

  velocityBurst(c: Customer, dayStartMs: number): void {
    const r = this.rng;
    const device = r.chance(0.5) ? this.id('dev') : c.devices[0];
    const ip = r.chance(0.5) ? this.ip(c.home) : c.ips[0];
    const n = r.int(6, 14);
    const spanMs = r.int(10, 60) * MINUTE_MS;
    let atMs = dayStartMs + r.int(0, DAY_MS - 2 * HOUR_MS);
    for (let i = 0; i < n; i += 1) {
      this.push({
        atMs,
        customerId: c.id,
        providerId: r.pick(this.providers),
        amountMinor: clampAmount(c.medianMinor * r.uniform(0.5, 2.5)),
        card: r.pick(c.cards),
        ip,
        deviceId: device,
        email: c.email,
        label: fraud('velocity_burst'),
      });
      atMs += Math.floor(spanMs / n) + r.int(0, 60_000);
    }
  }

  amountAnomaly(c: Customer, dayStartMs: number): void {
    const r = this.rng;
    this.push({
      atMs: this.timeOfDay(c, dayStartMs),
      customerId: c.id,
      providerId: r.chance(0.5) ? r.pick(c.providers) : r.pick(this.providers),
      amountMinor: clampAmount(c.medianMinor * r.uniform(8, 30)),
      card: c.cards[0]!,
      ip: c.ips[0],
      deviceId: c.devices[0],
      email: c.email,
      label: fraud('amount_anomaly'),
    });
  }

  cardTesting(dayStartMs: number): void {
    const r = this.rng;
    // One device or one IP is the constant; the other may rotate to dodge simple velocity rules.
    const mode = r.weighted<'both' | 'device' | 'ip'>([
      ['both', 2],
      ['device', 1],
      ['ip', 1],
    ]);
    const device = this.id('dev');
    const ip = this.ip(r.pick(ALL_COUNTRIES));
    const accounts = [this.id('cus')];
    if (r.chance(0.4)) accounts.push(this.id('cus'), this.id('cus'));
    const domain = r.pick(EMAIL_DOMAINS);
    const n = r.int(8, 30);
    let atMs = dayStartMs + r.int(0, DAY_MS - HOUR_MS);
    for (let i = 0; i < n; i += 1) {
      const customerId = r.pick(accounts);
      this.push({
        atMs,
        customerId,
        providerId: r.pick(this.providers),
        amountMinor: clampAmount(r.int(100, 400)),
        card: this.card(r.pick(ALL_COUNTRIES)),
        ip: mode === 'device' ? this.ip(r.pick(ALL_COUNTRIES)) : ip,
        deviceId: mode === 'ip' ? this.id('dev') : device,
        email: `${customerId}@${domain}`,
        label: fraud('card_testing'),
      });
      atMs += r.int(3, 45) * 1000;
    }
  }

  geoMismatch(dayStartMs: number): void {
    const r = this.rng;
    const cardCountry = r.weighted(HOME_COUNTRIES);
    const card = this.card(cardCountry);
    const ip = this.ip(this.foreignCountry(cardCountry));
    const customerId = this.id('cus');
    const device = this.id('dev');
    const median = r.uniform(6_000, 30_000);
    const n = r.int(1, 3);
    let atMs = dayStartMs + r.int(0, DAY_MS - 2 * HOUR_MS);
    for (let i = 0; i < n; i += 1) {
      this.push({
        atMs,
        customerId,
        providerId: r.pick(this.providers),
        amountMinor: clampAmount(median * Math.exp(0.3 * r.normal())),
        card,
        ip,
        deviceId: device,
        email: `${customerId}@${r.pick(EMAIL_DOMAINS)}`,
        label: fraud('geo_mismatch'),
      });
      atMs += r.int(5, 50) * MINUTE_MS;
    }
  }

  sharedCard(dayStartMs: number, existing: readonly Customer[]): void {
    const r = this.rng;
    const home = r.weighted(HOME_COUNTRIES);
    const card = this.card(home);
    const n = r.int(5, 12);
    let atMs = dayStartMs + r.int(0, DAY_MS / 2);
    for (let i = 0; i < n; i += 1) {
      // Half the ring are fresh accounts, half are existing accounts the ring controls.
      const c = existing.length > 0 && r.chance(0.5) ? r.pick(existing) : undefined;
      const customerId = c?.id ?? this.id('cus');
      this.push({
        atMs,
        customerId,
        providerId: r.pick(this.providers),
        amountMinor: clampAmount(r.uniform(2_000, 15_000)),
        card,
        ip: c?.ips[0] ?? this.ip(home),
        deviceId: c?.devices[0] ?? this.id('dev'),
        email: c?.email ?? `${customerId}@${r.pick(EMAIL_DOMAINS)}`,
        label: fraud('shared_card'),
      });
      atMs += r.int(10, 180) * MINUTE_MS;
    }
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}

export function generate(options: GeneratorOptions): GeneratedDataSet {
  const days = positiveInt('days', options.days ?? 28);
  const warmupDays = positiveInt('warmupDays', options.warmupDays ?? 7);
  const customerCount = positiveInt('customers', options.customers ?? 2_000);
  const providerCount = Math.max(1, positiveInt('providers', options.providers ?? 200));
  const startMs = options.startMs ?? Date.UTC(2026, 0, 5);
  const attackRates = { ...DEFAULT_ATTACKS_PER_DAY_PER_1000, ...options.attacksPerDayPer1000 };
  const newPerDay = (options.newCustomerRatePerDay ?? 0.01) * customerCount;

  const world = new World(options.seed, providerCount, startMs);
  const r = world.rng;
  const customers: Customer[] = [];
  for (let i = 0; i < customerCount; i += 1) customers.push(world.customer(0));

  // Households: a few customers share a card with one other customer (innocent shared cards).
  for (let i = 0; i + 1 < customers.length; i += 1) {
    if (r.chance(0.01)) customers[i + 1]!.cards.push(customers[i]!.cards[0]!);
  }

  const scale = customerCount / 1000;
  for (let day = 0; day < days; day += 1) {
    const dayStartMs = startMs + day * DAY_MS;
    const joining = r.poisson(newPerDay);
    for (let i = 0; i < joining; i += 1) customers.push(world.customer(day));
    const attacks = day >= warmupDays;
    // Attacks on existing accounts need some history to attack.
    const established = attacks ? customers.filter((c) => c.paymentsSoFar >= 5) : [];
    for (const c of customers) world.normalDay(c, day);
    if (!attacks) continue;
    const count = (p: FraudPattern): number => r.poisson(attackRates[p] * scale);
    for (let i = count('account_takeover'); i > 0 && established.length > 0; i -= 1) {
      world.accountTakeover(r.pick(established), dayStartMs);
    }
    for (let i = count('velocity_burst'); i > 0 && established.length > 0; i -= 1) {
      world.velocityBurst(r.pick(established), dayStartMs);
    }
    for (let i = count('amount_anomaly'); i > 0 && established.length > 0; i -= 1) {
      world.amountAnomaly(r.pick(established), dayStartMs);
    }
    for (let i = count('card_testing'); i > 0; i -= 1) world.cardTesting(dayStartMs);
    for (let i = count('geo_mismatch'); i > 0; i -= 1) world.geoMismatch(dayStartMs);
    for (let i = count('shared_card'); i > 0; i -= 1) world.sharedCard(dayStartMs, established);
  }

  const drafts = world.drafts.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  const records = drafts.map((d, i): LabelledPayment => {
    const payment: PaymentForScoring = {
      paymentId: `pay_${options.seed}_${i}`,
      tenantId: 'default',
      customerId: d.customerId,
      providerId: d.providerId,
      amountMinor: d.amountMinor,
      currency: 'USD',
      occurredAtMs: d.atMs,
      cardFingerprint: d.card.fingerprint,
      cardBin: d.card.bin,
      cardLast4: d.card.last4,
      cardCountry: d.card.country,
      ipAddress: d.ip?.address,
      ipCountry: d.ip?.country,
      deviceId: d.deviceId,
      email: d.email,
    };
    return { payment, label: d.label };
  });
  return {
    generatorVersion: GENERATOR_VERSION,
    seed: options.seed,
    startMs,
    warmupEndMs: startMs + warmupDays * DAY_MS,
    endMs: startMs + days * DAY_MS,
    records,
  };
}
