// A Confluent-compatible registry (Confluent Schema Registry, Apicurio's ccompat API, …).
// Lookups go through @kafkajs/confluent-schema-registry; registration is two plain REST calls,
// because the library's register() refuses a subject whose level differs from the one it is
// told (and a registry answers the global level for a subject without its own), where we want
// to raise a lax level to BACKWARD and keep a stricter one. Encoding stays in codec.ts so both
// registries produce byte-identical records.
//
// A schema id names one schema forever (the registry never reuses an id), so what was fetched
// is kept — bounded, since ids come off records and a stream of bad ids must not grow memory —
// and concurrent lookups of one id share one request. Failures are not kept.

import { SchemaRegistry as ConfluentClient } from '@kafkajs/confluent-schema-registry';
import { BoundedCache, jsonSizeOf, PaystreamError } from '@paystream/core';
import type { AvroSchema } from '../catalog.js';
import type { SchemaRegistry } from './port.js';

export interface ConfluentRegistryOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Schemas kept by id. Default 1,000. */
  readonly maxCachedSchemas?: number;
  /**
   * Waits before each retry of a registration the registry answered 5xx or did not answer.
   * Default 0.2, 0.5, 1, 2 s. Apicurio on H2 answers 500 to all but one of several services
   * registering the same new schema at once; the retry then finds it registered.
   */
  readonly registrationRetryDelaysMs?: readonly number[];
}

const DEFAULT_REGISTRATION_RETRY_DELAYS_MS = [200, 500, 1_000, 2_000] as const;

/**
 * Levels at least as strict as BACKWARD (every one of them refuses what BACKWARD refuses); a
 * subject at any other level (NONE, FORWARD, …, or none of its own) is set to BACKWARD.
 */
const AT_LEAST_BACKWARD: ReadonlySet<string> = new Set([
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
]);

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export class ConfluentSchemaRegistry implements SchemaRegistry {
  readonly kind = 'confluent' as const;
  readonly #client: ConfluentClient;
  readonly #url: string;
  readonly #authorization: string | undefined;
  readonly #byId: BoundedCache<number, AvroSchema>;
  readonly #fetching = new Map<number, Promise<AvroSchema>>();
  readonly #registrationRetryDelaysMs: readonly number[];
  /** Requests sent to the registry (tests and cost checks). */
  requests = 0;

  constructor(options: ConfluentRegistryOptions) {
    this.#url = options.url.replace(/\/+$/, '');
    this.#registrationRetryDelaysMs =
      options.registrationRetryDelaysMs ?? DEFAULT_REGISTRATION_RETRY_DELAYS_MS;
    this.#authorization = options.username
      ? `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`
      : undefined;
    this.#byId = new BoundedCache<number, AvroSchema>({
      maxEntries: options.maxCachedSchemas ?? 1_000,
      maxBytes: 64 * 1024 * 1024,
      sizeOf: jsonSizeOf,
    });
    this.#client = new ConfluentClient({
      host: this.#url,
      ...(options.username ? { auth: { username: options.username, password: options.password ?? '' } } : {}),
    });
  }

  /**
   * Registers `schema` under `subject` (idempotent: the same schema gets its existing id) after
   * making sure the subject's compatibility is BACKWARD or stricter, so the registry itself
   * refuses a version that could not read the records already written.
   */
  async register(subject: string, schema: AvroSchema): Promise<number> {
    for (const delayMs of this.#registrationRetryDelaysMs) {
      try {
        return await this.#register(subject, schema);
      } catch (err) {
        if (!(err instanceof PaystreamError) || err.code !== 'schema_registry_unavailable') throw err;
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
    return await this.#register(subject, schema);
  }

  async #register(subject: string, schema: AvroSchema): Promise<number> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const level = await this.#call('GET', `/config/${encodeURIComponent(subject)}`, undefined, [404]);
    const current = (level.body as { compatibilityLevel?: unknown } | null)?.compatibilityLevel;
    if (typeof current !== 'string' || !AT_LEAST_BACKWARD.has(current.toUpperCase())) {
      await this.#call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'BACKWARD' });
    }
    const res = await this.#call('POST', path, { schema: JSON.stringify(schema) }, [409, 422]);
    if (res.status === 409 && /already exists/i.test(registryMessage(res.body))) {
      // Apicurio: another process created the subject between our steps; retried, not refused.
      throw new PaystreamError(
        'schema_registry_unavailable',
        `registering under ${subject} raced another registration (${registryMessage(res.body)})`,
      );
    }
    if (res.status === 409) {
      throw new PaystreamError(
        'schema_incompatible',
        `the schema registry refused this schema for ${subject}: it is not BACKWARD-compatible with the versions already registered (${registryMessage(res.body)})`,
      );
    }
    if (res.status === 422) {
      throw new PaystreamError(
        'invalid_schema',
        `the schema registry refused this schema for ${subject} as invalid (${registryMessage(res.body)})`,
      );
    }
    const id = (res.body as { id?: unknown } | null)?.id;
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      throw new PaystreamError(
        'schema_registry_unavailable',
        `the schema registry answered a registration under ${subject} without an id`,
      );
    }
    this.#byId.set(id, schema);
    return id;
  }

  /** One REST call; statuses in `expected` (and 2xx) are returned, anything else is an outage. */
  async #call(
    method: 'GET' | 'PUT' | 'POST',
    path: string,
    body?: unknown,
    expected: readonly number[] = [],
  ): Promise<{ status: number; body: unknown }> {
    this.requests++;
    let res: Response;
    try {
      res = await fetch(`${this.#url}${path}`, {
        method,
        headers: {
          accept: CONTENT_TYPE,
          ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }),
          ...(this.#authorization ? { authorization: this.#authorization } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new PaystreamError(
        'schema_registry_unavailable',
        `schema registry at ${this.#url} did not answer ${method} ${path}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!res.ok && !expected.includes(res.status)) {
      throw new PaystreamError(
        'schema_registry_unavailable',
        `schema registry at ${this.#url} answered ${method} ${path} with ${res.status} (${registryMessage(parsed)})`,
      );
    }
    return { status: res.status, body: parsed };
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

function registryMessage(body: unknown): string {
  const m = (body as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : JSON.stringify(body);
}

/** The registry's 404 (Confluent error codes 40403 schema not found, 40401 subject not found). */
function isNotFound(err: unknown): boolean {
  return (err as { status?: unknown } | null)?.status === 404;
}
