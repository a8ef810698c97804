export * from './domain/index.js';
export * from './gateway/index.js';
export { cardAad } from './processor/processor.js';
export * from './service.js';
