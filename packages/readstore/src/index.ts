export { DynamoDbReadStore, type DynamoDbReadStoreOptions } from './dynamodb.js';
export * from './port.js';
export { SqliteReadStore, type SqliteReadStoreOptions } from './sqlite.js';
