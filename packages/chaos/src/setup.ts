// The customers' cards, tokenized through ingest before the chaos starts (one per customer, so
// the fraud model sees ordinary shoppers rather than one card paying thousands of times).

import { backoffMs, chaosCardNumber } from './driver.js';

export interface ChaosCard {
  readonly customerId: string;
  readonly cardId: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function createCards(url: string, apiKey: string, customers: number): Promise<ChaosCard[]> {
  const cards: ChaosCard[] = new Array(customers);
  let next = 0;
  const one = async (i: number): Promise<void> => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      try {
        const res = await fetch(`${url}/v1/payment-methods/cards`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': `chaos-card-${i}`,
          },
          body: JSON.stringify({
            customerId: `cus_chaos_${i}`,
            number: chaosCardNumber(i),
            expMonth: 12,
            expYear: 2035,
            cvc: '123',
          }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json()) as { id?: string; code?: string };
        if (res.status === 201 && body.id) {
          cards[i] = { customerId: `cus_chaos_${i}`, cardId: body.id };
          return;
        }
        if (res.status < 500 && res.status !== 429 && body.code !== 'idempotency_in_progress')
          throw new Error(`card ${i}: ${res.status} ${JSON.stringify(body)}`);
      } catch (err) {
        if ((err as Error).message.startsWith(`card ${i}:`)) throw err;
      }
      await sleep(backoffMs(attempt));
    }
    throw new Error(`card ${i} could not be created in 20 attempts`);
  };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < customers; i = next++) await one(i);
    }),
  );
  return cards;
}
