export * from './avro.js';
export * from './catalog.js';
export * from './codec.js';
export * from './envelope.js';
export * from './generated/payloads.js';
export * from './lock.js';
export { type ConfluentRegistryOptions, ConfluentSchemaRegistry } from './registry/confluent.js';
export { EmbeddedSchemaRegistry } from './registry/embedded.js';
export type { SchemaRegistry } from './registry/port.js';
