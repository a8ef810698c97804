// cards: one item per tokenized card (aggregate rule). The sealed number never reaches a read
// model: only brand, BIN, last four, expiry and the keyed fingerprint.

import type { Item } from '@paystream/readstore';
import type { Envelope } from '@paystream/schemas';
import { CARDS } from '../tables.js';
import { isType, type Maybe, type ProjectedEvent, type Work } from '../work.js';
import type { Projection } from './projection.js';

export const cardsProjection: Projection = {
  name: 'cards',
  types: ['CardTokenized'],
  tables: [CARDS],
  apply({ envelope: e }: ProjectedEvent, work: Work): Maybe<void> {
    if (!isType(e, 'CardTokenized')) return;
    const current = work.get(CARDS, { id: e.payload.cardId });
    if (current instanceof Promise) return current.then((c) => putCard(e, work, c));
    putCard(e, work, current);
  },
};

function putCard(e: Envelope<'CardTokenized'>, work: Work, current: Item | null): void {
  const d = e.payload;
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
}
