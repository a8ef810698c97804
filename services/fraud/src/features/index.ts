export { BoundedMap } from './bounded-map.js';
export * from './definitions.js';
export * from './store.js';
