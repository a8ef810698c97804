// Encodes envelopes in the Confluent wire format — magic byte 0, 4-byte big-endian schema id,
// Avro binary — whichever registry assigned the id, so a record written in embedded mode is
// readable by any Confluent-aware tool once the schema is registered there.

import { PaystreamError } from '@paystream/core';
import { type AvroType, avroType } from './avro.js';
import { type Catalog, ENVELOPE_SUBJECT, loadCatalog } from './catalog.js';
import { chainHash, type Envelope, GENESIS_HASH, type UnchainedEnvelope } from './envelope.js';
import type { PayloadType } from './generated/payloads.js';
import type { SchemaRegistry } from './registry/port.js';

const MAGIC = 0;
const HEADER_BYTES = 5;

type WireEnvelope = Omit<Envelope, 'payload'> & { payload: Record<string, unknown> };

export class EnvelopeCodec {
  readonly schemaId: number;
  readonly #registry: SchemaRegistry;
  readonly #type: AvroType;
  readonly #payloadTypes: ReadonlyMap<string, string>;
  /** writer schema id → resolver into the current reader type (null: same schema). */
  readonly #resolvers = new Map<number, ReturnType<AvroType['createResolver']> | null>();

  private constructor(registry: SchemaRegistry, catalog: Catalog, schemaId: number) {
    this.#registry = registry;
    this.#type = avroType(catalog.envelope);
    this.#payloadTypes = catalog.payloadTypes;
    this.schemaId = schemaId;
    this.#resolvers.set(schemaId, null);
  }

  static async create(registry: SchemaRegistry, catalog: Catalog = loadCatalog()): Promise<EnvelopeCodec> {
    const id = await registry.register(ENVELOPE_SUBJECT, catalog.envelope);
    return new EnvelopeCodec(registry, catalog, id);
  }

  #toWire(e: Envelope): WireEnvelope {
    const fq = this.#payloadTypes.get(e.type);
    if (!fq)
      throw new PaystreamError('unknown_event_type', `no Avro schema for event type ${e.type}`, 'type');
    return { ...e, payload: { [fq]: e.payload } };
  }

  #fromWire(w: WireEnvelope): Envelope {
    const [fq, payload] = Object.entries(w.payload)[0] ?? [];
    const type = fq?.split('.').at(-1);
    if (type !== w.type) {
      throw new PaystreamError(
        'corrupt_event',
        `event ${w.eventId}: type ${w.type} does not match its payload ${fq}`,
      );
    }
    return { ...w, type: type as PayloadType, payload: payload as Envelope['payload'] };
  }

  /** Avro bytes of `e` with hash and schemaId blanked: the input of the chain hash. */
  canonicalBytes(e: Envelope): Buffer {
    return this.#type.toBuffer(this.#toWire({ ...e, hash: '', schemaId: 0 }));
  }

  /** Seals an event onto its aggregate's chain. */
  chain<T extends PayloadType>(e: UnchainedEnvelope<T>, prevHash: string = GENESIS_HASH): Envelope<T> {
    const draft = { ...e, schemaId: this.schemaId, prevHash, hash: '' } as Envelope<T>;
    return { ...draft, hash: chainHash(prevHash, this.canonicalBytes(draft)) };
  }

  /** Recomputes an event's hash; the audit verifier compares it with the stored one. */
  expectedHash(e: Envelope): string {
    return chainHash(e.prevHash, this.canonicalBytes(e));
  }

  encode(e: Envelope): Buffer {
    const body = this.#type.toBuffer(this.#toWire(e));
    const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    out.writeUInt8(MAGIC, 0);
    out.writeUInt32BE(this.schemaId, 1);
    body.copy(out, HEADER_BYTES);
    return out;
  }

  static schemaIdOf(buf: Uint8Array): number {
    if (buf.length < HEADER_BYTES || buf[0] !== MAGIC) {
      throw new PaystreamError(
        'corrupt_event',
        'record is not in the Confluent wire format (magic byte 0 + schema id)',
      );
    }
    return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).readUInt32BE(1);
  }

  /** Loads the writer schemas of `bufs` so decode() can run synchronously on them. */
  async prepare(bufs: Iterable<Uint8Array>): Promise<void> {
    for (const b of bufs) {
      const id = EnvelopeCodec.schemaIdOf(b);
      if (this.#resolvers.has(id)) continue;
      const writer = avroType(await this.#registry.schemaById(id));
      this.#resolvers.set(id, this.#type.createResolver(writer));
    }
  }

  decode(buf: Uint8Array): Envelope {
    const id = EnvelopeCodec.schemaIdOf(buf);
    const resolver = this.#resolvers.get(id);
    if (resolver === undefined) {
      throw new PaystreamError('unknown_schema_id', `schema ${id} not loaded: call prepare() first`);
    }
    const body = Buffer.from(buf.buffer, buf.byteOffset + HEADER_BYTES, buf.byteLength - HEADER_BYTES);
    let wire: WireEnvelope;
    try {
      wire = (resolver ? this.#type.fromBuffer(body, resolver) : this.#type.fromBuffer(body)) as WireEnvelope;
    } catch (err) {
      throw new PaystreamError(
        'corrupt_event',
        `record does not decode with schema ${id}: ${(err as Error).message}`,
      );
    }
    return this.#fromWire(wire);
  }

  async decodeAll(bufs: readonly Uint8Array[]): Promise<Envelope[]> {
    await this.prepare(bufs);
    return bufs.map((b) => this.decode(b));
  }
}
