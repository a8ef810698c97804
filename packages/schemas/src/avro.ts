// One place that turns schema JSON into avsc types, with the same options everywhere, so the
// embedded and Confluent paths encode byte-identically.

import avro from 'avsc';
import type { AvroSchema } from './catalog.js';

export type AvroType = avro.Type;

export function avroType(schema: AvroSchema): AvroType {
  // 'auto': nullable fields stay plain values (T | null); the payload union of records is
  // wrapped ({ 'paystream.events.X': {...} }) so the branch is explicit, never guessed.
  return avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' });
}

/** Null when `reader` can read everything `writer` wrote (Avro backward compatibility). */
export function backwardIncompatibility(reader: AvroType, writer: AvroType): string | null {
  try {
    reader.createResolver(writer);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function fingerprintOf(type: AvroType): string {
  return type.fingerprint('sha256').toString('hex');
}
