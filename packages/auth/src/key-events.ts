// The key-event trail: who did what with which key, when — never the secret. Changes (tenant
// created, key created, revoked, replaced, reactivated) are recorded as they happen. Uses are
// recorded at most once per key, client and outcome per USE_RECORD_INTERVAL_MS, with the count
// of uses since the last record: every request authenticates, and a write per request would
// double the store traffic for nothing an auditor needs.

import { randomBytes } from 'node:crypto';
import type { Clock } from '@paystream/core';
import { defineTable, type Item, type JsonValue, type ReadStore } from '@paystream/readstore';

export type KeyEventAction =
  | 'tenant_created'
  | 'created'
  | 'revoked'
  | 'replaced'
  | 'reactivated'
  | 'used'
  | 'refused_revoked'
  | 'refused_expired';

export interface KeyEvent {
  readonly tenantId: string;
  readonly at: string;
  readonly atMs: number;
  readonly action: KeyEventAction;
  readonly keyId: string | null;
  /** Who: `key:<id>` for an API key, `cli:<user>` for the CLI, `bootstrap`, or the client address for uses. */
  readonly actor: string;
  readonly detail?: JsonValue;
}

export const API_KEY_EVENTS_TABLE = defineTable({
  name: 'api_key_events',
  key: { pk: 'tenantId', sk: 'at' },
});
export const USE_RECORD_INTERVAL_MS = 60_000;
/** Bound on the (key, client, outcome) use counters held between records. */
const MAX_USE_COUNTERS = 10_000;

export class KeyEvents {
  static readonly tables = [API_KEY_EVENTS_TABLE];
  readonly #uses = new Map<string, { sinceMs: number; count: number }>();

  constructor(
    private readonly store: ReadStore,
    private readonly clock: Clock,
  ) {}

  async record(e: {
    tenantId: string;
    action: KeyEventAction;
    keyId: string | null;
    actor: string;
    detail?: JsonValue;
  }): Promise<void> {
    const atMs = this.clock.nowMs();
    // Sortable by time; the random tail keeps two events of one millisecond apart.
    const at = `${String(atMs).padStart(15, '0')}-${randomBytes(4).toString('hex')}`;
    const item: Item = {
      tenantId: e.tenantId,
      at,
      atMs,
      action: e.action,
      keyId: e.keyId,
      actor: e.actor,
      ...(e.detail === undefined ? {} : { detail: e.detail }),
    };
    await this.store.putIfNewer(API_KEY_EVENTS_TABLE, item, 1);
  }

  /** Counts a use; writes a record when this (key, client, outcome) has none in the last interval. */
  noteUse(
    tenantId: string,
    keyId: string,
    client: string,
    action: 'used' | 'refused_revoked' | 'refused_expired',
  ): void {
    const k = `${keyId}\u001f${client}\u001f${action}`;
    const now = this.clock.nowMs();
    const u = this.#uses.get(k);
    if (u && now - u.sinceMs < USE_RECORD_INTERVAL_MS) {
      u.count += 1;
      return;
    }
    const count = (u?.count ?? 0) + 1;
    this.#uses.delete(k);
    if (this.#uses.size >= MAX_USE_COUNTERS) {
      const oldest = this.#uses.keys().next().value;
      if (oldest !== undefined) this.#uses.delete(oldest);
    }
    this.#uses.set(k, { sinceMs: now, count: 0 });
    // Not awaited: a use is never refused because its record could not be written.
    void this.record({ tenantId, action, keyId, actor: client, detail: { uses: count } }).catch(() => {});
  }

  /** The tenant's key events, newest first. */
  async list(
    tenantId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: KeyEvent[]; nextCursor: string | null }> {
    const page = await this.store.query(API_KEY_EVENTS_TABLE, {
      pk: tenantId,
      limit,
      descending: true,
      ...(cursor ? { cursor } : {}),
    });
    return { items: page.items as unknown as KeyEvent[], nextCursor: page.nextCursor ?? null };
  }
}
