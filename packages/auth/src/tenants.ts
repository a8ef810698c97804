// Tenants and their API keys. A key is 32 random bytes shown once; only its SHA-256 is stored
// (a high-entropy secret needs no slow hash), with the tenant and the scopes it grants.

import { createHash, randomBytes } from 'node:crypto';
import { PaystreamError } from '@paystream/core';
import { defineTable, type ReadStore } from '@paystream/readstore';

/**
 * `read`, `write` and `admin` act within the key's own tenant (`admin` implies the other two).
 * `operator` is the platform's: every tenant's ACH windows, the whole audit log, platform
 * metrics. It is never implied by `admin`, so a tenant's admin key stays inside its tenant.
 */
export const SCOPES = ['read', 'write', 'admin', 'operator'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Tenant {
  readonly id: string;
  readonly name: string;
  /** Default platform fee in basis points (800 = 8%). */
  readonly platformFeeBps: number;
  readonly minAmountMinor: number;
  readonly maxAmountMinor: number;
}

export interface ApiKeyRecord {
  readonly keyHash: string;
  readonly tenantId: string;
  readonly scopes: readonly Scope[];
  readonly label: string;
}

export const DEFAULT_TENANT: Tenant = {
  id: 'default',
  name: 'Default marketplace',
  platformFeeBps: 800,
  minAmountMinor: 100,
  maxAmountMinor: 500_000,
};

export const TENANTS_TABLE = defineTable({ name: 'tenants', key: { pk: 'id' } });
export const API_KEYS_TABLE = defineTable({
  name: 'api_keys',
  key: { pk: 'keyHash' },
  indexes: [{ name: 'by_tenant', pk: 'tenantId' }],
});
export const AUTH_TABLES = [TENANTS_TABLE, API_KEYS_TABLE];

const KEY_PREFIX = 'psk_';

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** How long a found key stays cached: every request authenticates, most with the same keys. */
export const KEY_CACHE_TTL_MS = 1_000;
const KEY_CACHE_MAX = 10_000;

export interface KeyLookup {
  readonly tenant: Tenant;
  readonly scopes: readonly Scope[];
  readonly keyHash: string;
}

export class TenantDirectory {
  /** keyHash → a found key and its tenant; only hits are cached, so a new key works at once. */
  readonly #keys = new Map<string, { found: KeyLookup; expiresMs: number }>();

  constructor(private readonly store: ReadStore) {}

  async init(): Promise<void> {
    await this.store.ensureTables(AUTH_TABLES);
  }

  async tenant(id: string): Promise<Tenant | null> {
    const item = await this.store.get(TENANTS_TABLE, { id });
    return item ? (item as unknown as Tenant) : null;
  }

  async putTenant(t: Tenant): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(t.id))
      throw new PaystreamError('invalid_tenant', 'tenant id must be 1–64 of [A-Za-z0-9_-]', 'id');
    await this.store.putIfNewer(TENANTS_TABLE, { ...t }, Date.now());
  }

  /** Registers `key` for the tenant; returns false if that key is already registered. */
  async addKey(tenantId: string, key: string, scopes: readonly Scope[], label: string): Promise<boolean> {
    const keyHash = hashApiKey(key);
    const existing = await this.store.get(API_KEYS_TABLE, { keyHash });
    if (existing) return false;
    await this.store.putIfNewer(API_KEYS_TABLE, { keyHash, tenantId, scopes: [...scopes], label }, 1);
    return true;
  }

  async lookup(key: string): Promise<KeyLookup | null> {
    const keyHash = hashApiKey(key);
    const now = Date.now();
    const cached = this.#keys.get(keyHash);
    if (cached && cached.expiresMs > now) return cached.found;
    const record = await this.store.get(API_KEYS_TABLE, { keyHash });
    if (!record) return null;
    const r = record as unknown as ApiKeyRecord;
    const tenant = await this.tenant(r.tenantId);
    if (!tenant) return null;
    const found = { tenant, scopes: r.scopes, keyHash };
    if (this.#keys.size >= KEY_CACHE_MAX) this.#keys.clear();
    this.#keys.set(keyHash, { found, expiresMs: now + KEY_CACHE_TTL_MS });
    return found;
  }
}
