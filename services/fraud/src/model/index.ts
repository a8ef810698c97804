export * from './load.js';
export * from './metrics.js';
export * from './model.js';
export * from './train.js';
