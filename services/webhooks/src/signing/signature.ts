// Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
// `${webhook-id}.${webhook-timestamp}.${body}` keyed by the base64-decoded part of the secret
// after `whsec_`, sent as `webhook-signature: v1,<base64>`, one per active secret, space-separated
// (during a rotation the old and the new secret both sign, and receivers accept either).

import { createHmac, randomBytes } from 'node:crypto';
import { PaystreamError } from '@paystream/core';

export const SECRET_PREFIX = 'whsec_';
/** 24 bytes (192 bits), the size Svix and the spec's examples use. */
export const SECRET_BYTES = 24;

/** A new secret's key bytes. Shown once to the caller as `formatSecret(bytes)`. */
export function newSecretBytes(): Buffer {
  return randomBytes(SECRET_BYTES);
}

export function formatSecret(key: Uint8Array): string {
  return `${SECRET_PREFIX}${Buffer.from(key).toString('base64')}`;
}

export function parseSecret(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX))
    throw new PaystreamError('invalid_secret', `a webhook secret starts with ${SECRET_PREFIX}`, 'secret');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length < 16)
    throw new PaystreamError('invalid_secret', 'the webhook secret is too short', 'secret');
  return key;
}

export function signatureOf(key: Uint8Array, id: string, timestampSec: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

export interface SignedHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** The three headers of one attempt; `keys` are the endpoint's active secrets, newest first. */
export function signedHeaders(
  keys: readonly Uint8Array[],
  id: string,
  timestampSec: number,
  body: string,
): SignedHeaders {
  if (keys.length === 0) throw new Error('an endpoint without an active secret cannot sign');
  if (!Number.isSafeInteger(timestampSec)) throw new RangeError('timestamp must be whole seconds');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': keys.map((k) => signatureOf(k, id, timestampSec, body)).join(' '),
  };
}
