// Encodes envelopes in the Confluent wire format — magic byte 0, 4-byte big-endian schema id,
// Avro binary — whichever registry assigned the id, so a record written in embedded mode is
// readable by any Confluent-aware tool once the schema is registered there.

import { invariant, PaystreamError } from '@paystream/core';
import { type AvroType, avroType } from './avro.js';
import { type Catalog, ENVELOPE_SUBJECT, loadCatalog } from './catalog.js';
import { chainHash, type Envelope, GENESIS_HASH, type UnchainedEnvelope } from './envelope.js';
import type { PayloadType } from './generated/payloads.js';
import type { SchemaRegistry } from './registry/port.js';

const MAGIC = 0;
/** The envelope schema's fields, in order: what #fromWire copies. */
const ENVELOPE_FIELDS = [
  'eventId',
  'type',
  'aggregateId',
  'aggregateVersion',
  'tenantId',
  'occurredAtMs',
  'causationId',
  'correlationId',
  'schemaId',
  'prevHash',
  'hash',
  'payload',
] as const;
const HEADER_BYTES = 5;

/** Bytes of a long/int in Avro's zig-zag varint (safe integers only). */
function varintBytes(n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let bytes = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    bytes++;
  }
  return bytes;
}

function writeVarint(out: Buffer, at: number, n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let i = at;
  while (z >= 128) {
    out[i++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  out[i++] = z;
  return i;
}

/** Bytes of an Avro string: its UTF-8 length as a varint, then the bytes. */
function stringBytes(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  return varintBytes(n) + n;
}

type WireEnvelope = Omit<Envelope, 'payload'> & { payload: Record<string, unknown> };

export class EnvelopeCodec {
  readonly schemaId: number;
  readonly #registry: SchemaRegistry;
  readonly #type: AvroType;
  readonly #payloadTypes: ReadonlyMap<string, string>;
  /** writer schema id → resolver into the current reader type (null: same schema). */
  readonly #resolvers = new Map<number, ReturnType<AvroType['createResolver']> | null>();
  /**
   * The record bytes of envelopes made by chain(), made there from the bytes already encoded
   * for the hash, so an event is Avro-encoded once, not twice. Keyed by the (frozen) envelope
   * object; a copy of it is simply encoded again.
   */
  readonly #encoded = new WeakMap<Envelope, Buffer>();

  private constructor(registry: SchemaRegistry, catalog: Catalog, schemaId: number) {
    this.#registry = registry;
    this.#type = avroType(catalog.envelope);
    this.#payloadTypes = catalog.payloadTypes;
    this.schemaId = schemaId;
    this.#resolvers.set(schemaId, null);
    const fields = (this.#type as unknown as { fields: { name: string }[] }).fields.map((f) => f.name);
    invariant(
      fields.join() === ENVELOPE_FIELDS.join(),
      `the envelope schema's fields (${fields.join()}) are not the ones #fromWire copies`,
    );
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

  /**
   * The envelope as a plain object. Built field by field rather than spread, and the payload's
   * branch read without Object.entries: replay decodes every event of the log through here, and
   * the spread and the entries arrays were a third of the decode time. The constructor checks
   * that these are exactly the envelope schema's fields, so a new field cannot be dropped here.
   */
  #fromWire(w: WireEnvelope): Envelope {
    const union = w.payload;
    let fq: string | undefined;
    for (const k in union) {
      if (Object.hasOwn(union, k)) {
        fq = k;
        break;
      }
    }
    const type = fq === undefined ? undefined : fq.slice(fq.lastIndexOf('.') + 1);
    if (type !== w.type) {
      throw new PaystreamError(
        'corrupt_event',
        `event ${w.eventId}: type ${w.type} does not match its payload ${fq}`,
      );
    }
    return {
      eventId: w.eventId,
      type: type as PayloadType,
      aggregateId: w.aggregateId,
      aggregateVersion: w.aggregateVersion,
      tenantId: w.tenantId,
      occurredAtMs: w.occurredAtMs,
      causationId: w.causationId,
      correlationId: w.correlationId,
      schemaId: w.schemaId,
      prevHash: w.prevHash,
      hash: w.hash,
      payload: union[fq!] as Envelope['payload'],
    };
  }

  /** Avro bytes of `e` with hash and schemaId blanked: the input of the chain hash. */
  canonicalBytes(e: Envelope): Buffer {
    return this.#type.toBuffer(this.#toWire({ ...e, hash: '', schemaId: 0 }));
  }

  /**
   * Seals an event onto its aggregate's chain. The envelope comes back frozen: its record bytes
   * are made here, from the same encoding as its hash, and encode() hands them out.
   */
  chain<T extends PayloadType>(e: UnchainedEnvelope<T>, prevHash: string = GENESIS_HASH): Envelope<T> {
    const draft = { ...e, schemaId: this.schemaId, prevHash, hash: '' } as Envelope<T>;
    const canonical = this.canonicalBytes(draft);
    const sealed = Object.freeze({ ...draft, hash: chainHash(prevHash, canonical) }) as Envelope<T>;
    const record = this.#recordFromCanonical(sealed, canonical);
    if (record !== null) this.#encoded.set(sealed, record);
    return sealed;
  }

  /**
   * The record bytes of `e` (header + Avro) from its canonical bytes, which differ only in two
   * fields: schemaId (encoded as 0) and hash (encoded as ''). The envelope schema puts eight
   * fields before schemaId (strings, longs and a null-or-string union, whose lengths follow
   * from the values), then prevHash, then hash, then the payload. Null when the bytes are not
   * where they must be — encode() then encodes from scratch.
   */
  #recordFromCanonical(e: Envelope, canonical: Buffer): Buffer | null {
    const before =
      stringBytes(e.eventId) +
      stringBytes(e.type) +
      stringBytes(e.aggregateId) +
      varintBytes(e.aggregateVersion) +
      stringBytes(e.tenantId) +
      varintBytes(e.occurredAtMs) +
      (e.causationId === null ? 1 : 1 + stringBytes(e.causationId)) +
      stringBytes(e.correlationId);
    const prevHashBytes = stringBytes(e.prevHash);
    const hashAt = before + 1 + prevHashBytes;
    if (canonical[before] !== 0 || canonical[hashAt] !== 0) return null;
    const hashLength = Buffer.byteLength(e.hash, 'utf8');
    const out = Buffer.allocUnsafe(
      HEADER_BYTES + canonical.length - 2 + varintBytes(this.schemaId) + varintBytes(hashLength) + hashLength,
    );
    out.writeUInt8(MAGIC, 0);
    out.writeUInt32BE(this.schemaId, 1);
    let at = HEADER_BYTES + canonical.copy(out, HEADER_BYTES, 0, before);
    at = writeVarint(out, at, this.schemaId);
    at += canonical.copy(out, at, before + 1, hashAt);
    at = writeVarint(out, at, hashLength);
    at += out.write(e.hash, at, 'utf8');
    at += canonical.copy(out, at, hashAt + 1);
    return at === out.length ? out : null;
  }

  /** Recomputes an event's hash; the audit verifier compares it with the stored one. */
  expectedHash(e: Envelope): string {
    return chainHash(e.prevHash, this.canonicalBytes(e));
  }

  encode(e: Envelope): Buffer {
    const made = this.#encoded.get(e);
    if (made !== undefined) return made;
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
    // Big-endian u32 read in place (no Buffer view per record on the replay path).
    return ((buf[1]! << 24) | (buf[2]! << 16) | (buf[3]! << 8) | buf[4]!) >>> 0;
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
    // Decoded in place after the header (no body view); the same checks as fromBuffer.
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    let wire: WireEnvelope;
    try {
      const r = resolver ? this.#type.decode(b, HEADER_BYTES, resolver) : this.#type.decode(b, HEADER_BYTES);
      if (r.offset < 0) throw new Error('truncated buffer');
      if (r.offset < b.length) throw new Error('trailing data');
      wire = r.value as WireEnvelope;
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
