// The driver's retry rule: only an answer that can never change ends a payment; everything
// about timing (a dead ingest, the broker away, a claim still leased, the rate limit) is sent
// again with the same key and body.

import { describe, expect, it } from 'vitest';
import { backoffMs, chaosCardNumber, classify, planJobs } from './driver.js';

function luhnValid(n: string): boolean {
  let sum = 0;
  for (let i = 0; i < n.length; i++) {
    let d = Number(n[n.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

describe('classify', () => {
  it('ends a payment on 202 and on a refusal, and retries everything about timing', () => {
    expect(classify(202, '{"id":"pay_1","status":"pending"}', null)).toEqual({
      kind: 'accepted',
      id: 'pay_1',
      status: 'pending',
    });
    expect(classify(409, '{"code":"idempotency_in_progress"}', null)).toEqual({
      kind: 'retry',
      why: 'in_progress',
    });
    expect(classify(429, '{}', '3')).toEqual({ kind: 'retry', why: 'rate_limited', waitMs: 3_000 });
    expect(classify(503, '{}', null)).toEqual({ kind: 'retry', why: 'server' });
    expect(classify(500, 'oops', null)).toEqual({ kind: 'retry', why: 'server' });
    expect(classify(409, '{"code":"idempotency_conflict"}', null)).toEqual({ kind: 'refused' });
    expect(classify(400, '{"code":"invalid_amount"}', null)).toEqual({ kind: 'refused' });
  });

  it('backs off from about 100 ms to at most 2 s', () => {
    expect(backoffMs(1, () => 0)).toBe(50);
    expect(backoffMs(1, () => 1)).toBe(100);
    expect(backoffMs(30, () => 1)).toBe(2_000);
  });
});

describe('planJobs', () => {
  it('fixes every body in advance, with distinct keys and an auto-release hold on every n-th', () => {
    const cards = [
      { customerId: 'cus_0', cardId: 'card_0' },
      { customerId: 'cus_1', cardId: 'card_1' },
    ];
    const jobs = planJobs({
      runId: 'r',
      payments: 20,
      cards,
      providers: 3,
      autoReleaseEvery: 10,
      holdMs: 90_000,
    });
    expect(new Set(jobs.map((j) => j.idempotencyKey)).size).toBe(20);
    expect(jobs.filter((j) => j.holdMs !== null).map((j) => j.index)).toEqual([0, 10]);
    expect(jobs[3]!.body).toMatchObject({
      customerId: 'cus_1',
      paymentMethodId: 'card_1',
      providerId: 'prv_chaos_0',
    });
    expect(
      planJobs({ runId: 'r', payments: 20, cards, providers: 3, autoReleaseEvery: 10, holdMs: 90_000 }),
    ).toEqual(jobs);
  });

  it('gives customers Luhn-valid cards, some of them the simulator cards that decline', () => {
    const numbers = Array.from({ length: 100 }, (_, i) => chaosCardNumber(i));
    expect(numbers.every(luhnValid)).toBe(true);
    expect(numbers.filter((n) => n === '4000000000000002')).toHaveLength(2);
    expect(numbers.filter((n) => n === '4100000000000019')).toHaveLength(2);
    expect(new Set(numbers).size).toBe(100 - 3);
  });
});
