// What an idempotency key is bound to: the operation, the resource it targets and the body, as
// a SHA-256 of canonical JSON (keys sorted at every level), so the same request written with its
// fields in another order is still the same request.

import { sha256Hex } from '@paystream/core';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function canonicalJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = canonicalJson(v);
    }
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

export function canonicalStringify(value: unknown): string {
  return JSON.stringify(canonicalJson(value));
}

/**
 * The fingerprint of one request. Callers pass a body that holds no card or account number and
 * no CVC (tokenization hashes the tenant-keyed fingerprint instead): a plain hash of a card
 * number is brute-forceable, so it would be card data at rest.
 */
export function requestHash(operation: string, resourceId: string | null, body: unknown): string {
  return sha256Hex(canonicalStringify({ operation, resourceId, body: body ?? null }));
}
