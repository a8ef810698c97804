export * from './bus.js';
export * from './chains.js';
export * from './topics.js';
