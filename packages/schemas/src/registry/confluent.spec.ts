// How the Confluent adapter caches lookups and reports failures: 404 "schema not found" (the
// record is bad) and 5xx (the registry is down). A healthy registry never answers 5xx on demand
// and never counts its requests, so a few lines of node:http play those answers here; the rest
// runs against a real registry server in confluent.int.spec.ts.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PaystreamError } from '@paystream/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfluentSchemaRegistry } from './confluent.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof PaystreamError ? err.code : `not a PaystreamError: ${String(err)}`;
  }
  return 'resolved';
}

describe('ConfluentSchemaRegistry lookups', () => {
  let server: Server;
  let url: string;
  let ok: Server;
  let okUrl: string;
  beforeAll(async () => {
    // Answers every id with the same small record schema.
    ok = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(
        JSON.stringify({
          schema: JSON.stringify({ type: 'record', name: 'Stub', fields: [{ name: 'a', type: 'string' }] }),
        }),
      );
    });
    await new Promise<void>((resolve) => ok.listen(0, '127.0.0.1', resolve));
    okUrl = `http://127.0.0.1:${(ok.address() as AddressInfo).port}`;
    server = createServer((req, res) => {
      const notFound = req.url === '/schemas/ids/40403';
      res.writeHead(notFound ? 404 : 503, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(
        JSON.stringify(
          notFound
            ? { error_code: 40403, message: 'Schema not found' }
            : { error_code: 50003, message: 'unavailable' },
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => ok.close(() => resolve()));
  });

  it('fetches a schema once, shared by concurrent lookups, and asks again after a failure', async () => {
    const registry = new ConfluentSchemaRegistry({ url: okUrl });
    const [a, b] = await Promise.all([registry.schemaById(1), registry.schemaById(1)]);
    expect(a).toEqual(b);
    expect((a as { name?: string }).name).toBe('Stub');
    await registry.schemaById(1);
    expect(registry.requests).toBe(1);
    expect(await codeOf(new ConfluentSchemaRegistry({ url }).schemaById(40403))).toBe('unknown_schema_id');
    const failing = new ConfluentSchemaRegistry({ url });
    await codeOf(failing.schemaById(40403));
    await codeOf(failing.schemaById(40403));
    expect(failing.requests).toBe(2);
  });

  it('keeps at most maxCachedSchemas schemas', async () => {
    const registry = new ConfluentSchemaRegistry({ url: okUrl, maxCachedSchemas: 2 });
    for (const id of [1, 2, 3, 1]) await registry.schemaById(id);
    expect(registry.requests).toBe(4); // 1 was evicted by 3
    await registry.schemaById(3);
    expect(registry.requests).toBe(4);
  });

  it('reports a schema the registry does not have as unknown_schema_id', async () => {
    expect(await codeOf(new ConfluentSchemaRegistry({ url }).schemaById(40403))).toBe('unknown_schema_id');
  });

  it('reports a registry answering 5xx as unavailable, not as a bad record', async () => {
    expect(await codeOf(new ConfluentSchemaRegistry({ url }).schemaById(7))).toBe(
      'schema_registry_unavailable',
    );
  }, 30_000);

  it('reports a registry answering 5xx to a registration as unavailable, after its retries', async () => {
    const registry = new ConfluentSchemaRegistry({ url, registrationRetryDelaysMs: [1, 1] });
    const schema = { type: 'record', name: 'T', fields: [{ name: 'a', type: 'string' }] };
    const before = registry.requests;
    expect(await codeOf(registry.register('paystream.test.T', schema))).toBe('schema_registry_unavailable');
    expect(registry.requests - before).toBeGreaterThanOrEqual(3); // the first try and two retries
  });

  it('reports a registry that cannot be reached as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const registry = new ConfluentSchemaRegistry({ url: `http://127.0.0.1:${port}` });
    expect(await codeOf(registry.schemaById(7))).toBe('schema_registry_unavailable');
  }, 30_000);
});
