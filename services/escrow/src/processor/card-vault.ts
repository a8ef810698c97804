// The escrow service's view of tokenized cards: the sealed number and expiry it needs to ask
// the network for an authorization. A small projection of CardTokenized into the read store;
// the number is decrypted only in memory, at the moment of authorization.
//
// Lookups go through a bounded in-process cache: a vault item is written once (version 1 of
// the card's chain) and never changes, so it can be served until evicted. The cache holds the
// item as stored — the number still sealed, never decrypted into it. Only hits are kept: a miss
// may be a card whose CardTokenized this consumer has not reached yet.

import { BoundedCache, jsonSizeOf } from '@paystream/core';
import type { EventBus } from '@paystream/eventing';
import { TOPICS } from '@paystream/eventing';
import type { Subscription } from '@paystream/log';
import { defineTable, type ReadStore } from '@paystream/readstore';

export const CARD_VAULT_TABLE = defineTable({ name: 'escrow_card_vault', key: { pk: 'key' } });

export interface VaultCard {
  readonly sealedNumber: string;
  readonly expMonth: number;
  readonly expYear: number;
}

const keyOf = (tenantId: string, cardId: string) => `${tenantId}#${cardId}`;

export interface CardVaultCacheOptions {
  /** Default 50,000 cards. */
  readonly maxEntries?: number;
  /** Default 64 MiB (a vault item weighs about 0.6 KiB as counted). */
  readonly maxBytes?: number;
}

export class CardVault {
  readonly cache: BoundedCache<string, VaultCard>;

  constructor(
    private readonly store: ReadStore,
    private readonly bus: EventBus,
    cache: CardVaultCacheOptions = {},
  ) {
    this.cache = new BoundedCache<string, VaultCard>({
      maxEntries: cache.maxEntries ?? 50_000,
      maxBytes: cache.maxBytes ?? 64 * 1024 * 1024,
      sizeOf: jsonSizeOf,
    });
  }

  async init(): Promise<void> {
    await this.store.ensureTables([CARD_VAULT_TABLE]);
  }

  async card(tenantId: string, cardId: string): Promise<VaultCard | null> {
    const key = keyOf(tenantId, cardId);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const item = await this.store.get(CARD_VAULT_TABLE, { key });
    if (!item) return null;
    const card: VaultCard = {
      sealedNumber: item.sealedNumber as string,
      expMonth: item.expMonth as number,
      expYear: item.expYear as number,
    };
    this.cache.set(key, card);
    return card;
  }

  /** Keeps the vault up to date; version = aggregate version, so redelivery writes nothing new. */
  async run(): Promise<Subscription> {
    return await this.bus.consume(
      { groupId: 'paystream-escrow-vault', topics: [TOPICS.events], types: ['CardTokenized'] },
      async (records) => {
        for (const { envelope: e } of records) {
          if (e.type !== 'CardTokenized') continue;
          const p = e.payload as import('@paystream/schemas').CardTokenized;
          await this.store.putIfNewer(
            CARD_VAULT_TABLE,
            {
              key: keyOf(e.tenantId, p.cardId),
              sealedNumber: p.sealedNumber,
              expMonth: p.expMonth,
              expYear: p.expYear,
            },
            e.aggregateVersion,
          );
        }
      },
    );
  }
}
