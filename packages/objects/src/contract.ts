// One contract for every ObjectStore adapter: the directory spec and the S3 integration spec
// both run it unchanged.

import { PaystreamError } from '@paystream/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from './port.js';

export interface ObjectStoreFixture {
  store: ObjectStore;
  cleanup(): Promise<void>;
}

const bytes = (s: string) => Buffer.from(s, 'utf8');

export interface ObjectStoreContractOptions {
  /**
   * Race concurrent putIfAbsent writers for one key. On by default. The moto S3 emulator checks
   * If-None-Match and then writes, without a lock, so two racers can both win there; its
   * integration run turns the race off (sequential putIfAbsent is still checked). Real S3 decides
   * conditional writes atomically.
   */
  concurrentRace?: boolean;
}

export function objectStoreContract(
  name: string,
  make: () => Promise<ObjectStoreFixture>,
  opts: ObjectStoreContractOptions = {},
): void {
  describe(`ObjectStore contract: ${name}`, () => {
    const fixtures: ObjectStoreFixture[] = [];
    const fresh = async (): Promise<ObjectStore> => {
      const f = await make();
      fixtures.push(f);
      return f.store;
    };
    afterEach(async () => {
      await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
    });

    it('round-trips binary, empty and large objects; a missing key reads as null', async () => {
      const store = await fresh();
      const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await store.put('bin/all-bytes', binary, 'application/octet-stream');
      await store.put('bin/empty', Buffer.alloc(0));
      const large = Buffer.alloc(3 * 1024 * 1024 + 7, 0xab);
      await store.put('bin/large', large);
      expect((await store.get('bin/all-bytes'))?.equals(binary)).toBe(true);
      expect((await store.get('bin/empty'))?.length).toBe(0);
      expect((await store.get('bin/large'))?.equals(large)).toBe(true);
      expect(await store.get('bin/missing')).toBeNull();
    });

    it('overwrites with put, and deletes (a missing key is no error)', async () => {
      const store = await fresh();
      await store.put('nacha/file-1.ach', bytes('first'), 'text/plain');
      await store.put('nacha/file-1.ach', bytes('second'), 'text/plain');
      expect((await store.get('nacha/file-1.ach'))?.toString()).toBe('second');
      await store.delete('nacha/file-1.ach');
      expect(await store.get('nacha/file-1.ach')).toBeNull();
      await store.delete('nacha/file-1.ach');
      expect(await store.list('nacha/')).toEqual([]);
    });

    it('lists keys by prefix in byte order, bounded by a limit', async () => {
      const store = await fresh();
      const keys = [
        'nacha/2026-01-05/batch-2.ach',
        'nacha/2026-01-05/batch-10.ach',
        'nacha/2026-01-06/batch-1.ach',
        'audit/export-1.jsonl',
        'nacha-index.json',
      ];
      for (const k of keys) await store.put(k, bytes(k));
      expect(await store.list('nacha/')).toEqual([
        'nacha/2026-01-05/batch-10.ach',
        'nacha/2026-01-05/batch-2.ach',
        'nacha/2026-01-06/batch-1.ach',
      ]);
      expect(await store.list('nacha')).toEqual([
        'nacha-index.json',
        'nacha/2026-01-05/batch-10.ach',
        'nacha/2026-01-05/batch-2.ach',
        'nacha/2026-01-06/batch-1.ach',
      ]);
      expect(await store.list('nacha/2026-01-0')).toHaveLength(3);
      expect(await store.list('nacha/2026-01-05/batch-1')).toEqual(['nacha/2026-01-05/batch-10.ach']);
      expect(await store.list('')).toEqual([...keys].sort());
      expect(await store.list('', 2)).toEqual(['audit/export-1.jsonl', 'nacha-index.json']);
      expect(await store.list('none/')).toEqual([]);
    });

    it('putIfAbsent writes once and never overwrites', async () => {
      const store = await fresh();
      expect(await store.putIfAbsent('keys/tenant_a.sealed', bytes('one'))).toBe(true);
      expect(await store.putIfAbsent('keys/tenant_a.sealed', bytes('two'))).toBe(false);
      expect((await store.get('keys/tenant_a.sealed'))?.toString()).toBe('one');
    });

    // Registered only where the engine promises it, so no run reports it as skipped.
    if (opts.concurrentRace ?? true)
      it('putIfAbsent under a race: exactly one writer wins and its bytes are stored', async () => {
        const store = await fresh();
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => store.putIfAbsent('race/key', bytes(`writer-${i}`))),
        );
        const winners = results.flatMap((won, i) => (won ? [i] : []));
        expect(winners).toHaveLength(1);
        expect((await store.get('race/key'))?.toString()).toBe(`writer-${winners[0]}`);
      });

    it.each([
      '',
      '..',
      '../outside',
      'a/../../outside',
      '/absolute',
      'a//b',
      'trailing/',
      'a/./b',
      'back\\slash',
      'nul\u0000byte',
      'space here',
      '.tmp-reserved',
    ])('refuses the key %j and writes nothing', async (key) => {
      const store = await fresh();
      const err = await store.put(key, bytes('x')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PaystreamError);
      expect((err as PaystreamError).code).toBe('invalid_object_key');
      await expect(store.get(key)).rejects.toMatchObject({ code: 'invalid_object_key' });
      await expect(store.putIfAbsent(key, bytes('x'))).rejects.toMatchObject({ code: 'invalid_object_key' });
      expect(await store.list('')).toEqual([]);
    });

    it('refuses a bad list limit', async () => {
      const store = await fresh();
      await expect(store.list('', 0)).rejects.toMatchObject({ code: 'invalid_limit' });
    });
  });
}
