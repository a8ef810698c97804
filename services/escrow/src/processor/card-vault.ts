// The escrow service's view of tokenized cards: the sealed number and expiry it needs to ask
// the network for an authorization. A small projection of CardTokenized into the read store;
// the number is decrypted only in memory, at the moment of authorization.

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

export class CardVault {
  constructor(
    private readonly store: ReadStore,
    private readonly bus: EventBus,
  ) {}

  async init(): Promise<void> {
    await this.store.ensureTables([CARD_VAULT_TABLE]);
  }

  async card(tenantId: string, cardId: string): Promise<VaultCard | null> {
    const item = await this.store.get(CARD_VAULT_TABLE, { key: keyOf(tenantId, cardId) });
    return item ? (item as unknown as VaultCard) : null;
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
