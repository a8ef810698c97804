// The SSRF guard. A webhook URL is the tenant's input and the dispatcher runs inside the
// platform's network, so a URL must not reach the platform itself: every address the host
// name resolves to is checked (loopback, private, link-local — cloud metadata lives at
// 169.254.169.254 and fd00:ec2::254 —, carrier-grade NAT, multicast, reserved; IPv4 and IPv6,
// IPv4-mapped IPv6 unwrapped), and the connection then goes to the checked address only
// (`pinnedLookup`), so a second DNS answer cannot swap in another one. Redirects are never
// followed (a 3xx is a failed attempt). PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE=1 lifts the address
// check for local development and tests.

import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { PaystreamError } from '@paystream/core';
import ipaddr from 'ipaddr.js';

export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** Only public unicast addresses; the ranges ipaddr.js names anything else are refused. */
export function isForbiddenAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let a = ipaddr.parse(address);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  return a.range() !== 'unicast';
}

export interface Target {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
}

function forbidden(message: string): PaystreamError {
  return new PaystreamError('webhook_url_forbidden', message, 'url');
}

/** Resolves the URL's host and checks every answer; the first becomes the pinned address. */
export async function resolveTarget(url: URL, allowPrivate: boolean, resolver: Resolver): Promise<Target> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw forbidden('url must use http or https');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let answers: readonly LookupAddress[];
  if (ipaddr.isValid(host)) answers = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  else {
    try {
      answers = await resolver(host);
    } catch (err) {
      throw new PaystreamError(
        'webhook_url_unresolvable',
        `the host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        'url',
      );
    }
  }
  if (answers.length === 0)
    throw new PaystreamError('webhook_url_unresolvable', `the host ${host} has no address`, 'url');
  if (!allowPrivate) {
    const bad = answers.find((a) => isForbiddenAddress(a.address));
    if (bad)
      throw forbidden(
        `url resolves to ${bad.address}, a loopback, private, link-local or metadata address (allowed only with PAYSTREAM_WEBHOOKS_ALLOW_PRIVATE=1)`,
      );
  }
  const first = answers[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A `lookup` for http.request that answers only the checked address. */
export function pinnedLookup(target: Target): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}
