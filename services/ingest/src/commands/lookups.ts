// Reads through the ReadQueries port with read-your-writes: a card tokenized a moment ago may
// not be projected yet, so a miss waits once for the projections to catch up (bounded) before
// it becomes a 404. Another tenant's resource is a miss like an unknown one (404, never 403).

import { PaystreamError } from '@paystream/core';
import { isPayment, type Payment } from '@paystream/escrow';
import type { CardRef, ReadQueries } from '@paystream/projections';

/** How long a miss waits for the projections before answering 404. */
export const CATCH_UP_MS = 2000;

async function withCatchUp<T>(
  queries: Pick<ReadQueries, 'catchUp'>,
  read: () => Promise<T | null>,
): Promise<T | null> {
  const first = await read();
  if (first !== null) return first;
  await queries.catchUp(CATCH_UP_MS);
  return await read();
}

export async function findCard(
  queries: Pick<ReadQueries, 'card' | 'catchUp'>,
  tenantId: string,
  cardId: string,
): Promise<CardRef> {
  const card = await withCatchUp(queries, async () => {
    const c = await queries.card(tenantId, cardId);
    return c !== null && c.tenantId === tenantId ? c : null;
  });
  if (!card) {
    throw new PaystreamError('payment_method_not_found', `no payment method ${cardId}`, 'paymentMethodId');
  }
  return card;
}

export async function findPayment(
  queries: ReadQueries,
  tenantId: string,
  paymentId: string,
  notFound: () => PaystreamError = () =>
    new PaystreamError('payment_not_found', `no payment ${paymentId}`, 'id'),
): Promise<Payment> {
  const state = await withCatchUp(queries, async () => {
    const ref = await queries.payment(tenantId, paymentId);
    return ref !== null && ref.tenantId === tenantId && isPayment(ref.state) ? ref.state : null;
  });
  if (!state) throw notFound();
  return state;
}

export async function findPaymentForEscrow(
  queries: ReadQueries,
  tenantId: string,
  escrowId: string,
): Promise<Payment> {
  const notFound = () => new PaystreamError('escrow_not_found', `no escrow ${escrowId}`, 'id');
  const paymentId = await withCatchUp(queries, () => queries.paymentIdForEscrow(tenantId, escrowId));
  if (!paymentId) throw notFound();
  return await findPayment(queries, tenantId, paymentId, notFound);
}
