// Editable rules: allow and deny lists plus the score thresholds, from a JSON-serialisable
// config object (default: config/fraud-rules.json). Rules are validated on load and every
// problem is reported with the path of the offending field; nothing is silently fixed.
//
// Precedence: deny beats allow beats the model, because a wrongly declined payment can be
// retried and a wrongly approved fraudulent one cannot be undone.

import { PaystreamError } from '@paystream/core';
import type { FraudDecision, PaymentForScoring } from '../domain/input.js';

export const RULES_VERSION = 1;

/**
 * The documented simulator fraud test card (ARCHITECTURE.md §5) is always scored as fraud. It is
 * built in, not just configured, so no edit of the rules file can turn it off.
 */
export const SIMULATOR_FRAUD_TEST_CARD = { bin: '410000', last4: '0019' } as const;

export interface CardPattern {
  /** First six digits; omitted matches any BIN. */
  readonly bin?: string;
  /** Last four digits; omitted matches any. */
  readonly last4?: string;
  readonly note?: string;
}

export interface MatchLists {
  readonly customerIds?: readonly string[];
  readonly cardFingerprints?: readonly string[];
  readonly cardPatterns?: readonly CardPattern[];
  readonly ipAddresses?: readonly string[];
  readonly deviceIds?: readonly string[];
  /** Matched case-insensitively against the part of the email after '@'. */
  readonly emailDomains?: readonly string[];
}

export interface Thresholds {
  /** Scores at or above this go to review. */
  readonly reviewAt: number;
  /** Scores at or above this are declined. */
  readonly declineAt: number;
}

export interface FraudRulesConfig {
  readonly version: typeof RULES_VERSION;
  readonly thresholds: Thresholds;
  readonly allow?: MatchLists;
  readonly deny?: MatchLists;
}

export const DEFAULT_THRESHOLDS: Thresholds = { reviewAt: 700, declineAt: 900 };

export interface RuleHit {
  readonly code: string;
  readonly description: string;
}

export interface Rules {
  readonly config: FraudRulesConfig;
  readonly thresholds: Thresholds;
  /** The first deny rule the payment matches, if any. */
  denyHit(p: PaymentForScoring): RuleHit | undefined;
  /** The first allow rule the payment matches, if any. */
  allowHit(p: PaymentForScoring): RuleHit | undefined;
  decide(score: number): FraudDecision;
}

/** Bounds the config so a mistaken paste cannot make every lookup slow or memory unbounded. */
export const MAX_LIST_ENTRIES = 100_000;

function badRules(field: string, message: string): never {
  throw new PaystreamError('invalid_fraud_rules', `fraud rules ${field}: ${message}`, field);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(field: string, v: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k))
      badRules(field === '' ? k : `${field}.${k}`, `unknown key (expected one of ${allowed.join(', ')})`);
  }
}

function stringList(field: string, v: unknown, pattern: RegExp, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) badRules(field, 'must be an array of strings');
  if (v.length > MAX_LIST_ENTRIES) badRules(field, `must have at most ${MAX_LIST_ENTRIES} entries`);
  return v.map((e, i) => {
    if (typeof e !== 'string' || !pattern.test(e))
      badRules(`${field}[${i}]`, `must be ${what}, got ${JSON.stringify(e)}`);
    return e;
  });
}

const ID = /^[^\s]{1,200}$/;
const HEX = /^[0-9a-f]{8,128}$/i;
const IP = /^[0-9a-f.:]{2,45}$/i;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const BIN = /^\d{6}$/;
const LAST4 = /^\d{4}$/;
const LIST_KEYS = [
  'customerIds',
  'cardFingerprints',
  'cardPatterns',
  'ipAddresses',
  'deviceIds',
  'emailDomains',
];

function cardPatterns(field: string, v: unknown): CardPattern[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) badRules(field, 'must be an array of {bin?, last4?, note?}');
  return v.map((e, i): CardPattern => {
    const f = `${field}[${i}]`;
    if (!isRecord(e)) badRules(f, 'must be an object {bin?, last4?, note?}');
    onlyKeys(f, e, ['bin', 'last4', 'note']);
    if (e.bin === undefined && e.last4 === undefined) badRules(f, 'needs a bin, a last4, or both');
    if (e.bin !== undefined && (typeof e.bin !== 'string' || !BIN.test(e.bin))) {
      badRules(`${f}.bin`, 'must be exactly six digits');
    }
    if (e.last4 !== undefined && (typeof e.last4 !== 'string' || !LAST4.test(e.last4))) {
      badRules(`${f}.last4`, 'must be exactly four digits');
    }
    if (e.note !== undefined && typeof e.note !== 'string') badRules(`${f}.note`, 'must be a string');
    return {
      ...(e.bin === undefined ? {} : { bin: e.bin as string }),
      ...(e.last4 === undefined ? {} : { last4: e.last4 as string }),
      ...(e.note === undefined ? {} : { note: e.note as string }),
    };
  });
}

function matchLists(field: string, v: unknown): Required<MatchLists> {
  if (v === undefined) v = {};
  if (!isRecord(v)) badRules(field, 'must be an object');
  onlyKeys(field, v, LIST_KEYS);
  return {
    customerIds: stringList(`${field}.customerIds`, v.customerIds, ID, 'a customer id'),
    cardFingerprints: stringList(
      `${field}.cardFingerprints`,
      v.cardFingerprints,
      HEX,
      'a hex card fingerprint',
    ),
    cardPatterns: cardPatterns(`${field}.cardPatterns`, v.cardPatterns),
    ipAddresses: stringList(`${field}.ipAddresses`, v.ipAddresses, IP, 'an IPv4 or IPv6 address'),
    deviceIds: stringList(`${field}.deviceIds`, v.deviceIds, ID, 'a device id'),
    emailDomains: stringList(
      `${field}.emailDomains`,
      v.emailDomains,
      DOMAIN,
      'a domain name such as example.com',
    ),
  };
}

function threshold(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1000) {
    badRules(field, `must be an integer score in 0..1000, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Validates a config object (for example parsed JSON); throws PaystreamError on the first problem. */
export function parseRulesConfig(json: unknown): FraudRulesConfig {
  if (!isRecord(json)) badRules('', 'must be an object');
  onlyKeys('', json, ['$comment', 'version', 'thresholds', 'allow', 'deny']);
  if (json.version !== RULES_VERSION) badRules('version', `must be ${RULES_VERSION}`);
  if (!isRecord(json.thresholds)) badRules('thresholds', 'must be an object {reviewAt, declineAt}');
  onlyKeys('thresholds', json.thresholds, ['reviewAt', 'declineAt']);
  const reviewAt = threshold('thresholds.reviewAt', json.thresholds.reviewAt);
  const declineAt = threshold('thresholds.declineAt', json.thresholds.declineAt);
  if (reviewAt > declineAt)
    badRules('thresholds.reviewAt', `must not exceed declineAt (${reviewAt} > ${declineAt})`);
  return {
    version: RULES_VERSION,
    thresholds: { reviewAt, declineAt },
    allow: matchLists('allow', json.allow),
    deny: matchLists('deny', json.deny),
  };
}

interface CompiledLists {
  readonly customers: ReadonlySet<string>;
  readonly cards: ReadonlySet<string>;
  /** Keys "bin|last4" with "*" for a wildcard side. */
  readonly patterns: ReadonlyMap<string, CardPattern>;
  readonly ips: ReadonlySet<string>;
  readonly devices: ReadonlySet<string>;
  readonly domains: ReadonlySet<string>;
}

function compileLists(lists: Required<MatchLists>): CompiledLists {
  return {
    customers: new Set(lists.customerIds),
    cards: new Set(lists.cardFingerprints.map((f) => f.toLowerCase())),
    patterns: new Map(lists.cardPatterns.map((p) => [`${p.bin ?? '*'}|${p.last4 ?? '*'}`, p])),
    ips: new Set(lists.ipAddresses.map((ip) => ip.toLowerCase())),
    devices: new Set(lists.deviceIds),
    domains: new Set(lists.emailDomains.map((d) => d.toLowerCase())),
  };
}

function match(kind: 'allow' | 'deny', l: CompiledLists, p: PaymentForScoring): RuleHit | undefined {
  const listed = kind === 'deny' ? 'deny list' : 'allow list';
  if (l.customers.has(p.customerId))
    return { code: `${kind}_list_customer`, description: `customer is on the ${listed}` };
  if (l.cards.size > 0 && l.cards.has(p.cardFingerprint.toLowerCase())) {
    return { code: `${kind}_list_card`, description: `card is on the ${listed}` };
  }
  if (l.patterns.size > 0) {
    const pattern =
      l.patterns.get(`${p.cardBin}|${p.cardLast4}`) ??
      l.patterns.get(`${p.cardBin}|*`) ??
      l.patterns.get(`*|${p.cardLast4}`);
    if (pattern !== undefined) {
      const note = pattern.note === undefined ? '' : ` (${pattern.note})`;
      return {
        code: `${kind}_list_card_pattern`,
        description: `card BIN/last four is on the ${listed}${note}`,
      };
    }
  }
  if (p.ipAddress !== undefined && l.ips.has(p.ipAddress.toLowerCase())) {
    return { code: `${kind}_list_ip`, description: `IP address is on the ${listed}` };
  }
  if (p.deviceId !== undefined && l.devices.has(p.deviceId)) {
    return { code: `${kind}_list_device`, description: `device is on the ${listed}` };
  }
  if (p.email !== undefined && l.domains.size > 0) {
    const domain = p.email.slice(p.email.lastIndexOf('@') + 1).toLowerCase();
    if (l.domains.has(domain))
      return { code: `${kind}_list_email_domain`, description: `email domain is on the ${listed}` };
  }
  return undefined;
}

const TEST_CARD_HIT: RuleHit = {
  code: 'simulator_fraud_test_card',
  description: 'the documented simulator fraud test card is always scored as fraud',
};

/** Validates and compiles a rules config. Accepts a parsed JSON value or a typed config. */
export function createRules(config: unknown): Rules {
  const parsed = parseRulesConfig(config);
  const allow = compileLists(matchLists('allow', parsed.allow));
  const deny = compileLists(matchLists('deny', parsed.deny));
  const { reviewAt, declineAt } = parsed.thresholds;
  return {
    config: parsed,
    thresholds: parsed.thresholds,
    denyHit(p) {
      if (p.cardBin === SIMULATOR_FRAUD_TEST_CARD.bin && p.cardLast4 === SIMULATOR_FRAUD_TEST_CARD.last4) {
        return TEST_CARD_HIT;
      }
      return match('deny', deny, p);
    },
    allowHit(p) {
      return match('allow', allow, p);
    },
    decide(score) {
      return score >= declineAt ? 'decline' : score >= reviewAt ? 'review' : 'approve';
    },
  };
}
