import type { CardRef, ReadQueries } from '@paystream/projections';
import { describe, expect, it } from 'vitest';
import { CardCache } from './card-cache.js';

const ref = (id: string, tenantId = 't1'): CardRef => ({
  id,
  tenantId,
  customerId: 'cus_1',
  brand: 'visa',
  bin: '424242',
  last4: '4242',
  expMonth: 12,
  expYear: 2030,
  fingerprint: `fp_${id}`,
});

/** ReadQueries whose card() counts its calls and knows the cards in `known`. */
function queries(known: Map<string, CardRef>) {
  const calls: string[] = [];
  const q = {
    card: async (tenantId: string, cardId: string) => {
      calls.push(`${tenantId}/${cardId}`);
      return known.get(`${tenantId}/${cardId}`) ?? null;
    },
    catchUp: async () => true,
  } as unknown as ReadQueries;
  return { q, calls };
}

describe('CardCache', () => {
  it('reads a card once, then serves it from memory', async () => {
    const { q, calls } = queries(new Map([['t1/card_a', ref('card_a')]]));
    const cards = new CardCache(q);
    expect(await cards.card('t1', 'card_a')).toEqual(ref('card_a'));
    expect(await cards.card('t1', 'card_a')).toEqual(ref('card_a'));
    expect(calls).toEqual(['t1/card_a']);
  });

  it('asks again after a miss (the card may not be projected yet), and keys by tenant', async () => {
    const known = new Map<string, CardRef>();
    const { q, calls } = queries(known);
    const cards = new CardCache(q);
    expect(await cards.card('t1', 'card_b')).toBeNull();
    known.set('t1/card_b', ref('card_b'));
    expect(await cards.card('t1', 'card_b')).toEqual(ref('card_b'));
    expect(await cards.card('t2', 'card_b')).toBeNull();
    expect(calls).toEqual(['t1/card_b', 't1/card_b', 't2/card_b']);
  });

  it('holds at most its stated entries and bytes', async () => {
    const known = new Map(Array.from({ length: 50 }, (_, i) => [`t1/c${i}`, ref(`c${i}`)] as const));
    const cards = new CardCache(queries(known).q, { maxEntries: 10, maxBytes: 4096 });
    for (let i = 0; i < 50; i++) await cards.card('t1', `c${i}`);
    expect(cards.cache.size).toBeLessThanOrEqual(10);
    expect(cards.cache.bytes).toBeLessThanOrEqual(4096);
    const tight = new CardCache(queries(known).q, { maxEntries: 100, maxBytes: 2048 });
    for (let i = 0; i < 50; i++) await tight.card('t1', `c${i}`);
    expect(tight.cache.bytes).toBeLessThanOrEqual(2048);
    expect(tight.cache.size).toBeLessThan(10);
  });
});
