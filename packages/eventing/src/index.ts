export * from './topics.js';
export * from './bus.js';
export * from './chains.js';
