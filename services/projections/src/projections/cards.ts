// cards: one item per tokenized card (aggregate rule). The sealed number never reaches a read
// model: only brand, BIN, last four, expiry and the keyed fingerprint.

import { CARDS } from '../tables.js';
import { isType, type ProjectedEvent, type Work } from '../work.js';
import type { Projection } from './projection.js';

export const cardsProjection: Projection = {
  name: 'cards',
  types: ['CardTokenized'],
  tables: [CARDS],
  async apply({ envelope: e }: ProjectedEvent, work: Work): Promise<void> {
    if (!isType(e, 'CardTokenized')) return;
    const d = e.payload;
    const current = await work.get(CARDS, { id: d.cardId });
    if (current !== null && e.aggregateVersion <= (current.v as number)) return;
    work.put(CARDS, {
      id: d.cardId,
      tenantId: e.tenantId,
      v: e.aggregateVersion,
      customerId: d.customerId,
      brand: d.brand,
      bin: d.bin,
      last4: d.last4,
      expMonth: d.expMonth,
      expYear: d.expYear,
      fingerprint: d.fingerprint,
      createdAtMs: e.occurredAtMs,
    });
  },
};
