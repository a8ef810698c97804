// The schema-registry contract. Both adapters run it in every `npm test`: the embedded one in
// the unit project, the Confluent one against the Apicurio Registry server that the
// integration project's global setup starts (confluent.int.spec.ts).

import { describe, expect, it } from 'vitest';
import { ENVELOPE_SUBJECT, loadCatalog } from '../catalog.js';
import { EnvelopeCodec } from '../codec.js';
import type { SchemaRegistry } from './port.js';

export function schemaRegistryContract(name: string, make: () => Promise<SchemaRegistry>): void {
  describe(`schema registry contract: ${name}`, () => {
    const catalog = loadCatalog();

    it('registers the envelope idempotently and returns it by id', async () => {
      const registry = await make();
      const a = await registry.register(ENVELOPE_SUBJECT, catalog.envelope);
      const b = await registry.register(ENVELOPE_SUBJECT, catalog.envelope);
      expect(a).toBe(b);
      const back = await registry.schemaById(a);
      expect((back as { name?: string }).name).toBe('Envelope');
    });

    it('refuses an unknown id with a clear error', async () => {
      const registry = await make();
      await expect(registry.schemaById(987_654)).rejects.toThrow(/987654/);
    });

    it('lets two codecs on the same registry read each other', async () => {
      const writer = await EnvelopeCodec.create(await make());
      const reader = await EnvelopeCodec.create(await make());
      const e = writer.chain({
        eventId: 'evt_1',
        type: 'EscrowDisputed',
        aggregateId: 'pay_1',
        aggregateVersion: 1,
        tenantId: 'default',
        occurredAtMs: 1,
        causationId: null,
        correlationId: 'c',
        payload: {
          escrowId: 'esc_1',
          paymentId: 'pay_1',
          disputeId: 'd',
          reason: 'no-show',
          frozenMinor: 500,
          currency: 'USD',
        },
      });
      const [back] = await reader.decodeAll([writer.encode(e)]);
      expect(back?.hash).toBe(e.hash);
    });
  });
}
