// Fingerprints let Paystream recognise the same card or bank account again (velocity features,
// duplicate detection) without storing the number. HMAC-SHA256 with a per-tenant key: without
// the key a fingerprint cannot be brute-forced back over the small space of card numbers, and
// fingerprints from two tenants cannot be joined.
//
// Each tenant's key is a fresh 256-bit secret from the key manager, stored sealed (envelope
// format, AAD bound to the tenant) so it survives restarts. First use creates it with a
// put-if-absent; a racing process that loses reads the winner's key, so all agree.

import { createHmac } from 'node:crypto';
import { PaystreamError } from '@paystream/core';
import type { Envelope } from './envelope.js';
import { Lru } from './lru.js';

/** Where sealed tenant keys live; ObjectStore from @paystream/objects satisfies it. */
export interface SecretStore {
  get(name: string): Promise<Buffer | null>;
  /** Writes only if nothing is stored under `name`; returns whether it wrote. */
  putIfAbsent(name: string, bytes: Buffer): Promise<boolean>;
}

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function aadFor(tenantId: string): string {
  return `paystream:fingerprint-key:v1:${tenantId}`;
}

function digitsOnly(value: string, field: string, min: number, max: number): string {
  const digits = value.replace(/[\s-]/g, '');
  // The message names the field and the rule, never the value.
  if (!/^[0-9]+$/.test(digits) || digits.length < min || digits.length > max) {
    throw new PaystreamError('invalid_number', `${field} must be ${min}–${max} digits`, field);
  }
  return digits;
}

export interface FingerprinterOptions {
  /** Name prefix in the secret store. Default `fingerprint-keys/`. */
  prefix?: string;
  /** Tenant keys kept in memory. Default 10,000. */
  cacheSize?: number;
}

export class Fingerprinter {
  readonly #envelope: Envelope;
  readonly #store: SecretStore;
  readonly #prefix: string;
  readonly #keys: Lru<string, Buffer>;
  readonly #loading = new Map<string, Promise<Buffer>>();

  constructor(envelope: Envelope, store: SecretStore, opts: FingerprinterOptions = {}) {
    this.#envelope = envelope;
    this.#store = store;
    this.#prefix = opts.prefix ?? 'fingerprint-keys/';
    this.#keys = new Lru(opts.cacheSize ?? 10_000);
  }

  async #tenantKey(tenantId: string): Promise<Buffer> {
    if (!TENANT_ID.test(tenantId)) {
      throw new PaystreamError('invalid_tenant', 'tenant id must be 1–64 of [A-Za-z0-9_-]', 'tenantId');
    }
    const cached = this.#keys.get(tenantId);
    if (cached) return cached;
    let pending = this.#loading.get(tenantId);
    if (!pending) {
      pending = this.#loadOrCreate(tenantId);
      this.#loading.set(tenantId, pending);
      const forget = () => this.#loading.delete(tenantId);
      pending.then(forget, forget);
    }
    return await pending;
  }

  async #loadOrCreate(tenantId: string): Promise<Buffer> {
    const name = `${this.#prefix}${tenantId}.v1.sealed`;
    let stored = await this.#store.get(name);
    if (!stored) {
      const fresh = await this.#envelope.newSecret();
      const sealed = await this.#envelope.seal(fresh, aadFor(tenantId));
      await this.#store.putIfAbsent(name, sealed);
      // Whether we won or lost the race, the stored key is the one everybody uses.
      stored = await this.#store.get(name);
      if (!stored)
        throw new PaystreamError('fingerprint_key_unavailable', `could not store the key for ${tenantId}`);
    }
    const key = await this.#envelope.open(stored, aadFor(tenantId));
    this.#keys.set(tenantId, key);
    return key;
  }

  async #hmac(tenantId: string, message: string): Promise<string> {
    const key = await this.#tenantKey(tenantId);
    // 128 bits is ample against collisions among one tenant's cards and keeps ids readable.
    return `fp_${createHmac('sha256', key).update(message, 'utf8').digest('hex').slice(0, 32)}`;
  }

  /** Fingerprint of a card number (PAN); spaces and dashes are ignored. */
  async card(tenantId: string, number: string): Promise<string> {
    return await this.#hmac(tenantId, `card:${digitsOnly(number, 'number', 12, 19)}`);
  }

  /** Fingerprint of a bank account: the same account number at another bank is another account. */
  async bankAccount(tenantId: string, routingNumber: string, accountNumber: string): Promise<string> {
    const routing = digitsOnly(routingNumber, 'routingNumber', 9, 9);
    const account = digitsOnly(accountNumber, 'accountNumber', 4, 17);
    return await this.#hmac(tenantId, `bank_account:${routing}:${account}`);
  }
}
