export * from './config.js';
export * from './engines.js';
export * from './http.js';
export * from './lifecycle.js';
export * from './logger.js';
export * from './metrics.js';
export * from './rate-limit.js';
export * from './service.js';
