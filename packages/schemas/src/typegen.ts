// Generates TypeScript types for the payload schemas, so domain code and Avro cannot drift:
// a unit test fails when src/generated/payloads.ts is stale (`npm run schemas:types`).

import type { AvroSchema, Catalog } from './catalog.js';

type Json = unknown;

function tsType(t: Json, nested: string[]): string {
  if (typeof t === 'string') {
    switch (t) {
      case 'string':
        return 'string';
      case 'int':
      case 'long':
      case 'float':
      case 'double':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'bytes':
        return 'Buffer';
      default:
        return t.split('.').at(-1) ?? t;
    }
  }
  if (Array.isArray(t)) return t.map((b) => tsType(b, nested)).join(' | ');
  const o = t as AvroSchema;
  switch (o.type) {
    case 'array':
      return `${wrap(tsType(o.items, nested))}[]`;
    case 'map':
      return `Record<string, ${tsType(o.values, nested)}>`;
    case 'record':
      nested.push(recordInterface(o, nested));
      return String(o.name);
    default:
      return tsType(o.type, nested);
  }
}

function wrap(s: string): string {
  return s.includes('|') ? `(${s})` : s;
}

function recordInterface(schema: AvroSchema, nested: string[]): string {
  const fields = (schema.fields as AvroSchema[]).map((f) => {
    const doc = typeof f.doc === 'string' ? `  /** ${f.doc} */\n` : '';
    return `${doc}  readonly ${String(f.name)}: ${tsType(f.type, nested)};`;
  });
  const doc = typeof schema.doc === 'string' ? `/** ${schema.doc} */\n` : '';
  return `${doc}export interface ${String(schema.name)} {\n${fields.join('\n')}\n}\n`;
}

export function generatePayloadTypes(catalog: Catalog): string {
  const payloadField = (catalog.envelope.fields as AvroSchema[]).find((f) => f.name === 'payload');
  const payloads = (payloadField?.type ?? []) as AvroSchema[];
  const blocks: string[] = [];
  for (const p of payloads) {
    const nested: string[] = [];
    const main = recordInterface(p, nested);
    blocks.push(...nested, main);
  }
  const names = payloads.map((p) => String(p.name));
  return [
    '// Generated from schemas/avro by `npm run schemas:types`. Do not edit.\n',
    ...blocks,
    `export interface Payloads {\n${names.map((n) => `  ${n}: ${n};`).join('\n')}\n}\n`,
    'export type PayloadType = keyof Payloads;\n',
    `export const PAYLOAD_TYPES: readonly PayloadType[] = [${names.map((n) => `'${n}'`).join(', ')}];\n`,
  ].join('\n');
}
