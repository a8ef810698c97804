// The embedded registry: version n of the locked envelope schema has id n. Ids are therefore
// stable across restarts and machines without any storage of their own.

import { PaystreamError } from '@paystream/core';
import { avroType, fingerprintOf } from '../avro.js';
import type { AvroSchema } from '../catalog.js';
import { readLock, type SchemaLock } from '../lock.js';
import type { SchemaRegistry } from './port.js';

export class EmbeddedSchemaRegistry implements SchemaRegistry {
  readonly kind = 'embedded' as const;
  readonly #lock: SchemaLock;

  constructor(lock: SchemaLock = readLock()) {
    this.#lock = lock;
  }

  async register(subject: string, schema: AvroSchema): Promise<number> {
    if (subject !== this.#lock.subject) {
      throw new PaystreamError(
        'unknown_subject',
        `the embedded registry only holds ${this.#lock.subject}, not ${subject}`,
      );
    }
    const fp = fingerprintOf(avroType(schema));
    const found = this.#lock.versions.find((v) => v.fingerprint === fp);
    if (!found) {
      throw new PaystreamError(
        'schema_not_locked',
        'this schema is not in schemas/avro/lock.json: run `npm run schemas:lock` (it refuses backward-incompatible changes)',
      );
    }
    return found.version;
  }

  async schemaById(id: number): Promise<AvroSchema> {
    const found = this.#lock.versions.find((v) => v.version === id);
    if (!found)
      throw new PaystreamError('unknown_schema_id', `no schema with id ${id} in the embedded registry`);
    return found.schema;
  }
}
