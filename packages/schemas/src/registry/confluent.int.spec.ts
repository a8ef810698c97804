// The Confluent adapter against a real registry server: Apicurio Registry's Confluent-compatible
// API, started by the integration global setup (PAYSTREAM_TEST_SCHEMA_REGISTRY_URL). It runs the
// shared contract, and shows that the adapter puts every subject at BACKWARD compatibility so
// that the registry itself refuses a schema that could not read the records already written.

import { randomBytes } from 'node:crypto';
import { PaystreamError } from '@paystream/core';
import { describe, expect, it } from 'vitest';
import type { AvroSchema } from '../catalog.js';
import { ConfluentSchemaRegistry } from './confluent.js';
import { schemaRegistryContract } from './contract.js';

const url = process.env.PAYSTREAM_TEST_SCHEMA_REGISTRY_URL;
if (!url)
  throw new Error(
    'PAYSTREAM_TEST_SCHEMA_REGISTRY_URL is not set: the integration global setup starts the registry',
  );
const registryUrl = url;

schemaRegistryContract(`confluent (Apicurio Registry at ${registryUrl})`, async () => {
  return new ConfluentSchemaRegistry({ url: registryUrl });
});

const CT = { 'content-type': 'application/vnd.schemaregistry.v1+json' };

async function rest(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${registryUrl}${path}`, {
    method,
    headers: CT,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

const levelOf = async (subject: string) =>
  ((await rest('GET', `/config/${subject}`)).body as { compatibilityLevel: string }).compatibilityLevel;

const versionsOf = async (subject: string) => (await rest('GET', `/subjects/${subject}/versions`)).body;

function booking(...extra: AvroSchema[]): AvroSchema {
  return {
    type: 'record',
    name: 'Booking',
    namespace: 'paystream.test',
    fields: [{ name: 'id', type: 'string' }, ...extra],
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof PaystreamError ? err.code : `not a PaystreamError: ${String(err)}`;
  }
  return 'resolved';
}

describe('ConfluentSchemaRegistry on a real registry: compatibility', () => {
  const subject = () => `paystream.test.Booking-${randomBytes(4).toString('hex')}`;

  it('sets a new subject to BACKWARD, accepts a compatible version and refuses an incompatible one', async () => {
    const s = subject();
    const registry = new ConfluentSchemaRegistry({ url: registryUrl });
    const v1 = await registry.register(s, booking());
    expect(await levelOf(s)).toBe('BACKWARD');

    // A new field with a default: old records still read, so the registry takes it.
    const v2 = await registry.register(s, booking({ name: 'note', type: 'string', default: '' }));
    expect(v2).not.toBe(v1);
    expect(await registry.register(s, booking())).toBe(v1); // registering again is a lookup

    // A new field without a default cannot read v1 records: the registry answers 409.
    const incompatible = booking(
      { name: 'note', type: 'string', default: '' },
      { name: 'amountMinor', type: 'long' },
    );
    await expect(registry.register(s, incompatible)).rejects.toThrow(/not BACKWARD-compatible/);
    expect(await codeOf(registry.register(s, incompatible))).toBe('schema_incompatible');
    expect(await versionsOf(s)).toEqual([1, 2]); // nothing was written
  });

  it('gives every service the same id when six register one new schema at once', async () => {
    // Services starting together (paystream up, the chaos suite) register the envelope at the same
    // moment; Apicurio on H2 answers all but one with 500, and the adapter's retry finds it.
    const s = subject();
    const ids = await Promise.all(
      Array.from({ length: 6 }, () =>
        new ConfluentSchemaRegistry({ url: registryUrl }).register(s, booking()),
      ),
    );
    expect(new Set(ids).size).toBe(1);
  });

  it('raises a lax subject level to BACKWARD and keeps a stricter one', async () => {
    // Registered by another client, without a level of its own: the registry's default (NONE).
    const lax = subject();
    expect(
      (await rest('POST', `/subjects/${lax}/versions`, { schema: JSON.stringify(booking()) })).status,
    ).toBe(200);
    expect(await levelOf(lax)).toBe('NONE');
    await new ConfluentSchemaRegistry({ url: registryUrl }).register(lax, booking());
    expect(await levelOf(lax)).toBe('BACKWARD');

    const strict = subject();
    expect((await rest('PUT', `/config/${strict}`, { compatibility: 'FULL' })).status).toBe(200);
    await new ConfluentSchemaRegistry({ url: registryUrl }).register(strict, booking());
    expect(await levelOf(strict)).toBe('FULL');
  });

  it('refuses a schema the registry cannot parse, and writes nothing', async () => {
    const s = subject();
    const registry = new ConfluentSchemaRegistry({ url: registryUrl });
    const code = await codeOf(registry.register(s, { type: 'record', name: 'Broken', fields: 'none' }));
    expect(['invalid_schema', 'schema_incompatible']).toContain(code);
    expect((await rest('GET', `/subjects/${s}/versions`)).status).toBe(404);
  });
});
