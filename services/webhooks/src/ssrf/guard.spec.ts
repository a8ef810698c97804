import { describe, expect, it } from 'vitest';
import { isForbiddenAddress, pinnedLookup, resolveTarget } from './guard.js';

const resolverTo =
  (...addresses: string[]) =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('SSRF guard', () => {
  it('refuses loopback, private, link-local, metadata, CGNAT, multicast and reserved addresses', () => {
    for (const a of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.5',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254', // cloud metadata
      '100.100.100.200', // Alibaba metadata (CGNAT range)
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254', // AWS metadata over IPv6
      'fc00::1',
      '::ffff:127.0.0.1', // IPv4-mapped loopback
      '::ffff:169.254.169.254',
      'ff02::1',
      'not-an-ip',
    ])
      expect(isForbiddenAddress(a), a).toBe(true);
  });

  it('allows public unicast addresses', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isForbiddenAddress(a), a).toBe(false);
  });

  it('refuses a host name that resolves to 127.0.0.1, unless private targets are allowed', async () => {
    const url = new URL('https://hooks.example.test/in');
    await expect(resolveTarget(url, false, resolverTo('127.0.0.1'))).rejects.toMatchObject({
      code: 'webhook_url_forbidden',
    });
    await expect(resolveTarget(url, true, resolverTo('127.0.0.1'))).resolves.toMatchObject({
      address: '127.0.0.1',
      family: 4,
    });
  });

  it('checks every DNS answer, not only the first', async () => {
    const url = new URL('https://hooks.example.test/in');
    await expect(resolveTarget(url, false, resolverTo('93.184.216.34', '10.1.1.1'))).rejects.toMatchObject({
      code: 'webhook_url_forbidden',
    });
  });

  it('checks literal addresses without DNS, IPv6 in brackets too', async () => {
    const never = async () => {
      throw new Error('no DNS for literals');
    };
    await expect(resolveTarget(new URL('http://[::1]:8080/'), false, never)).rejects.toMatchObject({
      code: 'webhook_url_forbidden',
    });
    // The WHATWG parser turns decimal and hex hosts into dotted quads before the check.
    await expect(resolveTarget(new URL('http://2130706433/'), false, never)).rejects.toMatchObject({
      code: 'webhook_url_forbidden',
    });
    await expect(resolveTarget(new URL('http://0x7f.1/'), false, never)).rejects.toMatchObject({
      code: 'webhook_url_forbidden',
    });
  });

  it('reports a host that does not resolve', async () => {
    const fail = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    };
    await expect(resolveTarget(new URL('https://nowhere.invalid/'), false, fail)).rejects.toMatchObject({
      code: 'webhook_url_unresolvable',
    });
  });

  it('pins the checked address for the connection', async () => {
    const target = await resolveTarget(
      new URL('https://hooks.example.test/'),
      false,
      resolverTo('93.184.216.34'),
    );
    const lookup = pinnedLookup(target) as unknown as (
      h: string,
      o: object,
      cb: (...a: unknown[]) => void,
    ) => void;
    const one = await new Promise((res) => lookup('hooks.example.test', {}, (...a) => res(a)));
    expect(one).toEqual([null, '93.184.216.34', 4]);
    const all = await new Promise((res) => lookup('hooks.example.test', { all: true }, (...a) => res(a)));
    expect(all).toEqual([null, [{ address: '93.184.216.34', family: 4 }]]);
  });
});
