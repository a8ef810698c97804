// Envelope encryption: each value is encrypted with AES-256-GCM under a data key, and the data
// key, wrapped by the key manager's master key, travels inside the sealed value. Both key
// managers produce the same format, so a sealed value names its master key and nothing else.
//
// Sealed format, version 1 (binary; `sealToString` gives it as unpadded base64url):
//
//   offset        size  field
//   0             1     version = 0x01
//   1             1     K = length of the key id in UTF-8 bytes (1..255)
//   2             K     key id (UTF-8), e.g. `local:3f2a…` or a KMS key ARN/alias
//   2+K           2     E = length of the encrypted data key, big-endian (1..1024)
//   4+K           E     encrypted data key (opaque to us: the key manager's wrapping)
//   4+K+E         12    AES-GCM IV (random per value)
//   16+K+E        N     AES-256-GCM ciphertext (N = plaintext length)
//   end-16        16    AES-GCM authentication tag
//
// The GCM associated data is the whole header (bytes 0 .. end of IV) followed by the caller's
// AAD, so changing any byte of the value, or opening it under a different AAD, fails.
//
// Cost bounds — the AWS Encryption SDK's data-key caching model (max age, max uses, max
// entries): a data key is reused for at most `dataKeyMaxUses` seals and `dataKeyMaxAgeMs`,
// then replaced (one KMS GenerateDataKey each). Unwrapped data keys are kept in an LRU of
// `decryptedKeyCacheSize` entries for at most `decryptedKeyMaxAgeMs` each (one KMS Decrypt per
// miss), so a key's plaintext does not live in memory indefinitely. With the defaults a busy
// process makes about one KMS request per data-key age, not one per value. `stats().kmsRequests`
// counts every request made to the key manager, for the cost analytics.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Clock, PaystreamError, systemClock } from '@paystream/core';
import { Lru } from './lru.js';
import { DATA_KEY_BYTES, type DataKey, type KeyManager } from './port.js';

export const SEALED_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_KEY_ID_BYTES = 255;
const MAX_ENCRYPTED_KEY_BYTES = 1024;

/** A sealed value in the binary format above. */
export type Sealed = Buffer;

export interface EnvelopeOptions {
  /** Seals per data key before a new one is generated. Default 10,000 (far below GCM's 2^32). */
  dataKeyMaxUses?: number;
  /** Age after which a data key is no longer used for sealing. Default 5 minutes. */
  dataKeyMaxAgeMs?: number;
  /** Unwrapped data keys kept for `open`. Default 1,000 entries. */
  decryptedKeyCacheSize?: number;
  /** How long an unwrapped data key is kept for `open` before KMS is asked again. Default 5 minutes. */
  decryptedKeyMaxAgeMs?: number;
  clock?: Clock;
}

export interface EnvelopeStats {
  /** Every request made to the key manager (each one billable in KMS). */
  kmsRequests: number;
  generateDataKeyRequests: number;
  decryptDataKeyRequests: number;
  sealed: number;
  opened: number;
}

interface CachedDataKey {
  readonly key: DataKey;
  readonly createdMs: number;
  uses: number;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new PaystreamError('invalid_config', `${name} must be a positive integer, got ${value}`, name);
  }
  return value;
}

interface Parsed {
  keyId: string;
  encryptedKey: Buffer;
  header: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function malformed(why: string): PaystreamError {
  return new PaystreamError('sealed_malformed', `sealed value is malformed: ${why}`, 'sealed');
}

export function parseSealed(sealed: Buffer): Parsed {
  if (sealed.length < 2) throw malformed('too short');
  if (sealed[0] !== SEALED_VERSION) {
    throw new PaystreamError(
      'sealed_unsupported_version',
      `sealed value has unknown version ${sealed[0]}`,
      'sealed',
    );
  }
  const k = sealed[1]!;
  if (k === 0) throw malformed('empty key id');
  if (sealed.length < 4 + k) throw malformed('too short');
  const keyId = sealed.subarray(2, 2 + k).toString('utf8');
  const e = sealed.readUInt16BE(2 + k);
  if (e === 0 || e > MAX_ENCRYPTED_KEY_BYTES) throw malformed('bad encrypted key length');
  const ivStart = 4 + k + e;
  const ctStart = ivStart + IV_BYTES;
  if (sealed.length < ctStart + TAG_BYTES) throw malformed('too short');
  return {
    keyId,
    encryptedKey: sealed.subarray(4 + k, ivStart),
    header: sealed.subarray(0, ctStart),
    iv: sealed.subarray(ivStart, ctStart),
    ciphertext: sealed.subarray(ctStart, sealed.length - TAG_BYTES),
    tag: sealed.subarray(sealed.length - TAG_BYTES),
  };
}

function header(keyId: string, encryptedKey: Buffer, iv: Buffer): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  if (id.length < 1 || id.length > MAX_KEY_ID_BYTES) {
    throw new PaystreamError('invalid_config', `key id must be 1..${MAX_KEY_ID_BYTES} bytes`, 'keyId');
  }
  if (encryptedKey.length < 1 || encryptedKey.length > MAX_ENCRYPTED_KEY_BYTES) {
    throw new PaystreamError(
      'key_service_unavailable',
      'the key manager returned an encrypted key of unusable size',
    );
  }
  const lens = Buffer.alloc(2);
  lens.writeUInt16BE(encryptedKey.length);
  return Buffer.concat([Buffer.from([SEALED_VERSION, id.length]), id, lens, encryptedKey, iv]);
}

function aadOf(aad: string | Uint8Array | undefined): Buffer {
  if (aad === undefined) return Buffer.alloc(0);
  return typeof aad === 'string' ? Buffer.from(aad, 'utf8') : Buffer.from(aad);
}

export class Envelope {
  readonly #keys: KeyManager;
  readonly #clock: Clock;
  readonly #maxUses: number;
  readonly #maxAgeMs: number;
  readonly #decrypted: Lru<string, { readonly key: Buffer; readonly cachedMs: number }>;
  readonly #decryptedMaxAgeMs: number;
  #current: CachedDataKey | null = null;
  #generating: Promise<void> | null = null;
  readonly #unwrapping = new Map<string, Promise<Buffer>>();
  readonly #stats: EnvelopeStats = {
    kmsRequests: 0,
    generateDataKeyRequests: 0,
    decryptDataKeyRequests: 0,
    sealed: 0,
    opened: 0,
  };

  constructor(keys: KeyManager, opts: EnvelopeOptions = {}) {
    this.#keys = keys;
    this.#clock = opts.clock ?? systemClock;
    this.#maxUses = positiveInt(opts.dataKeyMaxUses ?? 10_000, 'dataKeyMaxUses');
    this.#maxAgeMs = positiveInt(opts.dataKeyMaxAgeMs ?? 5 * 60_000, 'dataKeyMaxAgeMs');
    this.#decrypted = new Lru(positiveInt(opts.decryptedKeyCacheSize ?? 1_000, 'decryptedKeyCacheSize'));
    this.#decryptedMaxAgeMs = positiveInt(opts.decryptedKeyMaxAgeMs ?? 5 * 60_000, 'decryptedKeyMaxAgeMs');
  }

  get keyId(): string {
    return this.#keys.keyId;
  }

  stats(): EnvelopeStats {
    return { ...this.#stats };
  }

  /** A fresh 256-bit secret from the key manager (one request), e.g. for HMAC keys. */
  async newSecret(): Promise<Buffer> {
    this.#stats.kmsRequests++;
    this.#stats.generateDataKeyRequests++;
    return (await this.#keys.generateDataKey()).plaintext;
  }

  #usable(c: CachedDataKey | null): c is CachedDataKey {
    return c !== null && c.uses < this.#maxUses && this.#clock.nowMs() - c.createdMs < this.#maxAgeMs;
  }

  async #dataKeyForSeal(): Promise<DataKey> {
    // Bounded: each round either takes a use or waits for one generation, which yields
    // `maxUses` fresh uses; concurrent sealers share that one KMS request.
    for (let round = 0; round < 100; round++) {
      const c = this.#current;
      if (this.#usable(c)) {
        c.uses++;
        return c.key;
      }
      this.#generating ??= (async () => {
        try {
          this.#stats.kmsRequests++;
          this.#stats.generateDataKeyRequests++;
          const key = await this.#keys.generateDataKey();
          if (key.plaintext.length !== DATA_KEY_BYTES) {
            throw new PaystreamError(
              'key_service_unavailable',
              'the key manager returned a key of the wrong size',
            );
          }
          this.#current = { key, createdMs: this.#clock.nowMs(), uses: 0 };
          this.#remember(key.encrypted.toString('base64'), key.plaintext);
        } finally {
          this.#generating = null;
        }
      })();
      await this.#generating;
    }
    throw new PaystreamError('key_service_unavailable', 'could not obtain a data key');
  }

  #remember(cacheKey: string, key: Buffer): void {
    this.#decrypted.set(cacheKey, { key, cachedMs: this.#clock.nowMs() });
  }

  async #dataKeyForOpen(encryptedKey: Buffer): Promise<Buffer> {
    const cacheKey = encryptedKey.toString('base64');
    const hit = this.#decrypted.get(cacheKey);
    if (hit && this.#clock.nowMs() - hit.cachedMs < this.#decryptedMaxAgeMs) return hit.key;
    let pending = this.#unwrapping.get(cacheKey);
    if (!pending) {
      this.#stats.kmsRequests++;
      this.#stats.decryptDataKeyRequests++;
      pending = this.#keys.decryptDataKey(Buffer.from(encryptedKey)).then((plain) => {
        this.#remember(cacheKey, plain);
        return plain;
      });
      this.#unwrapping.set(cacheKey, pending);
      const forget = () => this.#unwrapping.delete(cacheKey);
      pending.then(forget, forget);
    }
    return await pending;
  }

  async seal(plaintext: Uint8Array, aad?: string | Uint8Array): Promise<Sealed> {
    const key = await this.#dataKeyForSeal();
    const iv = randomBytes(IV_BYTES);
    const head = header(this.#keys.keyId, key.encrypted, iv);
    const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv);
    cipher.setAAD(Buffer.concat([head, aadOf(aad)]));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    this.#stats.sealed++;
    return Buffer.concat([head, ct, cipher.getAuthTag()]);
  }

  async open(sealed: Uint8Array, aad?: string | Uint8Array): Promise<Buffer> {
    const p = parseSealed(Buffer.from(sealed));
    if (p.keyId !== this.#keys.keyId) {
      throw new PaystreamError(
        'key_mismatch',
        `value was sealed under master key ${JSON.stringify(p.keyId)}, this key manager holds ${JSON.stringify(this.#keys.keyId)}`,
        'sealed',
      );
    }
    const key = await this.#dataKeyForOpen(p.encryptedKey);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, p.iv);
      decipher.setAAD(Buffer.concat([p.header, aadOf(aad)]));
      decipher.setAuthTag(p.tag);
      const out = Buffer.concat([decipher.update(p.ciphertext), decipher.final()]);
      this.#stats.opened++;
      return out;
    } catch {
      // Never echo any part of the value: it may be the start of a card number.
      throw new PaystreamError(
        'decrypt_failed',
        'sealed value does not authenticate (altered, or wrong AAD)',
        'sealed',
      );
    }
  }

  async sealToString(plaintext: Uint8Array | string, aad?: string | Uint8Array): Promise<string> {
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    return (await this.seal(bytes, aad)).toString('base64url');
  }

  async openString(sealed: string, aad?: string | Uint8Array): Promise<Buffer> {
    if (!/^[A-Za-z0-9_-]+$/.test(sealed)) throw malformed('not base64url');
    return await this.open(Buffer.from(sealed, 'base64url'), aad);
  }
}

export function seal(keys: Envelope, plaintext: Uint8Array, aad?: string | Uint8Array): Promise<Sealed> {
  return keys.seal(plaintext, aad);
}

export function open(keys: Envelope, sealed: Uint8Array, aad?: string | Uint8Array): Promise<Buffer> {
  return keys.open(sealed, aad);
}
