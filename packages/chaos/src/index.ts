export * from './checks.js';
export * from './driver.js';
export * from './invariants.js';
export * from './journal.js';
export * from './scenario.js';
export * from './setup.js';
export * from './supervisor.js';
