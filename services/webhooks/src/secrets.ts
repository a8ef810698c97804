// Endpoint secrets at rest: the key bytes sealed with the keys port (a data key from the local
// master key or KMS, AES-256-GCM), bound by AAD to the tenant and the endpoint, so a sealed
// secret copied onto another endpoint does not open. The plaintext `whsec_…` is returned once,
// by the call that creates it. Opened keys are cached per endpoint version (bounded).

import type { Envelope } from '@paystream/keys';
import type { Endpoint, StoredSecret } from './domain/endpoint.js';

export const webhookSecretAad = (tenantId: string, endpointId: string): string =>
  `paystream:webhook-secret:v1:${tenantId}:${endpointId}`;

export const MAX_CACHED_ENDPOINTS = 1_000;

export class SecretBox {
  readonly #cache = new Map<string, Buffer[]>();

  constructor(private readonly envelope: Envelope) {}

  async seal(tenantId: string, endpointId: string, key: Uint8Array, nowMs: number): Promise<StoredSecret> {
    const sealed = await this.envelope.seal(key, webhookSecretAad(tenantId, endpointId));
    return { sealed: sealed.toString('base64url'), createdAtMs: nowMs, expiresAtMs: null };
  }

  /** The key bytes of `secrets` (an endpoint's active ones), opened once per endpoint version. */
  async open(e: Endpoint, v: number, secrets: readonly StoredSecret[]): Promise<Buffer[]> {
    const cacheKey = `${e.id}|${v}|${secrets.map((s) => s.createdAtMs).join(',')}`;
    const hit = this.#cache.get(cacheKey);
    if (hit) return hit;
    const keys = await Promise.all(
      secrets.map((s) =>
        this.envelope.open(Buffer.from(s.sealed, 'base64url'), webhookSecretAad(e.tenantId, e.id)),
      ),
    );
    if (this.#cache.size >= MAX_CACHED_ENDPOINTS) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(cacheKey, keys);
    return keys;
  }
}
