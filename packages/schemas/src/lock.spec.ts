import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { avroType, backwardIncompatibility } from './avro.js';
import { type AvroSchema, loadCatalog } from './catalog.js';
import { checkLock } from './lock.js';
import { generatePayloadTypes } from './typegen.js';

describe('committed schemas', () => {
  it('are locked: the current envelope equals the newest version in schemas/avro/lock.json', () => {
    const check = checkLock();
    expect(check.upToDate, 'schemas/avro changed without `npm run schemas:lock`').toBe(true);
  });

  it('stay backward compatible: the current envelope reads data written by every locked version', () => {
    expect(checkLock().incompatibilities).toEqual([]);
  });

  it('have up-to-date TypeScript types (`npm run schemas:types`)', () => {
    const committed = readFileSync(new URL('./generated/payloads.ts', import.meta.url), 'utf8');
    const fresh = generatePayloadTypes(loadCatalog());
    expect(committed === fresh, 'src/generated/payloads.ts is stale: run `npm run schemas:types`').toBe(true);
  });
});

describe('the backward-compatibility check', () => {
  const catalog = loadCatalog();
  const withPaymentRequestedField = (field: AvroSchema): AvroSchema => {
    const fields = (catalog.envelope.fields as AvroSchema[]).map((f) => {
      if (f.name !== 'payload') return f;
      const union = (f.type as AvroSchema[]).map((p) =>
        p.name === 'PaymentRequested' ? { ...p, fields: [...(p.fields as AvroSchema[]), field] } : p,
      );
      return { ...f, type: union };
    });
    return { ...catalog.envelope, fields };
  };
  const current = avroType(catalog.envelope);

  it('rejects a new required field without a default', () => {
    const reader = avroType(withPaymentRequestedField({ name: 'channel', type: 'string' }));
    expect(backwardIncompatibility(reader, current)).toMatch(/channel|PaymentRequested/);
  });

  it('accepts a new optional field with a default', () => {
    const reader = avroType(
      withPaymentRequestedField({ name: 'channel', type: ['null', 'string'], default: null }),
    );
    expect(backwardIncompatibility(reader, current)).toBeNull();
  });

  it('rejects dropping an event type that old data may contain', () => {
    const fields = (catalog.envelope.fields as AvroSchema[]).map((f) =>
      f.name === 'payload'
        ? { ...f, type: (f.type as AvroSchema[]).filter((p) => p.name !== 'EscrowDisputed') }
        : f,
    );
    const reader = avroType({ ...catalog.envelope, fields });
    expect(backwardIncompatibility(reader, current)).not.toBeNull();
  });
});
