import { describe, expect, it } from 'vitest';
import {
  activeSecrets,
  MAX_SECRETS,
  newEndpoint,
  ROTATION_OVERLAP_MS,
  rotate,
  setEnabled,
  validateEvents,
  validateUrl,
  wants,
} from './endpoint.js';

const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);
const secret = (n: number) => ({ sealed: `sealed${n}`, createdAtMs: T0 + n, expiresAtMs: null });
const endpoint = () =>
  newEndpoint({
    id: 'whep_1',
    tenantId: 't',
    url: new URL('https://hooks.example.com/in'),
    events: ['payment.held'],
    description: null,
    secret: secret(0),
    nowMs: T0,
  });

describe('a webhook endpoint', () => {
  it('accepts http(s) URLs only, without credentials or fragments', () => {
    expect(validateUrl('https://hooks.example.com/x?y=1').href).toBe('https://hooks.example.com/x?y=1');
    for (const bad of [
      'ftp://x.example/',
      'file:///etc/passwd',
      'https://u:p@x.example/',
      'https://x.example/#f',
      'not a url',
      '',
      42,
    ])
      expect(() => validateUrl(bad), String(bad)).toThrow(
        expect.objectContaining({ code: 'invalid_url', field: 'url' }),
      );
  });

  it('accepts known event types only, once each', () => {
    expect(validateEvents(['payment.held', 'payment.held', 'payout.paid'])).toEqual([
      'payment.held',
      'payout.paid',
    ]);
    expect(() => validateEvents([])).toThrow(expect.objectContaining({ code: 'invalid_events' }));
    expect(() => validateEvents(['payment.held', 'payment.exploded'])).toThrow(
      expect.objectContaining({ code: 'unknown_event_type', field: 'events.1' }),
    );
  });

  it('keeps the old secret signing for 24 hours after a rotation', () => {
    const rotated = rotate(endpoint(), secret(1), T0 + 10);
    expect(activeSecrets(rotated, T0 + 10).map((s) => s.sealed)).toEqual(['sealed1', 'sealed0']);
    expect(activeSecrets(rotated, T0 + 10 + ROTATION_OVERLAP_MS - 1)).toHaveLength(2);
    expect(activeSecrets(rotated, T0 + 10 + ROTATION_OVERLAP_MS).map((s) => s.sealed)).toEqual(['sealed1']);
  });

  it('keeps at most a bounded number of secrets across quick rotations', () => {
    let e = endpoint();
    for (let i = 1; i <= 10; i++) e = rotate(e, secret(i), T0 + i);
    expect(e.secrets.length).toBe(MAX_SECRETS);
    expect(e.secrets.at(-1)?.sealed).toBe('sealed10');
    expect(e.secrets.filter((s) => s.expiresAtMs === null)).toHaveLength(1);
  });

  it('wants its event types while enabled only, and leaves the active index when disabled', () => {
    const e = endpoint();
    expect(wants(e, 'payment.held')).toBe(true);
    expect(wants(e, 'payout.paid')).toBe(false);
    const off = setEnabled(e, false, 'gone', T0 + 1);
    expect(off).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect(off.active).toBeUndefined();
    expect(wants(off, 'payment.held')).toBe(false);
    expect(setEnabled(off, true, null, T0 + 2)).toMatchObject({
      enabled: true,
      active: 'enabled',
      disabledReason: null,
    });
  });
});
