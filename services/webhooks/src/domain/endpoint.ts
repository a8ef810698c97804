// A webhook endpoint: where a tenant wants which events, and the secrets that sign them.
// Validation is pure (the DNS check of the SSRF guard is an adapter, ssrf/guard.ts).

import { PaystreamError } from '@paystream/core';
import { isWebhookEventType, type WebhookEventType } from './catalog.js';

export interface StoredSecret {
  /** The key bytes sealed with the keys port (envelope encryption), base64url. */
  readonly sealed: string;
  readonly createdAtMs: number;
  /** Null for the current secret; a rotated-out secret signs until then. */
  readonly expiresAtMs: number | null;
}

export interface Endpoint {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly description: string | null;
  readonly enabled: boolean;
  /** Why it was disabled: `gone` (the receiver answered 410) or `manual` (PATCH). */
  readonly disabledReason: string | null;
  /** Newest last. */
  readonly secrets: readonly StoredSecret[];
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** `by_tenant` index sort key. */
  readonly createdKey: string;
  /** Set to 'enabled' exactly while enabled: the sparse index the dispatcher lists. */
  readonly active?: string;
}

export const MAX_URL_LENGTH = 2048;
export const MAX_DESCRIPTION_LENGTH = 500;
/** How long a rotated-out secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
/** Secrets kept at most (rotations within 24 h drop the oldest overlap). */
export const MAX_SECRETS = 3;

function invalid(code: string, message: string, field: string): PaystreamError {
  return new PaystreamError(code, message, field);
}

/** An http(s) URL without credentials or fragment; returns it normalized. */
export function validateUrl(raw: unknown): URL {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH)
    throw invalid('invalid_url', `url must be 1..${MAX_URL_LENGTH} characters`, 'url');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('invalid_url', 'url is not a valid absolute URL', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid('invalid_url', 'url must use http or https', 'url');
  if (url.username || url.password) throw invalid('invalid_url', 'url must not carry credentials', 'url');
  if (url.hash) throw invalid('invalid_url', 'url must not have a fragment', 'url');
  if (!url.hostname) throw invalid('invalid_url', 'url needs a host', 'url');
  return url;
}

export function validateEvents(raw: unknown): WebhookEventType[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw invalid('invalid_events', 'events must be a non-empty array of event types', 'events');
  const out: WebhookEventType[] = [];
  for (const [i, t] of raw.entries()) {
    if (typeof t !== 'string' || !isWebhookEventType(t))
      throw invalid('unknown_event_type', `events[${i}] is not a webhook event type`, `events.${i}`);
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

export function validateDescription(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string' || raw.length > MAX_DESCRIPTION_LENGTH)
    throw invalid(
      'invalid_description',
      `description must be at most ${MAX_DESCRIPTION_LENGTH} characters`,
      'description',
    );
  return raw;
}

const msKey = (ms: number) => String(ms).padStart(15, '0');

export function newEndpoint(input: {
  id: string;
  tenantId: string;
  url: URL;
  events: readonly WebhookEventType[];
  description: string | null;
  secret: StoredSecret;
  nowMs: number;
}): Endpoint {
  return {
    id: input.id,
    tenantId: input.tenantId,
    url: input.url.href,
    events: [...input.events],
    description: input.description,
    enabled: true,
    disabledReason: null,
    secrets: [input.secret],
    createdAtMs: input.nowMs,
    updatedAtMs: input.nowMs,
    createdKey: `${msKey(input.nowMs)}|${input.id}`,
    active: 'enabled',
  };
}

export function setEnabled(e: Endpoint, enabled: boolean, reason: string | null, nowMs: number): Endpoint {
  const { active: _a, ...rest } = e;
  return enabled
    ? { ...rest, enabled: true, disabledReason: null, updatedAtMs: nowMs, active: 'enabled' }
    : { ...rest, enabled: false, disabledReason: reason, updatedAtMs: nowMs };
}

/** The secrets that still sign at `nowMs`, newest first. */
export function activeSecrets(e: Endpoint, nowMs: number): StoredSecret[] {
  return e.secrets.filter((s) => s.expiresAtMs === null || s.expiresAtMs > nowMs).reverse();
}

/** The current secret expires in ROTATION_OVERLAP_MS; `next` becomes current. */
export function rotate(e: Endpoint, next: StoredSecret, nowMs: number): Endpoint {
  const kept = e.secrets
    .filter((s) => s.expiresAtMs === null || s.expiresAtMs > nowMs)
    .map((s) => (s.expiresAtMs === null ? { ...s, expiresAtMs: nowMs + ROTATION_OVERLAP_MS } : s));
  return { ...e, secrets: [...kept, next].slice(-MAX_SECRETS), updatedAtMs: nowMs };
}

export function wants(e: Endpoint, type: string): boolean {
  return e.enabled && (e.events as readonly string[]).includes(type);
}
