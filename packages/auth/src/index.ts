export * from './bootstrap.js';
export * from './plugin.js';
export * from './tenants.js';
