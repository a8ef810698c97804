export * from './domain/index.js';
export * from './gateway/index.js';
export * from './service.js';
