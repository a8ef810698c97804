export * from './audit/index.js';
export * from './costs/index.js';
// What the webhooks service sends as an event's `data`: the resource as the read API shows it.
export { escrowView, paymentView } from './http/views.js';
export { bankAccountView } from './projections/bank-accounts.js';
export { ensureProjectionTables, projectBatch } from './projector.js';
export { payoutView } from './queries/balances.js';
export type * from './read-queries.js';
export { createReadQueries, PROJECTIONS_GROUP } from './read-queries-impl.js';
export * from './replay/index.js';
export { projectionsService } from './service.js';
export {
  ACH_RETURNS,
  BANK_ACCOUNT_UPDATES,
  BANK_ACCOUNTS,
  ESCROWS,
  PAYMENTS,
  PAYOUTS,
  PROJECTION_TABLES,
} from './tables.js';
