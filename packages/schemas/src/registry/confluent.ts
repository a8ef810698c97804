// A Confluent-compatible registry (Confluent Schema Registry, Apicurio's ccompat API, …)
// through @kafkajs/confluent-schema-registry. Only registration and lookup go through it;
// encoding stays in codec.ts so both registries produce byte-identical records.

import { SchemaRegistry as ConfluentClient, SchemaType } from '@kafkajs/confluent-schema-registry';
import { PaystreamError } from '@paystream/core';
import type { AvroSchema } from '../catalog.js';
import type { SchemaRegistry } from './port.js';

export interface ConfluentRegistryOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

export class ConfluentSchemaRegistry implements SchemaRegistry {
  readonly kind = 'confluent' as const;
  readonly #client: ConfluentClient;
  readonly #byId = new Map<number, AvroSchema>();

  constructor(options: ConfluentRegistryOptions) {
    this.#client = new ConfluentClient({
      host: options.url,
      ...(options.username ? { auth: { username: options.username, password: options.password ?? '' } } : {}),
    });
  }

  async register(subject: string, schema: AvroSchema): Promise<number> {
    const { id } = await this.#client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject },
    );
    this.#byId.set(id, schema);
    return id;
  }

  async schemaById(id: number): Promise<AvroSchema> {
    const cached = this.#byId.get(id);
    if (cached) return cached;
    let schema: AvroSchema;
    try {
      // getSchema returns a parsed avsc type; its .schema() is the JSON we re-parse with our options.
      const type = (await this.#client.getSchema(id)) as unknown as { schema(): AvroSchema };
      schema = type.schema();
    } catch (err) {
      // Only the registry saying "no such schema" means the record is bad. Anything else (the
      // registry down or slow, a 5xx) is an outage: a consumer must wait it out, not
      // dead-letter valid records.
      if (isNotFound(err)) {
        throw new PaystreamError(
          'unknown_schema_id',
          `schema registry has no schema ${id}: ${(err as Error).message}`,
        );
      }
      throw new PaystreamError(
        'schema_registry_unavailable',
        `schema registry did not answer for schema ${id}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    this.#byId.set(id, schema);
    return schema;
  }
}

/** The registry's 404 (Confluent error codes 40403 schema not found, 40401 subject not found). */
function isNotFound(err: unknown): boolean {
  return (err as { status?: unknown } | null)?.status === 404;
}
