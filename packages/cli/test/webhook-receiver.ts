// A real HTTP receiver on loopback for the webhook tests: records every request, verifies each
// with the `standardwebhooks` library (as a marketplace's server would), and answers as told.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  readonly webhookId: string;
  readonly timestamp: number;
  readonly body: { id: string; type: string; created: string; data: Record<string, unknown> };
  /** Null when the signature verified with the secret current at receipt. */
  readonly verifyError: string | null;
  readonly atMs: number;
}

/** A status to answer, or 'hang' to never answer (until close). */
export type Answer = number | 'hang';

export class Receiver {
  readonly received: Received[] = [];
  secret = '';
  /** How long a numeric answer waits before it is sent. */
  delayMs = 0;
  answer: (webhookId: string, nth: number) => Answer = () => 200;
  readonly #server: http.Server;
  readonly #hanging = new Set<http.ServerResponse>();
  readonly #seen = new Map<string, number>();

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(): Promise<Receiver> {
    let self: Receiver | undefined;
    const server = http.createServer((req, res) => self!.#handle(req, res));
    self = new Receiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks`;
  }

  get hanging(): number {
    return this.#hanging.size;
  }

  ofType(type: string): Received[] {
    return this.received.filter((r) => r.body.type === type);
  }

  async waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; received ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let verifyError: string | null = null;
      try {
        new Webhook(this.secret).verify(payload, headers);
      } catch (err) {
        verifyError = (err as Error).message;
      }
      const nth = (this.#seen.get(headers['webhook-id']) ?? 0) + 1;
      this.#seen.set(headers['webhook-id'], nth);
      this.received.push({
        webhookId: headers['webhook-id'],
        timestamp: Number(headers['webhook-timestamp']),
        body: JSON.parse(payload),
        verifyError,
        atMs: Date.now(),
      });
      const answer = this.answer(headers['webhook-id'], nth);
      if (answer === 'hang') {
        this.#hanging.add(res);
        return;
      }
      const send = () => {
        if (!res.destroyed) res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
      };
      if (this.delayMs > 0) setTimeout(send, this.delayMs);
      else send();
    });
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
