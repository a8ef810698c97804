export * from './aws.js';
export * from './kafka.js';
export * from './maven.js';
export * from './process.js';
export * from './python.js';
export * from './registry.js';
export * from './servers.js';
