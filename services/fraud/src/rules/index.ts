export * from './load.js';
export * from './rules.js';
