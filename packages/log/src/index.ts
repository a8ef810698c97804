export * from './partitioner.js';
export * from './port.js';
export * from './position.js';
export { SqliteEventLog, type SqliteEventLogOptions } from './sqlite/sqlite-event-log.js';
