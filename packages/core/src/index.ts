export * from './bounded-cache.js';
export * from './clock.js';
export * from './errors.js';
export * from './hash.js';
export * from './money.js';
export * from './random.js';
