// One suite for the idempotency store over any ReadStore adapter: store.spec.ts runs it on
// SQLite, store.int.spec.ts on DynamoDB Local.

import { PaystreamError, TestClock } from '@paystream/core';
import type { ReadStore } from '@paystream/readstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestHash } from './request-hash.js';
import {
  type BeginRequest,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  DEFAULT_LEASE_MS,
  IdempotencyStore,
} from './store.js';

export interface StoreFixture {
  readonly readStore: ReadStore;
  close(): Promise<void>;
}

export function idempotencyStoreSuite(name: string, open: () => Promise<StoreFixture>): void {
  let fixture: StoreFixture;
  let readStore: ReadStore;
  let store: IdempotencyStore;
  const clock = new TestClock();
  beforeAll(async () => {
    fixture = await open();
    readStore = fixture.readStore;
    store = new IdempotencyStore(readStore, clock);
    await store.init();
  });
  afterAll(async () => {
    await fixture.close();
  });

  let n = 0;
  function request(overrides: Partial<BeginRequest> = {}): BeginRequest {
    return {
      tenantId: 'default',
      idempotencyKey: `key-${++n}`,
      operation: 'payment.create',
      requestHash: requestHash('payment.create', null, { amount: 1000 }),
      owner: `http:${n}`,
      ...overrides,
    };
  }

  async function codeOf(p: Promise<unknown>): Promise<string> {
    try {
      await p;
      return 'no error';
    } catch (err) {
      if (err instanceof PaystreamError) return err.code;
      throw err;
    }
  }

  /** The shared store, with every call to it named in `calls`. */
  function countingStore(): { calls: string[]; counted: ReadStore } {
    const calls: string[] = [];
    const counted = new Proxy(readStore, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as ReadStore;
    return { calls, counted };
  }

  describe(`IdempotencyStore on ${name}`, () => {
    it('claims a new key, then replays the stored response to the same request', async () => {
      const req = request();
      const begun = await store.begin(req);
      expect(begun.kind).toBe('claimed');
      if (begun.kind !== 'claimed') return;
      expect(
        await store.complete(begun.claim, 202, { id: 'pay_1', status: 'pending', position: 'abc' }),
      ).toBe(true);
      const again = await store.begin({ ...req, owner: 'http:other' });
      expect(again).toEqual({
        kind: 'replay',
        statusCode: 202,
        body: { id: 'pay_1', status: 'pending', position: 'abc' },
        owner: req.owner,
      });
    });

    it('refuses the same key with another body (409 idempotency_conflict), even while in progress', async () => {
      const req = request();
      await store.begin(req);
      const other = {
        ...req,
        owner: 'http:x',
        requestHash: requestHash('payment.create', null, { amount: 2000 }),
      };
      expect(await codeOf(store.begin(other))).toBe('idempotency_conflict');
    });

    it('answers idempotency_in_progress to a duplicate while the first holds the lease, then lets it take over', async () => {
      const req = request();
      await store.begin(req);
      expect(await codeOf(store.begin({ ...req, owner: 'http:dup' }))).toBe('idempotency_in_progress');
      clock.advance(DEFAULT_LEASE_MS + 1);
      expect((await store.begin({ ...req, owner: 'http:dup' })).kind).toBe('claimed');
    });

    it('lets exactly one of many concurrent identical requests claim the key', async () => {
      const req = request();
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.begin({ ...req, owner: `http:c${i}` })),
      );
      const claimed = results.filter((r) => r.status === 'fulfilled' && r.value.kind === 'claimed');
      const inProgress = results.filter(
        (r) => r.status === 'rejected' && (r.reason as PaystreamError).code === 'idempotency_in_progress',
      );
      expect(claimed).toHaveLength(1);
      expect(inProgress).toHaveLength(7);
    });

    it('frees an abandoned key (a refused request wrote nothing) for any request', async () => {
      const req = request();
      const begun = await store.begin(req);
      if (begun.kind !== 'claimed') throw new Error('expected a claim');
      await store.abandon(begun.claim);
      const other = {
        ...req,
        owner: 'http:y',
        requestHash: requestHash('payment.create', null, { amount: 5 }),
      };
      expect((await store.begin(other)).kind).toBe('claimed');
    });

    it('keeps keys 24 hours, then forgets them; purge deletes expired ones lazily', async () => {
      const req = request({ tenantId: 'ttl_tenant' });
      const begun = await store.begin(req);
      if (begun.kind !== 'claimed') throw new Error('expected a claim');
      await store.complete(begun.claim, 201, { id: 'card_1' });
      clock.advance(DEFAULT_IDEMPOTENCY_TTL_MS - 1);
      expect((await store.begin({ ...req, owner: 'later' })).kind).toBe('replay');
      expect(await store.purgeExpired('ttl_tenant')).toBe(0);
      clock.advance(1);
      expect(await store.purgeExpired('ttl_tenant')).toBe(1);
      const other = { ...req, owner: 'much-later', requestHash: requestHash('card.create', null, {}) };
      expect((await store.begin(other)).kind).toBe('claimed');
    });

    it('refuses keys that are empty, too long or not printable ASCII', async () => {
      for (const idempotencyKey of ['', 'a'.repeat(256), 'with space', 'ünïcode']) {
        expect(await codeOf(store.begin(request({ idempotencyKey })))).toBe('invalid_idempotency_key');
      }
    });

    it('claims a new key with one write and no read, completes it with one more; reads only on a retry', async () => {
      const { calls, counted } = countingStore();
      const counting = new IdempotencyStore(counted, clock, { purgeEvery: 1_000_000 });
      const req = request();
      const begun = await counting.begin(req);
      expect(begun).toMatchObject({ kind: 'claimed', firstUse: true });
      if (begun.kind !== 'claimed') return;
      await counting.complete(begun.claim, 202, { id: 'pay_one' });
      expect(calls).toEqual(['putIfNewer', 'putIfNewer']);

      calls.length = 0;
      expect((await counting.begin({ ...req, owner: 'http:retry' })).kind).toBe('replay');
      expect(calls).toEqual(['putIfNewer', 'get']);
    });

    it('sends the claims of concurrent requests as one transaction', async () => {
      const { calls, counted } = countingStore();
      const counting = new IdempotencyStore(counted, clock, { purgeEvery: 1_000_000 });
      const begun = await Promise.all(Array.from({ length: 20 }, () => counting.begin(request())));
      expect(begun.every((b) => b.kind === 'claimed' && b.firstUse)).toBe(true);
      expect(calls).toEqual(['transactWrite']);
    });

    it('tells a claim taken over from an earlier attempt from a first use', async () => {
      const req = request();
      await store.begin(req);
      clock.advance(DEFAULT_LEASE_MS + 1);
      expect(await store.begin({ ...req, owner: 'http:after-crash' })).toMatchObject({
        kind: 'claimed',
        firstUse: false,
      });
    });

    it('will not be configured to keep keys under 24 hours', () => {
      expect(() => new IdempotencyStore(readStore, clock, { ttlMs: 60_000 })).toThrow(/24 hours/);
    });
  });
}
