// The demo's HTTP client: JSON over loopback, the API keys taken in turn (the ingest routes
// allow 10,000 requests a minute per key), and a record of everything the demo did not expect.
// The demo only asks for legal things, so every answer but a 2xx is unexpected — a 5xx, an
// error code, a refused transition — and so is a result that contradicts the plan. Each is
// counted, the first few are kept, and any of them fails the run.

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly headers: Headers;
}

export interface Unexpected {
  readonly what: string;
  readonly status: number | null;
  readonly code: string | null;
  readonly message: string;
}

export interface CallOptions {
  readonly body?: unknown;
  /** A text/plain body (a NACHA return file). */
  readonly text?: string;
  /** Use the bootstrap key (admin scope: reviews, ACH windows and returns, audit). */
  readonly admin?: boolean;
  readonly idempotencyKey?: string;
}

/** Long enough for the slowest documented wait (an ACH window close waits up to 30 s). */
const REQUEST_TIMEOUT_MS = 60_000;
const KEEP_UNEXPECTED = 10;

export class DemoClient {
  readonly unexpected: Unexpected[] = [];
  unexpectedCount = 0;
  #next = 0;

  constructor(
    readonly url: string,
    private readonly keys: readonly string[],
  ) {}

  /** Records something the plan did not expect. */
  note(problem: Unexpected): void {
    this.unexpectedCount++;
    if (this.unexpected.length < KEEP_UNEXPECTED) this.unexpected.push(problem);
  }

  /** The answer, or null when it was not a 2xx (then it is recorded as unexpected). */
  async call(method: string, path: string, options: CallOptions = {}): Promise<Answer | null> {
    const key = options.admin ? this.keys[0]! : this.keys[this.#next++ % this.keys.length]!;
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.text !== undefined) headers['content-type'] = 'text/plain';
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const what = `${method} ${path.replace(/\?.*$/, '')}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers,
        body: options.text ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      this.note({ what, status: null, code: null, message: (err as Error).message });
      return null;
    }
    let body: Record<string, unknown> = {};
    if (text && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        this.note({ what, status: res.status, code: null, message: 'the answer is not valid JSON' });
        return null;
      }
    }
    if (res.status < 200 || res.status > 299) {
      const code = typeof body.code === 'string' ? body.code : null;
      const message = typeof body.message === 'string' ? body.message : text.slice(0, 200);
      this.note({ what, status: res.status, code, message });
      return null;
    }
    return { status: res.status, body, text, headers: res.headers };
  }
}
