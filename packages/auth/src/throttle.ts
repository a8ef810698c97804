// Failed authentication, throttled per client: after `maxFailures` failures within `windowMs`
// a client is refused with 429 and Retry-After until its window ends, before any key is looked
// up. Guessing keys is hopeless (256-bit secrets) but each guess costs a lookup; this bounds
// what one client can make the store do. Bounded memory: at most `maxClients` clients are
// tracked, the oldest window dropped first.

import type { Clock } from '@paystream/core';

export interface ThrottleOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly maxClients: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { maxFailures: 20, windowMs: 60_000, maxClients: 50_000 };

export class FailureThrottle {
  readonly #clients = new Map<string, { failures: number; windowEndsMs: number }>();

  constructor(
    private readonly clock: Clock,
    readonly options: ThrottleOptions = DEFAULT_THROTTLE,
  ) {}

  /** Seconds until `client` may try again, or 0 when it may now. */
  retryAfterSeconds(client: string): number {
    const c = this.#clients.get(client);
    if (!c) return 0;
    const now = this.clock.nowMs();
    if (c.windowEndsMs <= now) {
      this.#clients.delete(client);
      return 0;
    }
    return c.failures >= this.options.maxFailures ? Math.ceil((c.windowEndsMs - now) / 1000) : 0;
  }

  fail(client: string): void {
    const now = this.clock.nowMs();
    const c = this.#clients.get(client);
    if (c && c.windowEndsMs > now) {
      c.failures += 1;
      return;
    }
    this.#clients.delete(client);
    while (this.#clients.size >= this.options.maxClients) {
      const oldest = this.#clients.keys().next().value;
      if (oldest === undefined) break;
      this.#clients.delete(oldest);
    }
    this.#clients.set(client, { failures: 1, windowEndsMs: now + this.options.windowMs });
  }
}
