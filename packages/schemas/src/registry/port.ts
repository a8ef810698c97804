// The schema-registry port: register a schema under a subject and fetch a schema by id. The
// embedded adapter reads schemas/avro/lock.json; the Confluent adapter talks to a
// Confluent-compatible registry through @kafkajs/confluent-schema-registry.

import type { AvroSchema } from '../catalog.js';

export interface SchemaRegistry {
  readonly kind: 'embedded' | 'confluent';
  /** Registers (or finds) `schema` under `subject` and returns its id. Idempotent. */
  register(subject: string, schema: AvroSchema): Promise<number>;
  /** The schema with this id; throws `unknown_schema_id` when there is none. */
  schemaById(id: number): Promise<AvroSchema>;
}
