// Streaming features per customer, card fingerprint, device and IP address.
//
// `observe(payment)` first reads the features of a payment against the history before it, then
// folds the payment into that history. It is pure with respect to its own state: time is the
// event's `occurredAtMs`, never the wall clock, so replaying the same events from a snapshot
// yields the same features bit for bit.
//
// Memory is bounded: each entity kind holds at most MAX_TRACKED_KEYS keys (least recently used
// evicted first) and forgets keys idle longer than ENTITY_TTL_MS; every per-key collection has
// a fixed capacity. An evicted key simply looks new again, which errs towards caution.

import { invariant, PaystreamError } from '@paystream/core';
import type { PaymentForScoring } from '../domain/input.js';
import { BoundedMap } from './bounded-map.js';
import { F, FEATURE_COUNT } from './definitions.js';
import {
  hash32,
  newWelford,
  newWindow,
  type RecentSet,
  recentDistinct,
  recentHas,
  recentTouch,
  type Welford,
  type Window,
  welfordAdd,
  welfordStd,
  windowAdd,
  windowCount,
  windowSum,
} from './primitives.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const WEEK_MINUTES = WEEK_MS / MINUTE_MS;

export type EntityKind = 'customer' | 'card' | 'device' | 'ip';

/**
 * The hard bound on tracked keys per entity kind: 300,000 keys in all. Measured at about 800
 * bytes per key with lightly filled sets, up to about 1.5 KB with every set full (see README),
 * so the full bound is roughly 240–450 MB of heap. Hitting it evicts the least recently used key.
 */
export const MAX_TRACKED_KEYS: Readonly<Record<EntityKind, number>> = {
  customer: 100_000,
  card: 100_000,
  device: 50_000,
  ip: 50_000,
};

/** Keys idle longer than this are forgotten. Devices and IPs churn faster than people and cards. */
export const ENTITY_TTL_MS: Readonly<Record<EntityKind, number>> = {
  customer: 90 * DAY_MS,
  card: 90 * DAY_MS,
  device: 30 * DAY_MS,
  ip: 30 * DAY_MS,
};

/** Capacity of each per-key distinct set (a customer's cards, devices, countries). */
export const MAX_CUSTOMER_SET_MEMBERS = 8;
/** Capacity of each link set (cards per device/IP, customers per card/device/IP). */
export const MAX_LINK_SET_MEMBERS = 16;

/** Floor on a customer's ln-amount spread so one-price customers don't turn cents into z = 50. */
const MIN_LOG_AMOUNT_STD = 0.25;
const HISTORY_FOR_Z = 3;
const SMALL_AMOUNT_MINOR = 500;
// Hinge points: the model is linear, so "beyond what is normal" gets its own feature that is
// zero below the hinge. Values: a customer's amounts rarely exceed e^1.5 ≈ 4.5× their usual,
// z = 3, or three payments in an hour; past those, each step up is evidence.
const NORMAL_LOG_RATIO = 1.5;
const NORMAL_Z = 3;
const NORMAL_HOURLY_COUNT = 3;

export interface CustomerState {
  lastSeenMs: number;
  count: number;
  w10m: Window;
  w1h: Window;
  w24h: Window;
  /** Payments to providers new for this customer, over the last hour. */
  wNewProvider1h: Window;
  amount: Welford;
  cards: RecentSet;
  devices: RecentSet;
  countries: RecentSet;
  providers: RecentSet;
}

export interface CardState {
  lastSeenMs: number;
  count: number;
  w1h: Window;
  customers: RecentSet;
}

/** A device or an IP address: both are places payments come from. */
export interface LinkState {
  lastSeenMs: number;
  count: number;
  w1m: Window;
  w1h: Window;
  cards: RecentSet;
  customers: RecentSet;
}

export const SNAPSHOT_VERSION = 1;

export interface FeatureSnapshot {
  readonly version: typeof SNAPSHOT_VERSION;
  readonly customers: [string, CustomerState][];
  readonly cards: [string, CardState][];
  readonly devices: [string, LinkState][];
  readonly ips: [string, LinkState][];
}

export interface FeatureStoreOptions {
  readonly maxKeys?: Partial<Record<EntityKind, number>>;
  readonly ttlMs?: Partial<Record<EntityKind, number>>;
}

export interface FeatureStoreStats {
  readonly keys: Record<EntityKind, number>;
  readonly evictions: Record<EntityKind, { lru: number; ttl: number }>;
}

const ln1p = Math.log1p;

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

function newLink(): LinkState {
  return { lastSeenMs: 0, count: 0, w1m: newWindow(), w1h: newWindow(), cards: [], customers: [] };
}

export class FeatureStore {
  readonly #customers: BoundedMap<CustomerState>;
  readonly #cards: BoundedMap<CardState>;
  readonly #devices: BoundedMap<LinkState>;
  readonly #ips: BoundedMap<LinkState>;

  constructor(options: FeatureStoreOptions = {}) {
    const keys = { ...MAX_TRACKED_KEYS, ...options.maxKeys };
    const ttl = { ...ENTITY_TTL_MS, ...options.ttlMs };
    this.#customers = new BoundedMap(keys.customer, ttl.customer);
    this.#cards = new BoundedMap(keys.card, ttl.card);
    this.#devices = new BoundedMap(keys.device, ttl.device);
    this.#ips = new BoundedMap(keys.ip, ttl.ip);
  }

  /**
   * The features of `p` against everything observed before it, then `p` is folded in.
   * The payment must already be validated (see validatePayment).
   */
  observe(p: PaymentForScoring): Float64Array {
    const t = p.occurredAtMs;
    // Customers are per tenant; cards, devices and IPs are global because fraud crosses tenants.
    const customerKey = `${p.tenantId}\u001f${p.customerId}`;
    const customerHash = hash32(customerKey);
    const cardHash = hash32(p.cardFingerprint);

    const customer = this.#customers.get(customerKey, t) ?? {
      lastSeenMs: t,
      count: 0,
      w10m: newWindow(),
      w1h: newWindow(),
      w24h: newWindow(),
      wNewProvider1h: newWindow(),
      amount: newWelford(),
      cards: [],
      devices: [],
      countries: [],
      providers: [],
    };
    const card = this.#cards.get(p.cardFingerprint, t);
    const device = p.deviceId === undefined ? undefined : (this.#devices.get(p.deviceId, t) ?? newLink());
    const ip = p.ipAddress === undefined ? undefined : (this.#ips.get(p.ipAddress, t) ?? newLink());

    // Per key, time never runs backwards: a late event is treated as happening at the key's
    // latest time, which keeps every window monotone and every count non-negative.
    const tc = Math.max(t, customer.lastSeenMs);
    const x = new Float64Array(FEATURE_COUNT);
    const lnAmount = Math.log(p.amountMinor);
    const established = customer.count > 0;
    const n = customer.amount[0];

    x[F.amount_log] = lnAmount;
    x[F.amount_small] = p.amountMinor < SMALL_AMOUNT_MINOR ? 1 : 0;
    if (n >= 1) {
      const logRatio = clamp(lnAmount - customer.amount[1], -5, 6);
      x[F.amount_log_ratio] = logRatio;
      x[F.amount_ratio_excess] = Math.max(0, logRatio - NORMAL_LOG_RATIO);
    }
    if (n >= HISTORY_FOR_Z) {
      const std = Math.max(welfordStd(customer.amount), MIN_LOG_AMOUNT_STD);
      const z = clamp((lnAmount - customer.amount[1]) / std, -4, 8);
      x[F.amount_z] = z;
      x[F.amount_z_excess] = Math.max(0, z - NORMAL_Z);
    }
    x[F.history_short] = n < HISTORY_FOR_Z ? 1 : 0;
    x[F.customer_new] = established ? 0 : 1;
    const count10m = windowCount(customer.w10m, tc, 10 * MINUTE_MS);
    x[F.customer_count_10m] = ln1p(count10m);
    x[F.customer_count_10m_excess] = clamp(count10m - 1, 0, 20);
    // Minutes since this customer's previous payment, capped at a week; a week for newcomers.
    x[F.customer_minutes_since_last] = ln1p(
      established ? Math.min((tc - customer.lastSeenMs) / MINUTE_MS, WEEK_MINUTES) : WEEK_MINUTES,
    );
    x[F.customer_gap_under_15m] = established && tc - customer.lastSeenMs < 15 * MINUTE_MS ? 1 : 0;
    const providerHash = hash32(p.providerId);
    const providerNew = established && !recentHas(customer.providers, providerHash);
    x[F.provider_new_for_customer] = providerNew ? 1 : 0;
    x[F.customer_new_providers_1h] = ln1p(windowCount(customer.wNewProvider1h, tc, HOUR_MS));
    const count1h = windowCount(customer.w1h, tc, HOUR_MS);
    x[F.customer_count_1h] = ln1p(count1h);
    x[F.customer_count_1h_excess] = clamp(count1h - NORMAL_HOURLY_COUNT, 0, 20);
    x[F.customer_count_24h] = ln1p(windowCount(customer.w24h, tc, DAY_MS));
    if (n >= 1) {
      x[F.customer_sum_24h_ratio] = ln1p(windowSum(customer.w24h, tc, DAY_MS) / Math.exp(customer.amount[1]));
    }
    x[F.customer_cards_24h] = ln1p(recentDistinct(customer.cards, tc, DAY_MS, cardHash));
    x[F.card_new_for_customer] = established && !recentHas(customer.cards, cardHash) ? 1 : 0;

    x[F.card_first_seen] = card === undefined ? 1 : 0;
    if (card !== undefined) {
      const tk = Math.max(t, card.lastSeenMs);
      x[F.card_count_1h] = ln1p(windowCount(card.w1h, tk, HOUR_MS));
      x[F.card_customers_7d] = ln1p(recentDistinct(card.customers, tk, WEEK_MS, customerHash));
    }

    if (device === undefined) {
      x[F.device_missing] = 1;
    } else {
      const deviceHash = hash32(p.deviceId!);
      const td = Math.max(t, device.lastSeenMs);
      x[F.device_new_for_customer] = established && !recentHas(customer.devices, deviceHash) ? 1 : 0;
      x[F.device_count_1m] = ln1p(windowCount(device.w1m, td, MINUTE_MS));
      x[F.device_count_1h] = ln1p(windowCount(device.w1h, td, HOUR_MS));
      x[F.device_cards_1h] = ln1p(recentDistinct(device.cards, td, HOUR_MS, cardHash));
      x[F.device_cards_24h] = ln1p(recentDistinct(device.cards, td, DAY_MS, cardHash));
      x[F.device_customers_24h] = ln1p(recentDistinct(device.customers, td, DAY_MS, customerHash));
    }

    if (ip === undefined) {
      x[F.ip_missing] = 1;
    } else {
      const ti = Math.max(t, ip.lastSeenMs);
      x[F.ip_count_1m] = ln1p(windowCount(ip.w1m, ti, MINUTE_MS));
      x[F.ip_count_1h] = ln1p(windowCount(ip.w1h, ti, HOUR_MS));
      x[F.ip_cards_1h] = ln1p(recentDistinct(ip.cards, ti, HOUR_MS, cardHash));
      x[F.ip_cards_24h] = ln1p(recentDistinct(ip.cards, ti, DAY_MS, cardHash));
    }

    const countryHash = p.ipCountry === undefined ? 0 : hash32(p.ipCountry);
    if (p.ipCountry !== undefined) {
      x[F.ip_country_new_for_customer] = established && !recentHas(customer.countries, countryHash) ? 1 : 0;
    }
    if (p.ipCountry !== undefined && p.cardCountry !== undefined && p.ipCountry !== p.cardCountry) {
      x[F.geo_mismatch] = 1;
    }
    x[F.geo_mismatch_little_history] = x[F.geo_mismatch]! * x[F.history_short]!;
    x[F.takeover_signals] = x[F.device_new_for_customer]! * x[F.ip_country_new_for_customer]!;
    x[F.takeover_amount] = x[F.takeover_signals]! * clamp(x[F.amount_z]!, 0, 8);

    // Fold the payment in.
    customer.lastSeenMs = tc;
    customer.count += 1;
    windowAdd(customer.w10m, tc, 10 * MINUTE_MS, p.amountMinor);
    windowAdd(customer.w1h, tc, HOUR_MS, p.amountMinor);
    windowAdd(customer.w24h, tc, DAY_MS, p.amountMinor);
    if (providerNew) windowAdd(customer.wNewProvider1h, tc, HOUR_MS, p.amountMinor);
    welfordAdd(customer.amount, lnAmount);
    recentTouch(customer.cards, cardHash, tc, MAX_CUSTOMER_SET_MEMBERS);
    if (p.deviceId !== undefined) {
      recentTouch(customer.devices, hash32(p.deviceId), tc, MAX_CUSTOMER_SET_MEMBERS);
    }
    if (p.ipCountry !== undefined) recentTouch(customer.countries, countryHash, tc, MAX_CUSTOMER_SET_MEMBERS);
    recentTouch(customer.providers, providerHash, tc, MAX_CUSTOMER_SET_MEMBERS);
    this.#customers.touch(customerKey, customer, t);

    const cardState = card ?? { lastSeenMs: t, count: 0, w1h: newWindow(), customers: [] };
    const tk = Math.max(t, cardState.lastSeenMs);
    cardState.lastSeenMs = tk;
    cardState.count += 1;
    windowAdd(cardState.w1h, tk, HOUR_MS, p.amountMinor);
    recentTouch(cardState.customers, customerHash, tk, MAX_LINK_SET_MEMBERS);
    this.#cards.touch(p.cardFingerprint, cardState, t);

    if (device !== undefined)
      this.#foldLink(this.#devices, p.deviceId!, device, t, p, cardHash, customerHash);
    if (ip !== undefined) this.#foldLink(this.#ips, p.ipAddress!, ip, t, p, cardHash, customerHash);

    return x;
  }

  #foldLink(
    map: BoundedMap<LinkState>,
    key: string,
    link: LinkState,
    t: number,
    p: PaymentForScoring,
    cardHash: number,
    customerHash: number,
  ): void {
    const tl = Math.max(t, link.lastSeenMs);
    link.lastSeenMs = tl;
    link.count += 1;
    windowAdd(link.w1m, tl, MINUTE_MS, p.amountMinor);
    windowAdd(link.w1h, tl, HOUR_MS, p.amountMinor);
    recentTouch(link.cards, cardHash, tl, MAX_LINK_SET_MEMBERS);
    recentTouch(link.customers, customerHash, tl, MAX_LINK_SET_MEMBERS);
    map.touch(key, link, t);
  }

  stats(): FeatureStoreStats {
    return {
      keys: {
        customer: this.#customers.size,
        card: this.#cards.size,
        device: this.#devices.size,
        ip: this.#ips.size,
      },
      evictions: {
        customer: this.#customers.evictions,
        card: this.#cards.evictions,
        device: this.#devices.evictions,
        ip: this.#ips.evictions,
      },
    };
  }

  /** A deep, JSON-serialisable copy of all state, least recently used keys first. */
  snapshot(): FeatureSnapshot {
    const copy = <V>(m: BoundedMap<V & { lastSeenMs: number }>): [string, V][] =>
      [...m.entries()].map(([k, v]) => [k, structuredClone(v)]);
    return {
      version: SNAPSHOT_VERSION,
      customers: copy(this.#customers),
      cards: copy(this.#cards),
      devices: copy(this.#devices),
      ips: copy(this.#ips),
    };
  }

  /** Replaces all state with a snapshot (validated; a malformed snapshot changes nothing). */
  restore(snapshot: unknown): void {
    const s = parseSnapshot(snapshot);
    this.#customers.load(s.customers);
    this.#cards.load(s.cards);
    this.#devices.load(s.devices);
    this.#ips.load(s.ips);
    invariant(this.#customers.size <= this.#customers.maxKeys, 'restored customers within bound');
  }

  static fromSnapshot(snapshot: unknown, options: FeatureStoreOptions = {}): FeatureStore {
    const store = new FeatureStore(options);
    store.restore(snapshot);
    return store;
  }
}

// --- snapshot validation -------------------------------------------------------------------

function badSnapshot(path: string, message: string): never {
  throw new PaystreamError('invalid_fraud_snapshot', `feature snapshot ${path} ${message}`, path);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) badSnapshot(path, 'must be a finite number');
  return v;
}

function nonNegative(path: string, v: unknown): number {
  const n = num(path, v);
  if (n < 0) badSnapshot(path, 'must not be negative');
  return n;
}

function numbers(path: string, v: unknown, length: number | undefined, maxLength?: number): number[] {
  if (!Array.isArray(v)) badSnapshot(path, 'must be an array');
  if (length !== undefined && v.length !== length) badSnapshot(path, `must have ${length} elements`);
  if (maxLength !== undefined && (v.length > maxLength || v.length % 2 !== 0)) {
    badSnapshot(path, `must be an even-length array of at most ${maxLength} numbers`);
  }
  return v.map((e, i) => num(`${path}[${i}]`, e));
}

function window(path: string, v: unknown): Window {
  const w = numbers(path, v, 5);
  for (let i = 1; i < 5; i += 1) nonNegative(`${path}[${i}]`, w[i]);
  return w as Window;
}

function entries<V>(path: string, v: unknown, parse: (p: string, value: unknown) => V): [string, V][] {
  if (!Array.isArray(v)) badSnapshot(path, 'must be an array of [key, state] pairs');
  return v.map((e, i): [string, V] => {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') {
      badSnapshot(`${path}[${i}]`, 'must be a [key, state] pair');
    }
    return [e[0], parse(`${path}[${i}][1]`, e[1])];
  });
}

function parseCustomer(path: string, v: unknown): CustomerState {
  if (!isRecord(v)) badSnapshot(path, 'must be an object');
  const amount = numbers(`${path}.amount`, v.amount, 3);
  nonNegative(`${path}.amount[0]`, amount[0]);
  nonNegative(`${path}.amount[2]`, amount[2]);
  return {
    lastSeenMs: num(`${path}.lastSeenMs`, v.lastSeenMs),
    count: nonNegative(`${path}.count`, v.count),
    w10m: window(`${path}.w10m`, v.w10m),
    w1h: window(`${path}.w1h`, v.w1h),
    w24h: window(`${path}.w24h`, v.w24h),
    wNewProvider1h: window(`${path}.wNewProvider1h`, v.wNewProvider1h),
    amount: amount as Welford,
    cards: numbers(`${path}.cards`, v.cards, undefined, MAX_CUSTOMER_SET_MEMBERS * 2),
    devices: numbers(`${path}.devices`, v.devices, undefined, MAX_CUSTOMER_SET_MEMBERS * 2),
    countries: numbers(`${path}.countries`, v.countries, undefined, MAX_CUSTOMER_SET_MEMBERS * 2),
    providers: numbers(`${path}.providers`, v.providers, undefined, MAX_CUSTOMER_SET_MEMBERS * 2),
  };
}

function parseCard(path: string, v: unknown): CardState {
  if (!isRecord(v)) badSnapshot(path, 'must be an object');
  return {
    lastSeenMs: num(`${path}.lastSeenMs`, v.lastSeenMs),
    count: nonNegative(`${path}.count`, v.count),
    w1h: window(`${path}.w1h`, v.w1h),
    customers: numbers(`${path}.customers`, v.customers, undefined, MAX_LINK_SET_MEMBERS * 2),
  };
}

function parseLink(path: string, v: unknown): LinkState {
  if (!isRecord(v)) badSnapshot(path, 'must be an object');
  return {
    lastSeenMs: num(`${path}.lastSeenMs`, v.lastSeenMs),
    count: nonNegative(`${path}.count`, v.count),
    w1m: window(`${path}.w1m`, v.w1m),
    w1h: window(`${path}.w1h`, v.w1h),
    cards: numbers(`${path}.cards`, v.cards, undefined, MAX_LINK_SET_MEMBERS * 2),
    customers: numbers(`${path}.customers`, v.customers, undefined, MAX_LINK_SET_MEMBERS * 2),
  };
}

function parseSnapshot(v: unknown): FeatureSnapshot {
  if (!isRecord(v)) badSnapshot('', 'must be an object');
  if (v.version !== SNAPSHOT_VERSION) badSnapshot('version', `must be ${SNAPSHOT_VERSION}`);
  return {
    version: SNAPSHOT_VERSION,
    customers: entries('customers', v.customers, parseCustomer),
    cards: entries('cards', v.cards, parseCard),
    devices: entries('devices', v.devices, parseLink),
    ips: entries('ips', v.ips, parseLink),
  };
}
