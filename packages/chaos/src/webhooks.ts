// Webhook deliveries under chaos. A witness in the test process runs two receivers on loopback
// and registers them with the webhooks service before the load: `live` wants every event type
// but payment.held (one per payment: the bulk of the traffic, left out to keep the drain short)
// and answers 204 after verifying the signature with the `standardwebhooks` library; `gone`
// wants payment.held and answers 410, so the dispatcher disables it at its first answer. After
// quiescence: every webhook event the log implies (one per classified event, id from its log
// position) reached `live` at least once, every delivery verified, a repeat carried the same
// webhook-id, and nothing reached `gone` after it was disabled.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOPICS } from '@paystream/eventing';
import type { Engines } from '@paystream/runtime';
import { classify, WEBHOOK_EVENT_TYPES, webhookEventId } from '@paystream/webhooks';
import { Webhook } from 'standardwebhooks';
import { readTopic } from './checks.js';
import type { CheckResult } from './invariants.js';
import type { ChaosLog } from './journal.js';

const LIVE_TYPES = WEBHOOK_EVENT_TYPES.filter((t) => t !== 'payment.held');

/**
 * Requests to `gone` arriving this long after its disable was stored count as sent to a disabled
 * endpoint. The grace covers attempts that read the endpoint (enabled) just before the disable
 * was written, on a machine the chaos keeps busy (event-loop stalls of a second happen).
 */
const DISABLE_SLACK_MS = 2_000;

interface Receiver {
  readonly server: http.Server;
  secret: string;
  endpointId: string;
}

export class WebhookWitness {
  /** webhook-id → deliveries received (each answered 204 once verified). */
  readonly #live = new Map<string, number>();
  /** body id ≠ header id, or a signature that did not verify. */
  readonly #bad: string[] = [];
  readonly #goneArrivalsMs: number[] = [];
  readonly #receivers: { live: Receiver; gone: Receiver };

  private constructor(live: http.Server, gone: http.Server) {
    this.#receivers = {
      live: { server: live, secret: '', endpointId: '' },
      gone: { server: gone, secret: '', endpointId: '' },
    };
  }

  static async start(): Promise<WebhookWitness> {
    let self: WebhookWitness | undefined;
    const live = http.createServer((req, res) => self!.#onLive(req, res));
    const gone = http.createServer((req, res) => {
      self!.#goneArrivalsMs.push(Date.now());
      req.resume();
      req.on('end', () => res.writeHead(410).end());
    });
    self = new WebhookWitness(live, gone);
    for (const s of [live, gone]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return self;
  }

  #onLive(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      try {
        const event = new Webhook(this.#receivers.live.secret).verify(body, headers) as { id: string };
        if (event.id !== headers['webhook-id'])
          this.#bad.push(`${headers['webhook-id']}: body id ${event.id}`);
        this.#live.set(event.id, (this.#live.get(event.id) ?? 0) + 1);
        res.writeHead(204).end();
      } catch (err) {
        if (this.#bad.length < 100) this.#bad.push(`${headers['webhook-id']}: ${(err as Error).message}`);
        res.writeHead(400).end();
      }
    });
  }

  #url(r: Receiver): string {
    return `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/hooks`;
  }

  /** Registers both receivers through the API process (which mounts the webhook endpoints API). */
  async register(apiUrl: string, apiKey: string): Promise<void> {
    const post = async (r: Receiver, events: readonly string[]) => {
      const res = await fetch(`${apiUrl}/v1/webhook-endpoints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: this.#url(r), events, description: 'chaos witness' }),
      });
      const body = (await res.json()) as { id: string; secret: string };
      if (res.status !== 201)
        throw new Error(`registering a webhook endpoint: ${res.status} ${JSON.stringify(body)}`);
      r.secret = body.secret;
      r.endpointId = body.id;
    };
    await post(this.#receivers.live, LIVE_TYPES);
    await post(this.#receivers.gone, ['payment.held']);
  }

  /** The webhook event ids the events log implies for `live` (tenant `default`). */
  static async expectedIds(engines: Engines): Promise<Set<string>> {
    const records = await readTopic(engines, TOPICS.events);
    await engines.bus.codec.prepare(records.map((r) => r.value)).catch(() => undefined);
    const ids = new Set<string>();
    for (const r of records) {
      let envelope: ReturnType<Engines['bus']['codec']['decode']>;
      try {
        envelope = engines.bus.codec.decode(r.value);
      } catch {
        continue; // poison: dead-lettered, not an event
      }
      const c = classify(envelope);
      // Releases are classified `escrow.released` until the payment is seen; live wants both.
      if (c && (LIVE_TYPES as readonly string[]).includes(c.type)) ids.add(webhookEventId(r));
    }
    return ids;
  }

  /** Waits (bounded, with a stall bound) for every expected delivery, then checks. */
  async check(
    engines: Engines,
    apiUrl: string,
    apiKey: string,
    deadlineMs: number,
    log: ChaosLog,
  ): Promise<CheckResult[]> {
    const expected = await WebhookWitness.expectedIds(engines);
    const missing = () => [...expected].filter((id) => !this.#live.has(id));
    let left = missing();
    let lastProgressMs = Date.now();
    let lastLeft = left.length;
    while (left.length > 0 && Date.now() < deadlineMs && Date.now() - lastProgressMs < 180_000) {
      log.line('waiting for webhook deliveries', { missing: left.length, expected: expected.size });
      await new Promise((r) => setTimeout(r, 3_000));
      left = missing();
      if (left.length < lastLeft) lastProgressMs = Date.now();
      lastLeft = left.length;
    }
    const repeats = [...this.#live.values()].reduce((n, c) => n + c - 1, 0);
    const res = await fetch(`${apiUrl}/v1/webhook-endpoints/${this.#receivers.gone.endpointId}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const gone = (await res.json()) as { enabled?: boolean; disabledReason?: string; updatedAt?: string };
    const disabledAtMs = gone.updatedAt ? Date.parse(gone.updatedAt) : Number.NaN;
    const afterDisable = this.#goneArrivalsMs.filter((t) => t > disabledAtMs + DISABLE_SLACK_MS).length;
    return [
      {
        name: 'webhooks: every event delivered at least once, signed',
        ok: left.length === 0 && this.#bad.length === 0,
        detail: `${expected.size} events, ${expected.size - left.length} delivered (${repeats} repeats, same webhook-id), ${left.length} missing${left.length ? ` e.g. ${left.slice(0, 5).join(', ')}` : ''}, ${this.#bad.length} failed verification${this.#bad.length ? `: ${this.#bad.slice(0, 3).join('; ')}` : ''}`,
      },
      {
        name: 'webhooks: nothing sent to an endpoint after it answered 410 and was disabled',
        ok: gone.enabled === false && gone.disabledReason === 'gone' && afterDisable === 0,
        detail: `endpoint ${gone.enabled === false ? `disabled (${gone.disabledReason}) at ${gone.updatedAt}` : 'NOT disabled'}; ${this.#goneArrivalsMs.length} requests in all, ${afterDisable} after the disable`,
      },
    ];
  }

  async close(): Promise<void> {
    for (const r of [this.#receivers.live, this.#receivers.gone]) {
      r.server.closeAllConnections();
      await new Promise<void>((resolve) => r.server.close(() => resolve()));
    }
  }
}
