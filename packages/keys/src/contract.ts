// One contract for every KeyManager adapter, with the envelope format and fingerprints on top.
// The local-file spec and the AWS KMS integration spec both run it unchanged.

import { PaystreamError, TestClock } from '@paystream/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Envelope, open, parseSealed, seal } from './envelope.js';
import { Fingerprinter, type SecretStore } from './fingerprint.js';
import type { KeyManager } from './port.js';

export interface KeyManagerFixture {
  keys: KeyManager;
  /** The same master key seen by a fresh process (a restart). */
  reopen(): Promise<KeyManager>;
  cleanup(): Promise<void>;
}

/** The documented simulator card; never a real-looking number. */
const TEST_CARD = '4242424242424242';

async function expectCode(p: Promise<unknown>, ...codes: string[]): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(PaystreamError);
  expect(codes).toContain((err as PaystreamError).code);
}

export class MemorySecretStore implements SecretStore {
  readonly entries = new Map<string, Buffer>();
  async get(name: string): Promise<Buffer | null> {
    const v = this.entries.get(name);
    return v ? Buffer.from(v) : null;
  }
  async putIfAbsent(name: string, bytes: Buffer): Promise<boolean> {
    if (this.entries.has(name)) return false;
    this.entries.set(name, Buffer.from(bytes));
    return true;
  }
}

export function keyManagerContract(name: string, make: () => Promise<KeyManagerFixture>): void {
  describe(`KeyManager contract: ${name}`, () => {
    const fixtures: KeyManagerFixture[] = [];
    const fixture = async (): Promise<KeyManagerFixture> => {
      const f = await make();
      fixtures.push(f);
      return f;
    };
    afterEach(async () => {
      await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
    });

    describe('data keys', () => {
      it('generates distinct 256-bit keys whose wrapped form does not contain them', async () => {
        const { keys } = await fixture();
        const a = await keys.generateDataKey();
        const b = await keys.generateDataKey();
        expect(a.plaintext.length).toBe(32);
        expect(b.plaintext.length).toBe(32);
        expect(a.plaintext.equals(b.plaintext)).toBe(false);
        expect(a.encrypted.includes(a.plaintext)).toBe(false);
        expect(keys.keyId.length).toBeGreaterThan(0);
      });

      it('unwraps a data key, also after a restart', async () => {
        const f = await fixture();
        const dk = await f.keys.generateDataKey();
        expect((await f.keys.decryptDataKey(dk.encrypted)).equals(dk.plaintext)).toBe(true);
        const again = await f.reopen();
        expect(again.keyId).toBe(f.keys.keyId);
        expect((await again.decryptDataKey(dk.encrypted)).equals(dk.plaintext)).toBe(true);
      });

      it('refuses an altered wrapped key', async () => {
        const { keys } = await fixture();
        const dk = await keys.generateDataKey();
        const bad = Buffer.from(dk.encrypted);
        bad[bad.length - 1]! ^= 0x01;
        await expectCode(keys.decryptDataKey(bad), 'key_unwrap_failed');
      });

      it("refuses another master key's wrapped key", async () => {
        const a = await fixture();
        const b = await fixture();
        expect(a.keys.keyId).not.toBe(b.keys.keyId);
        const dk = await a.keys.generateDataKey();
        await expectCode(b.keys.decryptDataKey(dk.encrypted), 'key_unwrap_failed');
      });
    });

    describe('envelope', () => {
      it('round-trips empty, small and large values, as bytes and as text', async () => {
        const { keys } = await fixture();
        const env = new Envelope(keys);
        for (const size of [0, 1, 16, 1000, 1 << 20]) {
          const plain = Buffer.alloc(size, 0x5a);
          const sealed = await seal(env, plain);
          expect((await open(env, sealed)).equals(plain)).toBe(true);
        }
        const text = await env.sealToString(TEST_CARD, 'card:pm_1');
        expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
        expect((await env.openString(text, 'card:pm_1')).toString('utf8')).toBe(TEST_CARD);
      });

      it('writes the documented format: version, key id, wrapped key, 12-byte IV, ciphertext, tag', async () => {
        const { keys } = await fixture();
        const env = new Envelope(keys);
        const sealed = await env.seal(Buffer.from(TEST_CARD));
        expect(sealed[0]).toBe(1);
        const p = parseSealed(sealed);
        expect(p.keyId).toBe(keys.keyId);
        expect(p.iv.length).toBe(12);
        expect(p.tag.length).toBe(16);
        expect(p.ciphertext.length).toBe(TEST_CARD.length);
        expect(sealed.length).toBe(
          2 + Buffer.byteLength(keys.keyId) + 2 + p.encryptedKey.length + 12 + 16 + 16,
        );
        expect((await keys.decryptDataKey(p.encryptedKey)).length).toBe(32);
      });

      it('never contains the plaintext, in bytes or text form', async () => {
        const { keys } = await fixture();
        const env = new Envelope(keys);
        const sealed = await env.seal(Buffer.from(TEST_CARD, 'utf8'));
        expect(sealed.includes(Buffer.from(TEST_CARD, 'utf8'))).toBe(false);
        expect(sealed.includes(Buffer.from('424242'))).toBe(false);
        const text = await env.sealToString(TEST_CARD);
        expect(text).not.toContain('424242');
        expect(Buffer.from(text, 'base64url').toString('latin1')).not.toContain('424242');
      });

      it('fails on a change to any single byte', async () => {
        const { keys } = await fixture();
        const env = new Envelope(keys);
        const sealed = await env.seal(Buffer.from(TEST_CARD), 'aad');
        for (let i = 0; i < sealed.length; i++) {
          const bad = Buffer.from(sealed);
          bad[i]! ^= 0x01;
          await expectCode(
            env.open(bad, 'aad'),
            'decrypt_failed',
            'key_unwrap_failed',
            'key_mismatch',
            'sealed_malformed',
            'sealed_unsupported_version',
          );
        }
        await expectCode(env.open(sealed.subarray(0, sealed.length - 1), 'aad'), 'decrypt_failed');
        await expectCode(env.open(Buffer.concat([sealed, Buffer.from([0])]), 'aad'), 'decrypt_failed');
        await expectCode(env.open(Buffer.alloc(0)), 'sealed_malformed');
        expect((await env.open(sealed, 'aad')).toString()).toBe(TEST_CARD);
      });

      it('fails under a wrong or missing AAD', async () => {
        const { keys } = await fixture();
        const env = new Envelope(keys);
        const sealed = await env.seal(Buffer.from(TEST_CARD), 'tenant:a|pm_1');
        await expectCode(env.open(sealed, 'tenant:b|pm_1'), 'decrypt_failed');
        await expectCode(env.open(sealed), 'decrypt_failed');
        const noAad = await env.seal(Buffer.from(TEST_CARD));
        await expectCode(env.open(noAad, 'x'), 'decrypt_failed');
        expect((await env.open(noAad)).toString()).toBe(TEST_CARD);
        await expectCode(env.openString('not base64url!'), 'sealed_malformed');
      });

      it('opens after a restart and refuses values sealed under another master key', async () => {
        const a = await fixture();
        const sealed = await new Envelope(a.keys).seal(Buffer.from(TEST_CARD));
        const restarted = new Envelope(await a.reopen());
        expect((await restarted.open(sealed)).toString()).toBe(TEST_CARD);
        const b = await fixture();
        await expectCode(new Envelope(b.keys).open(sealed), 'key_mismatch');
      });

      it('reuses a data key for at most N seals, and shares one request among concurrent seals', async () => {
        const { keys } = await fixture();
        const env = new Envelope(keys, { dataKeyMaxUses: 3 });
        for (let i = 0; i < 7; i++) await env.seal(Buffer.from([i]));
        // uses 3 + 3 + 1
        expect(env.stats().generateDataKeyRequests).toBe(3);
        const burst = new Envelope(keys, { dataKeyMaxUses: 100 });
        const sealed = await Promise.all(Array.from({ length: 20 }, (_, i) => burst.seal(Buffer.from([i]))));
        expect(burst.stats().generateDataKeyRequests).toBe(1);
        const wrapped = new Set(sealed.map((s) => parseSealed(s).encryptedKey.toString('hex')));
        expect(wrapped.size).toBe(1);
      });

      it('replaces a data key after T ms', async () => {
        const { keys } = await fixture();
        const clock = new TestClock();
        const env = new Envelope(keys, { dataKeyMaxAgeMs: 1000, clock });
        const first = await env.seal(Buffer.from('a'));
        clock.advance(999);
        const second = await env.seal(Buffer.from('b'));
        clock.advance(1);
        const third = await env.seal(Buffer.from('c'));
        expect(env.stats().generateDataKeyRequests).toBe(2);
        expect(parseSealed(first).encryptedKey.equals(parseSealed(second).encryptedKey)).toBe(true);
        expect(parseSealed(first).encryptedKey.equals(parseSealed(third).encryptedKey)).toBe(false);
      });

      it('unwraps each data key once while it stays in the bounded LRU', async () => {
        const { keys } = await fixture();
        const writer = new Envelope(keys, { dataKeyMaxUses: 5 });
        const values = [];
        for (let i = 0; i < 10; i++) values.push(await writer.seal(Buffer.from([i])));
        expect(writer.stats().generateDataKeyRequests).toBe(2);

        const reader = new Envelope(keys, { decryptedKeyCacheSize: 2 });
        await Promise.all(values.map((v) => reader.open(v)));
        expect(reader.stats().decryptDataKeyRequests).toBe(2);
        for (const v of values) await reader.open(v);
        expect(reader.stats().decryptDataKeyRequests).toBe(2);
        expect(reader.stats().kmsRequests).toBe(2);

        // A bound of one entry, opened alternately: every open misses.
        const tiny = new Envelope(keys, { decryptedKeyCacheSize: 1 });
        for (const i of [0, 5, 0, 5]) await tiny.open(values[i]!);
        expect(tiny.stats().decryptDataKeyRequests).toBe(4);
        expect(tiny.stats().opened).toBe(4);
      });

      it('asks KMS again for an unwrapped data key once it is older than its max age', async () => {
        const { keys } = await fixture();
        const clock = new TestClock();
        const sealed = await new Envelope(keys).seal(Buffer.from(TEST_CARD));
        const reader = new Envelope(keys, { decryptedKeyMaxAgeMs: 1000, clock });
        await reader.open(sealed);
        clock.advance(999);
        await reader.open(sealed);
        expect(reader.stats().decryptDataKeyRequests).toBe(1);
        clock.advance(1);
        expect((await reader.open(sealed)).toString()).toBe(TEST_CARD);
        expect(reader.stats().decryptDataKeyRequests).toBe(2);
        // The data key this process generated for sealing ages out of the open cache the same way.
        const writer = new Envelope(keys, { decryptedKeyMaxAgeMs: 1000, dataKeyMaxAgeMs: 60_000, clock });
        const own = await writer.seal(Buffer.from('x'));
        await writer.open(own);
        expect(writer.stats().decryptDataKeyRequests).toBe(0);
        clock.advance(1000);
        await writer.open(own);
        expect(writer.stats().decryptDataKeyRequests).toBe(1);
      });

      it('costs no KMS request per value in steady state: one per data key, however many values', async () => {
        const { keys } = await fixture();
        const env = new Envelope(keys);
        const values = [];
        for (let i = 0; i < 200; i++) values.push(await env.seal(Buffer.from(`value ${i}`), `aad:${i}`));
        for (let i = 0; i < 200; i++) await env.open(values[i]!, `aad:${i}`);
        expect(env.stats().kmsRequests).toBe(1);
      });

      it('rejects unusable cache bounds', () => {
        expect(
          () =>
            new Envelope(
              { keyId: 'k', generateDataKey: never, decryptDataKey: never },
              { dataKeyMaxUses: 0 },
            ),
        ).toThrowError(PaystreamError);
        expect(
          () =>
            new Envelope(
              { keyId: 'k', generateDataKey: never, decryptDataKey: never },
              { decryptedKeyMaxAgeMs: 0 },
            ),
        ).toThrowError(PaystreamError);
      });
    });

    describe('fingerprints', () => {
      it('are stable per tenant, differ across tenants and kinds, and hold no digits of the number', async () => {
        const { keys } = await fixture();
        const fp = new Fingerprinter(new Envelope(keys), new MemorySecretStore());
        const a1 = await fp.card('tenant_a', TEST_CARD);
        const a2 = await fp.card('tenant_a', '4242 4242 4242 4242');
        const b = await fp.card('tenant_b', TEST_CARD);
        expect(a1).toMatch(/^fp_[0-9a-f]{32}$/);
        expect(a2).toBe(a1);
        expect(b).not.toBe(a1);
        expect(await fp.card('tenant_a', '4000000000000002')).not.toBe(a1);
        const acct = await fp.bankAccount('tenant_a', '110000000', '000123456789');
        expect(acct).toMatch(/^fp_[0-9a-f]{32}$/);
        expect(await fp.bankAccount('tenant_a', '110000000', '000123456789')).toBe(acct);
        expect(await fp.bankAccount('tenant_a', '021000021', '000123456789')).not.toBe(acct);
        expect(a1).not.toContain('4242');
      });

      it('survive a restart: the tenant key is stored sealed and reused', async () => {
        const f = await fixture();
        const store = new MemorySecretStore();
        const before = await new Fingerprinter(new Envelope(f.keys), store).card('tenant_a', TEST_CARD);
        expect(store.entries.size).toBe(1);
        const [stored] = [...store.entries.values()];
        expect(stored![0]).toBe(1); // the envelope format, not a raw key
        const after = await new Fingerprinter(new Envelope(await f.reopen()), store).card(
          'tenant_a',
          TEST_CARD,
        );
        expect(after).toBe(before);
      });

      it('agree when two processes create the tenant key at once', async () => {
        const { keys } = await fixture();
        const store = new MemorySecretStore();
        const p1 = new Fingerprinter(new Envelope(keys), store);
        const p2 = new Fingerprinter(new Envelope(keys), store);
        const [x, y] = await Promise.all([p1.card('tenant_a', TEST_CARD), p2.card('tenant_a', TEST_CARD)]);
        expect(x).toBe(y);
        expect(store.entries.size).toBe(1);
      });

      it('reject malformed input without echoing it', async () => {
        const { keys } = await fixture();
        const fp = new Fingerprinter(new Envelope(keys), new MemorySecretStore());
        const err = await fp.card('tenant_a', '4242-42x2').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PaystreamError);
        expect((err as PaystreamError).code).toBe('invalid_number');
        expect((err as PaystreamError).message).not.toContain('4242');
        await expectCode(fp.card('../etc', TEST_CARD), 'invalid_tenant');
        await expectCode(fp.bankAccount('tenant_a', '11000000', '000123456789'), 'invalid_number');
      });
    });
  });
}

function never(): never {
  throw new Error('not called');
}
