// The API from the browser: the key is sent as a Bearer header (never a cookie) and kept in
// sessionStorage, so it dies with the tab. Errors keep the API's {code, message, field}.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null,
  ) {
    super(message);
  }
}

const KEY = 'paystream.console.key';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}
export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, key);
}

export type Json = Record<string, unknown>;

export class Api {
  constructor(private readonly key: string) {}

  async #send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['idempotency-key'] = crypto.randomUUID();
    }
    const res = await fetch(path, {
      method,
      headers,
      credentials: 'omit',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) {
      let e: Json = {};
      try {
        e = (await res.json()) as Json;
      } catch {
        // not JSON
      }
      throw new ApiError(
        res.status,
        String(e.code ?? 'http_error'),
        String(e.message ?? `${res.status} ${res.statusText}`),
        typeof e.field === 'string' ? e.field : null,
      );
    }
    return res;
  }

  async get<T = Json>(path: string): Promise<T> {
    return (await (await this.#send('GET', path)).json()) as T;
  }

  async post<T = Json>(path: string, body: unknown = {}): Promise<T> {
    return (await (await this.#send('POST', path, body)).json()) as T;
  }

  async download(path: string): Promise<{ blob: Blob; filename: string }> {
    const res = await this.#send('GET', path);
    const cd = res.headers.get('content-disposition') ?? '';
    const filename = /filename="([^"]+)"/.exec(cd)?.[1] ?? 'download.txt';
    return { blob: await res.blob(), filename };
  }
}
