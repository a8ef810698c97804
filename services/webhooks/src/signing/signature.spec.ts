import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { formatSecret, newSecretBytes, parseSecret, signatureOf, signedHeaders } from './signature.js';

describe('Standard Webhooks signatures', () => {
  it('verify with the standardwebhooks library, for any body', () => {
    const key = newSecretBytes();
    const secret = formatSecret(key);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), fc.stringMatching(/^evt_[0-9a-f]{26}$/), (text, id) => {
        const body = JSON.stringify({ id, type: 'payment.held', data: { text } });
        const now = Math.floor(Date.now() / 1000);
        const headers = signedHeaders([key], id, now, body);
        expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
      }),
      { numRuns: 50 },
    );
  });

  it('match the library’s own signature, byte for byte', () => {
    const key = newSecretBytes();
    const at = new Date(Date.UTC(2026, 11, 5, 12, 0, 0));
    const body = '{"id":"evt_x"}';
    expect(signatureOf(key, 'evt_x', at.getTime() / 1000, body)).toBe(
      new Webhook(formatSecret(key)).sign('evt_x', at, body),
    );
  });

  it('sign with every active secret during a rotation; either secret verifies', () => {
    const [oldKey, newKey] = [newSecretBytes(), newSecretBytes()];
    const body = '{"id":"evt_y","type":"payout.paid"}';
    const now = Math.floor(Date.now() / 1000);
    const headers = signedHeaders([newKey, oldKey], 'evt_y', now, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const k of [oldKey, newKey])
      expect(() => new Webhook(formatSecret(k)).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(formatSecret(newSecretBytes())).verify(body, { ...headers })).toThrow();
  });

  it('fail verification when the body, id or timestamp is changed', () => {
    const key = newSecretBytes();
    const now = Math.floor(Date.now() / 1000);
    const headers = signedHeaders([key], 'evt_z', now, '{"a":1}');
    const wh = new Webhook(formatSecret(key));
    expect(() => wh.verify('{"a":2}', { ...headers })).toThrow();
    expect(() => wh.verify('{"a":1}', { ...headers, 'webhook-id': 'evt_other' })).toThrow();
    expect(() => wh.verify('{"a":1}', { ...headers, 'webhook-timestamp': String(now + 1) })).toThrow();
  });

  it('parse secrets back to their key bytes and refuse malformed ones', () => {
    const key = newSecretBytes();
    expect(parseSecret(formatSecret(key)).equals(key)).toBe(true);
    expect(() => parseSecret('sk_live_abc')).toThrow(/whsec_/);
    expect(() => parseSecret('whsec_AAAA')).toThrow(/too short/);
  });
});
