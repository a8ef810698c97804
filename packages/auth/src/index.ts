export * from './bootstrap.js';
export * from './cache.js';
export * from './key-events.js';
export * from './plugin.js';
export * from './routes.js';
export * from './tenants.js';
export * from './throttle.js';
