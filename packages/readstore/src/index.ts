export { DynamoDbReadStore, type DynamoDbReadStoreOptions } from './dynamodb.js';
export { GroupedWriter, type GroupedWriterStats } from './grouped-writes.js';
export * from './port.js';
export { type RowDiff, SqliteReadStore, type SqliteReadStoreOptions } from './sqlite.js';
