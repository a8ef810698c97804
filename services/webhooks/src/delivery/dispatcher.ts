// The sending side. Every poll (and right after new deliveries) it asks each enabled endpoint
// for its due deliveries — at most as many as that endpoint has free in-flight slots — leases
// them in the store and sends them concurrently. Limits: `maxInFlightPerEndpoint` attempts per
// endpoint, `maxInFlight` in the process, a `timeoutMs` deadline per attempt. A hanging
// endpoint therefore holds only its own slots for at most the deadline; other endpoints' due
// deliveries are queried and sent independently. Pending retries live in the store, so a
// restart (or another replica) picks them up once their lease or retry time has come.

import type { Clock } from '@paystream/core';
import { PaystreamError } from '@paystream/core';
import type { Logger, Metrics } from '@paystream/runtime';
import { type Delivery, lease, recordAttempt, resultOf } from '../domain/delivery.js';
import { activeSecrets, type Endpoint, setEnabled } from '../domain/endpoint.js';
import type { Sender } from '../http/sender.js';
import type { SecretBox } from '../secrets.js';
import { signedHeaders } from '../signing/signature.js';
import { type Resolver, resolveTarget } from '../ssrf/guard.js';
import type { Versioned, WebhookRepository } from '../store/repository.js';

export interface DispatcherDeps {
  readonly repo: WebhookRepository;
  readonly secrets: SecretBox;
  readonly clock: Clock;
  /** Uniform in [0, 1): retry jitter. */
  readonly random: () => number;
  readonly sender: Sender;
  readonly resolver: Resolver;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly allowPrivate: boolean;
  readonly maxInFlightPerEndpoint: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  /** A lease outlives the attempt's deadline by this much before another dispatcher may retry. */
  readonly leaseMarginMs: number;
}

export class Dispatcher {
  readonly #inFlight = new Map<string, number>();
  readonly #sends = new Set<Promise<void>>();
  #total = 0;
  #polling: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  readonly #attempts;
  readonly #latency;

  constructor(private readonly deps: DispatcherDeps) {
    this.#attempts = deps.metrics.counter('webhooks_attempts_total', 'Webhook delivery attempts by outcome', [
      'outcome',
    ]);
    this.#latency = deps.metrics.histogram('webhooks_attempt_duration_ms', 'Webhook attempt latency (ms)');
  }

  get inFlight(): number {
    return this.#total;
  }

  /** Looks for due deliveries now; a call during a poll makes that poll run once more. */
  poll(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#polling) {
      this.#again = true;
      return this.#polling;
    }
    this.#polling = (async () => {
      do {
        this.#again = false;
        try {
          await this.#pollOnce();
        } catch (err) {
          this.deps.logger.error({ err }, 'looking for due webhook deliveries failed; will retry');
        }
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#polling = null;
    });
    return this.#polling;
  }

  /** Stops taking deliveries and waits for the attempts in flight (each bounded by its deadline). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#polling;
    await Promise.all([...this.#sends]);
  }

  async #pollOnce(): Promise<void> {
    const { repo, clock } = this.deps;
    for await (const ep of repo.activeEndpoints()) {
      if (this.#stopped) return;
      const free = Math.min(
        this.deps.maxInFlightPerEndpoint - (this.#inFlight.get(ep.value.id) ?? 0),
        this.deps.maxInFlight - this.#total,
      );
      if (free <= 0) continue;
      const nowMs = clock.nowMs();
      for (const due of await repo.dueDeliveries(ep.value.id, nowMs, free)) {
        const leased = lease(due.value, nowMs + this.deps.timeoutMs + this.deps.leaseMarginMs);
        // Another dispatcher (or an API retry) wrote first: it is theirs.
        if (!(await repo.putDelivery(leased, due.v + 1))) continue;
        this.#start(ep, { value: leased, v: due.v + 1 });
      }
    }
  }

  #start(ep: Versioned<Endpoint>, d: Versioned<Delivery>): void {
    const id = ep.value.id;
    this.#inFlight.set(id, (this.#inFlight.get(id) ?? 0) + 1);
    this.#total += 1;
    const p = this.#attempt(ep, d)
      .catch((err) =>
        this.deps.logger.error({ err, deliveryId: d.value.id }, 'webhook attempt failed to record'),
      )
      .finally(() => {
        this.#total -= 1;
        const left = (this.#inFlight.get(id) ?? 1) - 1;
        if (left === 0) this.#inFlight.delete(id);
        else this.#inFlight.set(id, left);
        this.#sends.delete(p);
        // A slot is free: more of this endpoint's deliveries may be due.
        if (!this.#stopped) void this.poll();
      });
    this.#sends.add(p);
  }

  async #attempt(listed: Versioned<Endpoint>, d: Versioned<Delivery>): Promise<void> {
    const { repo, clock, logger } = this.deps;
    // Read again just before sending: an endpoint disabled (a 410 to a parallel attempt, a
    // PATCH) or deleted since the poll listed it gets nothing more. The lease is left to lapse;
    // the delivery is sent if the endpoint is enabled again.
    const ep = await repo.endpoint(listed.value.id);
    if (!ep?.value.enabled) return;
    const event = await repo.event(d.value.eventId);
    if (!event) throw new Error(`webhook event ${d.value.eventId} is missing`);
    const nowMs = clock.nowMs();
    const keys = await this.deps.secrets.open(ep.value, ep.v, activeSecrets(ep.value, nowMs));
    const headers = signedHeaders(keys, event.id, Math.floor(nowMs / 1000), event.body);
    let statusCode: number | null = null;
    let error: string | null = null;
    let latencyMs = 0;
    try {
      const target = await resolveTarget(new URL(ep.value.url), this.deps.allowPrivate, this.deps.resolver);
      const sent = await this.deps.sender(target, { ...headers }, event.body, this.deps.timeoutMs);
      ({ statusCode, error, latencyMs } = sent);
    } catch (err) {
      if (!(err instanceof PaystreamError)) throw err;
      error = `${err.code}: ${err.message}`;
    }
    const result = resultOf(statusCode, latencyMs, error);
    this.#attempts.inc({ outcome: result.kind });
    this.#latency.observe(latencyMs);
    const outcome = recordAttempt(d.value, result, clock.nowMs(), this.deps.random());
    await repo.putDelivery(outcome.delivery, d.v + 1);
    logger.debug(
      { deliveryId: d.value.id, endpointId: ep.value.id, statusCode, error, status: outcome.delivery.status },
      'webhook attempt',
    );
    if (outcome.disableEndpoint) await this.#disable(ep.value.id);
  }

  /** The receiver answered 410 Gone: the endpoint is disabled until a PATCH enables it. */
  async #disable(endpointId: string): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const cur = await this.deps.repo.endpoint(endpointId);
      if (!cur?.value.enabled) return;
      const next = setEnabled(cur.value, false, 'gone', this.deps.clock.nowMs());
      if (await this.deps.repo.putEndpoint(next, cur.v + 1)) {
        this.deps.logger.warn({ endpointId }, 'webhook endpoint answered 410 Gone; disabled');
        return;
      }
    }
  }
}
