// One POST to a webhook endpoint: to the pinned address, no redirects (node's http client
// follows none), the status line within the deadline or it is a timeout. The response body is
// drained and discarded (at most MAX_RESPONSE_BYTES read) — receivers answer with whatever.

import http from 'node:http';
import https from 'node:https';
import { pinnedLookup, type Target } from '../ssrf/guard.js';

export const DELIVERY_TIMEOUT_MS = 10_000;
export const MAX_RESPONSE_BYTES = 64 * 1024;
export const USER_AGENT = 'Paystream-Webhooks/1';

export interface SendResult {
  readonly statusCode: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
}

export type Sender = (
  target: Target,
  headers: Readonly<Record<string, string>>,
  body: string,
  timeoutMs: number,
) => Promise<SendResult>;

export const httpSender: Sender = (target, headers, body, timeoutMs) =>
  new Promise((resolve) => {
    const started = performance.now();
    let done = false;
    const finish = (statusCode: number | null, error: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ statusCode, latencyMs: Math.round(performance.now() - started), error });
    };
    const { url } = target;
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        lookup: pinnedLookup(target),
        agent: false,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': USER_AGENT,
        },
      },
      (res) => {
        finish(res.statusCode ?? null, null);
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('error', () => {});
      },
    );
    const timer = setTimeout(() => {
      finish(null, `timeout after ${timeoutMs} ms`);
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish(null, err.code ?? err.message));
    req.end(body);
  });
