export * from './config.js';
export * from './emf.js';
export * from './engines.js';
export * from './http.js';
export * from './lifecycle.js';
export * from './logger.js';
export * from './metrics.js';
export * from './service.js';
