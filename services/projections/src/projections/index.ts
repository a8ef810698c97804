// The projections, in the order they run for each event. Order matters only where one reads
// what another wrote for the same event (escrows and provider_balances read the payment item
// payments has just folded), and that order is fixed here.

import { bankAccountsProjection } from './bank-accounts.js';
import { cardsProjection } from './cards.js';
import { commandRejectionsProjection } from './command-rejections.js';
import { escrowsProjection } from './escrows.js';
import { ledgerAccountsProjection } from './ledger-accounts.js';
import { paymentsProjection } from './payments.js';
import { achBatchesProjection, payoutsProjection } from './payouts.js';
import type { Projection } from './projection.js';
import { providerBalancesProjection } from './provider-balances.js';

export type { Projection } from './projection.js';

export const PROJECTIONS: readonly Projection[] = [
  paymentsProjection,
  escrowsProjection,
  cardsProjection,
  bankAccountsProjection,
  providerBalancesProjection,
  payoutsProjection,
  achBatchesProjection,
  ledgerAccountsProjection,
  commandRejectionsProjection,
];
