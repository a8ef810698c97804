export * from './generate.js';
export { Prng } from './prng.js';
