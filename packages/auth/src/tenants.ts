// Tenants and their API keys. A key is 32 random bytes shown once; only its SHA-256 is stored
// (a high-entropy secret needs no slow hash), with the tenant, the scopes it grants, who made
// it, when it expires and whether it was revoked. Its public id is the hash's first 16 hex
// digits: that id, never the secret, is what listings, logs and the key-event trail name.

import { createHash, randomBytes } from 'node:crypto';
import { type Clock, PaystreamError, systemClock } from '@paystream/core';
import { defineTable, type Item, type ReadStore } from '@paystream/readstore';
import { DEFAULT_CACHE_MAX_ENTRIES, TtlCache } from './cache.js';
import { type KeyEventAction, KeyEvents } from './key-events.js';
import { DEFAULT_THROTTLE, FailureThrottle, type ThrottleOptions } from './throttle.js';

/**
 * `read`, `write` and `admin` act within the key's own tenant (`admin` implies the other two).
 * `operator` is the platform's: every tenant's ACH windows, the whole audit log, platform
 * metrics, tenants and keys of any tenant. It is never implied by `admin`, so a tenant's admin
 * key stays inside its tenant.
 */
export const SCOPES = ['read', 'write', 'admin', 'operator'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Tenant {
  readonly id: string;
  readonly name: string;
  /** Default platform fee in basis points (800 = 8%). */
  readonly platformFeeBps: number;
  /** Limits in the minor units of any currency without its own entry in `amountLimits`. */
  readonly minAmountMinor: number;
  readonly maxAmountMinor: number;
  /** Per-currency limits, in that currency's minor units (¥ has none, so 100 means ¥100). */
  readonly amountLimits?: Readonly<
    Record<string, { readonly minAmountMinor: number; readonly maxAmountMinor: number }>
  >;
}

/** The payment amount limits of `tenant` for `currency`, in its minor units. */
export function amountLimitsFor(
  tenant: Tenant,
  currency: string,
): { minAmountMinor: number; maxAmountMinor: number } {
  const own = tenant.amountLimits?.[currency];
  return own ?? { minAmountMinor: tenant.minAmountMinor, maxAmountMinor: tenant.maxAmountMinor };
}

export interface ApiKeyRecord {
  readonly keyHash: string;
  readonly tenantId: string;
  readonly scopes: readonly Scope[];
  readonly label: string;
  /** Absent on keys stored before key lifecycles existed. */
  readonly createdAtMs?: number;
  readonly createdBy?: string;
  readonly expiresAtMs?: number | null;
  readonly revokedAtMs?: number | null;
  readonly revokedBy?: string | null;
  /** The key PAYSTREAM_API_KEY (or the generated key file) made; replaced when that changes. */
  readonly bootstrap?: boolean;
  readonly revision?: number;
}

/** What listings show of a key: never the secret, never the full hash. */
export interface ApiKeyView {
  readonly id: string;
  readonly tenantId: string;
  readonly scopes: readonly Scope[];
  readonly label: string;
  readonly createdAt: string | null;
  readonly createdBy: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly status: 'active' | 'expired' | 'revoked';
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

/** Every table the directory keeps (the CDK stack creates them from this list). */
export const AUTH_TABLES = [TENANTS_TABLE, API_KEYS_TABLE, ...KeyEvents.tables];

const KEY_PREFIX = 'psk_';
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
/** Bound on the keys one tenant may hold (listing and revoking by id read them all). */
export const MAX_KEYS_PER_TENANT = 1_000;
/** Bound on tenants listed. */
export const MAX_TENANTS = 100_000;

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export const keyIdOf = (keyHash: string): string => keyHash.slice(0, 16);

export interface KeyLookup {
  readonly tenant: Tenant;
  readonly scopes: readonly Scope[];
  readonly keyHash: string;
}

export interface DirectoryOptions {
  readonly clock?: Clock;
  /** How long a lookup, found or not, is cached (see cache.ts); ≤ 60 s in configuration. */
  readonly cacheTtlMs?: number;
  readonly cacheMaxEntries?: number;
  /** Failed-authentication throttle per client (see throttle.ts). */
  readonly throttle?: ThrottleOptions;
}

export const DEFAULT_KEY_CACHE_TTL_MS = 10_000;

/** Directory options from the runtime configuration (PAYSTREAM_AUTH_*). */
export function directoryOptions(config: {
  authCacheTtlMs: number;
  authFailureLimit: number;
}): DirectoryOptions {
  return {
    cacheTtlMs: config.authCacheTtlMs,
    throttle: { ...DEFAULT_THROTTLE, maxFailures: config.authFailureLimit },
  };
}

export function validateScopes(raw: readonly string[]): Scope[] {
  if (raw.length === 0) throw new PaystreamError('invalid_scopes', 'give at least one scope', 'scopes');
  const out: Scope[] = [];
  for (const s of raw) {
    if (!(SCOPES as readonly string[]).includes(s))
      throw new PaystreamError(
        'invalid_scopes',
        `unknown scope "${s}"; one of ${SCOPES.join(', ')}`,
        'scopes',
      );
    if (!out.includes(s as Scope)) out.push(s as Scope);
  }
  return out;
}

function viewOf(r: ApiKeyRecord, nowMs: number): ApiKeyView {
  const iso = (ms: number | null | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : null);
  return {
    id: keyIdOf(r.keyHash),
    tenantId: r.tenantId,
    scopes: r.scopes,
    label: r.label,
    createdAt: iso(r.createdAtMs),
    createdBy: r.createdBy ?? null,
    expiresAt: iso(r.expiresAtMs),
    revokedAt: iso(r.revokedAtMs),
    revokedBy: r.revokedBy ?? null,
    status: statusOf(r, nowMs),
  };
}

function statusOf(r: ApiKeyRecord, nowMs: number): ApiKeyView['status'] {
  if (typeof r.revokedAtMs === 'number') return 'revoked';
  if (typeof r.expiresAtMs === 'number' && r.expiresAtMs <= nowMs) return 'expired';
  return 'active';
}

type Cached = { readonly record: ApiKeyRecord; readonly tenant: Tenant } | null;

export class TenantDirectory {
  readonly clock: Clock;
  readonly events: KeyEvents;
  readonly throttle: FailureThrottle;
  readonly #cache: TtlCache<Cached>;

  constructor(
    private readonly store: ReadStore,
    options: DirectoryOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.#cache = new TtlCache<Cached>(
      this.clock,
      options.cacheTtlMs ?? DEFAULT_KEY_CACHE_TTL_MS,
      options.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
    );
    this.events = new KeyEvents(store, this.clock);
    this.throttle = new FailureThrottle(this.clock, options.throttle ?? DEFAULT_THROTTLE);
    let peers = TenantDirectory.#peers.get(store);
    if (!peers) {
      peers = new Set();
      TenantDirectory.#peers.set(store, peers);
    }
    peers.add(new WeakRef(this));
  }

  /** Directories on one store in this process (each service has its own): a change drops the key from all. */
  static readonly #peers = new WeakMap<ReadStore, Set<WeakRef<TenantDirectory>>>();

  #forget(keyHash: string): void {
    const peers = TenantDirectory.#peers.get(this.store);
    for (const ref of peers ?? []) {
      const d = ref.deref();
      if (d) d.#cache.delete(keyHash);
      else peers?.delete(ref);
    }
  }

  get cacheTtlMs(): number {
    return this.#cache.ttlMs;
  }

  async init(): Promise<void> {
    await this.store.ensureTables(AUTH_TABLES);
  }

  async tenant(id: string): Promise<Tenant | null> {
    const item = await this.store.get(TENANTS_TABLE, { id });
    return item ? (item as unknown as Tenant) : null;
  }

  async putTenant(t: Tenant): Promise<void> {
    if (!TENANT_ID.test(t.id))
      throw new PaystreamError('invalid_tenant', 'tenant id must be 1–64 of [A-Za-z0-9_-]', 'id');
    await this.store.putIfNewer(TENANTS_TABLE, { ...t }, Date.now());
  }

  /** A new tenant; refuses an id already taken. */
  async createTenant(input: Partial<Tenant> & { id: string }, actor: string): Promise<Tenant> {
    if (!TENANT_ID.test(input.id))
      throw new PaystreamError('invalid_tenant', 'tenant id must be 1–64 of [A-Za-z0-9_-]', 'id');
    if (await this.tenant(input.id))
      throw new PaystreamError('tenant_exists', `tenant ${input.id} already exists`, 'id');
    const t: Tenant = {
      id: input.id,
      name: input.name ?? input.id,
      platformFeeBps: input.platformFeeBps ?? DEFAULT_TENANT.platformFeeBps,
      minAmountMinor: input.minAmountMinor ?? DEFAULT_TENANT.minAmountMinor,
      maxAmountMinor: input.maxAmountMinor ?? DEFAULT_TENANT.maxAmountMinor,
      ...(input.amountLimits ? { amountLimits: input.amountLimits } : {}),
    };
    for (const [currency, l] of Object.entries(t.amountLimits ?? {})) {
      if (
        !/^[A-Z]{3}$/.test(currency) ||
        !Number.isSafeInteger(l.minAmountMinor) ||
        !Number.isSafeInteger(l.maxAmountMinor) ||
        l.minAmountMinor < 1 ||
        l.maxAmountMinor < l.minAmountMinor
      )
        throw new PaystreamError(
          'invalid_tenant',
          `amount limits for ${currency}: need an ISO 4217 code and 1 ≤ min ≤ max (integers)`,
          'amountLimits',
        );
    }
    if (
      !Number.isSafeInteger(t.platformFeeBps) ||
      t.platformFeeBps < 0 ||
      t.platformFeeBps > 10_000 ||
      !Number.isSafeInteger(t.minAmountMinor) ||
      !Number.isSafeInteger(t.maxAmountMinor) ||
      t.minAmountMinor < 1 ||
      t.maxAmountMinor < t.minAmountMinor
    ) {
      throw new PaystreamError(
        'invalid_tenant',
        'fee must be 0..10000 bps and 1 ≤ minAmountMinor ≤ maxAmountMinor (integers)',
      );
    }
    await this.store.putIfNewer(TENANTS_TABLE, { ...t }, 1);
    await this.events.record({ tenantId: t.id, action: 'tenant_created', keyId: null, actor });
    return t;
  }

  async listTenants(): Promise<Tenant[]> {
    const all = await this.store.scan(TENANTS_TABLE, MAX_TENANTS);
    return all.map((v) => v.item as unknown as Tenant).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Registers `key` for the tenant; returns false if that key is already registered. */
  async addKey(
    tenantId: string,
    key: string,
    scopes: readonly Scope[],
    label: string,
    options: { actor?: string; expiresAtMs?: number | null; bootstrap?: boolean } = {},
  ): Promise<boolean> {
    const keyHash = hashApiKey(key);
    const existing = await this.store.get(API_KEYS_TABLE, { keyHash });
    if (existing) return false;
    const record: ApiKeyRecord = {
      keyHash,
      tenantId,
      scopes: [...scopes],
      label,
      createdAtMs: this.clock.nowMs(),
      createdBy: options.actor ?? 'system',
      expiresAtMs: options.expiresAtMs ?? null,
      revokedAtMs: null,
      revokedBy: null,
      revision: 1,
      ...(options.bootstrap ? { bootstrap: true } : {}),
    };
    await this.store.putIfNewer(API_KEYS_TABLE, record as unknown as Item, 1);
    this.#forget(keyHash);
    await this.events.record({
      tenantId,
      action: 'created',
      keyId: keyIdOf(keyHash),
      actor: options.actor ?? 'system',
      detail: { scopes: [...scopes], label, expiresAtMs: options.expiresAtMs ?? null },
    });
    return true;
  }

  /** A new key for a tenant that exists; the secret is returned once and never stored. */
  async createKey(input: {
    tenantId: string;
    scopes: readonly string[];
    label?: string;
    expiresAtMs?: number | null;
    actor: string;
  }): Promise<{ key: string; view: ApiKeyView }> {
    const scopes = validateScopes(input.scopes);
    if (!(await this.tenant(input.tenantId)))
      throw new PaystreamError('tenant_not_found', `no tenant ${input.tenantId}`, 'tenantId');
    const label = input.label ?? '';
    if (label.length > 100 || !/^[\x20-\x7e]*$/.test(label))
      throw new PaystreamError(
        'invalid_label',
        'label must be at most 100 printable ASCII characters',
        'label',
      );
    const now = this.clock.nowMs();
    if (input.expiresAtMs != null && (!Number.isSafeInteger(input.expiresAtMs) || input.expiresAtMs <= now))
      throw new PaystreamError('invalid_expiry', 'the expiry must be a time in the future', 'expiresAt');
    if ((await this.#records(input.tenantId)).length >= MAX_KEYS_PER_TENANT)
      throw new PaystreamError('too_many_keys', `a tenant holds at most ${MAX_KEYS_PER_TENANT} keys`);
    const key = generateApiKey();
    await this.addKey(input.tenantId, key, scopes, label, {
      actor: input.actor,
      expiresAtMs: input.expiresAtMs ?? null,
    });
    const record = (await this.store.get(API_KEYS_TABLE, {
      keyHash: hashApiKey(key),
    })) as unknown as ApiKeyRecord;
    return { key, view: viewOf(record, now) };
  }

  async #records(tenantId: string): Promise<ApiKeyRecord[]> {
    const out: ApiKeyRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.query(API_KEYS_TABLE, {
        index: 'by_tenant',
        pk: tenantId,
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      out.push(...(page.items as unknown as ApiKeyRecord[]));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && out.length < MAX_KEYS_PER_TENANT * 2);
    return out;
  }

  async listKeys(tenantId: string): Promise<ApiKeyView[]> {
    const now = this.clock.nowMs();
    return (await this.#records(tenantId))
      .map((r) => viewOf(r, now))
      .sort((a, b) => ((a.createdAt ?? '') < (b.createdAt ?? '') ? -1 : a.id < b.id ? -1 : 1));
  }

  /** Revokes the key `keyId` of `tenantId` (null: any tenant, for the platform). */
  async revokeKey(tenantId: string | null, keyId: string, actor: string): Promise<ApiKeyView | null> {
    if (!KEY_ID.test(keyId)) throw new PaystreamError('invalid_key_id', 'a key id is 16 hex digits', 'id');
    const tenants = tenantId === null ? (await this.listTenants()).map((t) => t.id) : [tenantId];
    for (const t of tenants) {
      const r = (await this.#records(t)).find((x) => keyIdOf(x.keyHash) === keyId);
      if (r) return await this.#revoke(r, actor, 'revoked');
    }
    return null;
  }

  async #revoke(r: ApiKeyRecord, actor: string, action: KeyEventAction): Promise<ApiKeyView> {
    const now = this.clock.nowMs();
    if (typeof r.revokedAtMs === 'number') return viewOf(r, now);
    const revision = (r.revision ?? 1) + 1;
    const next: ApiKeyRecord = { ...r, revokedAtMs: now, revokedBy: actor, revision };
    await this.store.putIfNewer(API_KEYS_TABLE, next as unknown as Item, revision);
    this.#forget(r.keyHash);
    await this.events.record({ tenantId: r.tenantId, action, keyId: keyIdOf(r.keyHash), actor });
    return viewOf(next, now);
  }

  /**
   * Makes `key` the tenant's one bootstrap key: earlier bootstrap keys (an old PAYSTREAM_API_KEY)
   * are revoked, so changing the variable replaces the key rather than adding one.
   */
  async replaceBootstrapKey(tenantId: string, key: string, scopes: readonly Scope[]): Promise<void> {
    const keyHash = hashApiKey(key);
    for (const r of await this.#records(tenantId)) {
      const isBootstrap = r.bootstrap === true || r.label === 'bootstrap';
      if (isBootstrap && r.keyHash !== keyHash && typeof r.revokedAtMs !== 'number') {
        await this.#revoke(r, 'bootstrap', 'replaced');
      }
    }
    const existing = (await this.store.get(API_KEYS_TABLE, { keyHash })) as unknown as ApiKeyRecord | null;
    if (!existing) {
      await this.addKey(tenantId, key, scopes, 'bootstrap', { actor: 'bootstrap', bootstrap: true });
      return;
    }
    const wanted = existing.tenantId === tenantId && typeof existing.revokedAtMs !== 'number';
    const sameScopes = scopes.every((s) => existing.scopes.includes(s));
    if (wanted && sameScopes && existing.bootstrap) return;
    if (existing.tenantId !== tenantId)
      throw new PaystreamError('invalid_config', 'PAYSTREAM_API_KEY is already a key of another tenant');
    // Configured again after a revocation, or stored before scopes/bootstrap flags existed: the
    // operator chose this key explicitly, so it is (re)activated with the bootstrap scopes.
    const revision = (existing.revision ?? 1) + 1;
    await this.store.putIfNewer(
      API_KEYS_TABLE,
      {
        ...existing,
        scopes: [...scopes],
        bootstrap: true,
        revokedAtMs: null,
        revokedBy: null,
        revision,
      } as unknown as Item,
      revision,
    );
    this.#forget(keyHash);
    await this.events.record({
      tenantId,
      action: 'reactivated',
      keyId: keyIdOf(keyHash),
      actor: 'bootstrap',
    });
  }

  /**
   * What the cache alone says of `key`: its lookup when cached and active, null when cached as
   * refused, undefined when not cached. A throttled client gets only this (no store round trip).
   */
  cachedLookup(key: string): KeyLookup | null | undefined {
    const keyHash = hashApiKey(key);
    const cached = this.#cache.get(keyHash);
    if (cached === undefined) return undefined;
    if (cached === null || statusOf(cached.record, this.clock.nowMs()) !== 'active') return null;
    return { tenant: cached.tenant, scopes: cached.record.scopes, keyHash };
  }

  /** The key's tenant and scopes, or null for an unknown, revoked or expired key. */
  async lookup(key: string, client = 'unknown'): Promise<KeyLookup | null> {
    const keyHash = hashApiKey(key);
    let cached = this.#cache.get(keyHash);
    if (cached === undefined) {
      const record = (await this.store.get(API_KEYS_TABLE, { keyHash })) as unknown as ApiKeyRecord | null;
      const tenant = record ? await this.tenant(record.tenantId) : null;
      cached = record && tenant ? { record, tenant } : null;
      this.#cache.set(keyHash, cached);
    }
    if (cached === null) return null;
    const { record, tenant } = cached;
    const status = statusOf(record, this.clock.nowMs());
    const keyId = keyIdOf(keyHash);
    if (status !== 'active') {
      this.events.noteUse(tenant.id, keyId, client, `refused_${status}`);
      return null;
    }
    this.events.noteUse(tenant.id, keyId, client, 'used');
    return { tenant, scopes: record.scopes, keyHash };
  }
}
