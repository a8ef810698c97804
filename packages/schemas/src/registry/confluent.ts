// A Confluent-compatible registry (Confluent Schema Registry, Apicurio's ccompat API, …)
// through @kafkajs/confluent-schema-registry. Only registration and lookup go through it;
// encoding stays in codec.ts so both registries produce byte-identical records.
//
// A schema id names one schema forever (the registry never reuses an id), so what was fetched
// is kept — bounded, since ids come off records and a stream of bad ids must not grow memory —
// and concurrent lookups of one id share one request. Failures are not kept.

import { SchemaRegistry as ConfluentClient, SchemaType } from '@kafkajs/confluent-schema-registry';
import { BoundedCache, jsonSizeOf, PaystreamError } from '@paystream/core';
import type { AvroSchema } from '../catalog.js';
import type { SchemaRegistry } from './port.js';

export interface ConfluentRegistryOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Schemas kept by id. Default 1,000. */
  readonly maxCachedSchemas?: number;
}

export class ConfluentSchemaRegistry implements SchemaRegistry {
  readonly kind = 'confluent' as const;
  readonly #client: ConfluentClient;
  readonly #byId: BoundedCache<number, AvroSchema>;
  readonly #fetching = new Map<number, Promise<AvroSchema>>();
  /** Requests sent to the registry (tests and cost checks). */
  requests = 0;

  constructor(options: ConfluentRegistryOptions) {
    this.#byId = new BoundedCache<number, AvroSchema>({
      maxEntries: options.maxCachedSchemas ?? 1_000,
      maxBytes: 64 * 1024 * 1024,
      sizeOf: jsonSizeOf,
    });
    this.#client = new ConfluentClient({
      host: options.url,
      ...(options.username ? { auth: { username: options.username, password: options.password ?? '' } } : {}),
    });
  }

  async register(subject: string, schema: AvroSchema): Promise<number> {
    this.requests++;
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
    let pending = this.#fetching.get(id);
    if (!pending) {
      pending = this.#fetch(id);
      this.#fetching.set(id, pending);
      const forget = () => this.#fetching.delete(id);
      pending.then(forget, forget);
    }
    return await pending;
  }

  async #fetch(id: number): Promise<AvroSchema> {
    this.requests++;
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
