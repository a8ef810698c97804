// Loads the Avro catalog from schemas/avro/: the envelope plus one file per payload (events/,
// commands/). The envelope's `payload` field becomes the union of every payload record, so one
// registered schema describes every record on every topic.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCHEMA_DIR = fileURLToPath(new URL('../../../schemas/avro/', import.meta.url));
export const ENVELOPE_SUBJECT = 'paystream.Envelope';
const PAYLOAD_NAMESPACES = { events: 'paystream.events', commands: 'paystream.commands' } as const;

export type AvroSchema = Record<string, unknown>;

export interface Catalog {
  /** The assembled envelope schema with every payload inlined. */
  readonly envelope: AvroSchema;
  /** Short payload type name (e.g. `PaymentRequested`) → fully qualified Avro name. */
  readonly payloadTypes: ReadonlyMap<string, string>;
}

function readJson(path: string): AvroSchema {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as AvroSchema;
  } catch (err) {
    throw new Error(`cannot read Avro schema ${path}: ${(err as Error).message}`);
  }
}

export function loadCatalog(dir = SCHEMA_DIR): Catalog {
  const envelope = readJson(join(dir, 'envelope.avsc'));
  const payloads: AvroSchema[] = [];
  const payloadTypes = new Map<string, string>();
  for (const [sub, namespace] of Object.entries(PAYLOAD_NAMESPACES)) {
    const folder = join(dir, sub);
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder)
      .filter((f) => f.endsWith('.avsc'))
      .sort()) {
      const schema = readJson(join(folder, file));
      const name = schema.name;
      if (typeof name !== 'string' || `${name}.avsc` !== file || schema.namespace !== namespace) {
        throw new Error(
          `${sub}/${file}: record name must match the file name and namespace must be ${namespace}`,
        );
      }
      if (payloadTypes.has(name)) throw new Error(`payload type ${name} is defined twice`);
      payloadTypes.set(name, `${namespace}.${name}`);
      payloads.push(schema);
    }
  }
  const fields = (envelope.fields as AvroSchema[]).map((f) =>
    f.type === 'PAYLOAD_UNION' ? { ...f, type: payloads } : f,
  );
  return { envelope: { ...envelope, fields }, payloadTypes };
}
