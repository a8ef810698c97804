// The escrow domain core: one pure decider per payment (Emmett shape) plus its posting rules.
export * from './commands.js';
export * from './decide.js';
export * from './events.js';
export * from './evolve.js';
export * from './fees.js';
export * from './ids.js';
export * from './postings.js';
export * from './rejections.js';
export * from './state.js';
