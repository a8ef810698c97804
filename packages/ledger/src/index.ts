export * from './accounts.js';
export * from './balances.js';
export * from './journal.js';
