export * from './domain/index.js';
export * from './gateway/index.js';
export { CARD_VAULT_TABLE } from './processor/card-vault.js';
export * from './service.js';
