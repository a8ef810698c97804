// What other services may ask of the read models. Ingest uses it to check that referenced
// cards, bank accounts and payments exist for the tenant (404 otherwise) and to run the escrow
// decider against the current payment state before appending a command, so an illegal
// transition is refused with nothing written. The projections service implements it over the
// ReadStore; the composition root hands the implementation to ingest.

import type { PaymentState } from '@paystream/escrow';
import type { Position } from '@paystream/log';

export interface CardRef {
  readonly id: string;
  readonly tenantId: string;
  readonly customerId: string;
  readonly brand: string;
  readonly bin: string;
  readonly last4: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly fingerprint: string;
}

export interface BankAccountRef {
  readonly id: string;
  readonly tenantId: string;
  readonly ownerId: string;
  readonly routingNumber: string;
  readonly last4: string;
  readonly accountType: string;
  readonly status: string;
}

export interface PaymentRef {
  readonly id: string;
  readonly tenantId: string;
  /** The escrow decider's state, folded from the payment's events by the projection. */
  readonly state: PaymentState;
  /** Where in the log this read model stands for the payment (for read-your-writes). */
  readonly version: number;
}

export interface ReadQueries {
  card(tenantId: string, cardId: string): Promise<CardRef | null>;
  bankAccount(tenantId: string, bankAccountId: string): Promise<BankAccountRef | null>;
  payment(tenantId: string, paymentId: string): Promise<PaymentRef | null>;
  /** Payment id from an escrow id (escrow endpoints take escrow ids). */
  paymentIdForEscrow(tenantId: string, escrowId: string): Promise<string | null>;
  /** Resolves true once every read model reflects the log up to `position`; false on timeout. */
  waitFor(position: Position, timeoutMs: number): Promise<boolean>;
  /** Waits until the read models reflect everything appended so far (bounded). */
  catchUp(timeoutMs: number): Promise<boolean>;
}
