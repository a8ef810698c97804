// Commands on an existing payment: refund, release, open and resolve a dispute, review. Each
// loads the payment's decider state for this tenant (404 for an unknown id or another tenant's)
// and runs escrow's decide() on it as a pre-check: an illegal transition, or an amount beyond
// what is held, is refused with a 409 and nothing appended. Escrow decides again when it
// applies the command (state may have moved on meanwhile); the pre-check spares the log a
// command that is certain to be rejected.
//
// The command id (the envelope's eventId, from which escrow derives release / refund / dispute
// ids) comes from (tenant, operation, Idempotency-Key) when a key is sent, so a retry yields the
// same ids; otherwise it is random.

import { randomUUID } from 'node:crypto';
import { deterministicId } from '@paystream/core';
import { decide, type EscrowCommand, type EscrowEvent, evolveAll, type Payment } from '@paystream/escrow';
import { sealCommand } from '@paystream/eventing';
import type { Envelope } from '@paystream/schemas';
import type { DisputeBody, RefundBody, ReleaseBody, ResolveDisputeBody, ReviewBody } from '../schemas.js';
import type { CommandDeps } from './deps.js';
import { findPayment, findPaymentForEscrow } from './lookups.js';
import { checkPositiveAmount } from './payments.js';
import type { Caller, Plan, Prepared } from './plan.js';

type Target = { readonly kind: 'payment' | 'escrow'; readonly id: string };

function commandIdFor(tenantId: string, operation: string, target: Target, key: string | null): string {
  return key === null
    ? deterministicId('cmd', randomUUID())
    : deterministicId('cmd', tenantId, operation, target.id, key);
}

/** The id a client recognises for what the command created (release, refund, dispute), else the command id. */
function resultOf(events: readonly EscrowEvent[], commandId: string): { id: string; amount: number | null } {
  for (const e of events) {
    if (e.type === 'EscrowReleased') return { id: e.data.releaseId, amount: e.data.amountMinor };
    if (e.type === 'EscrowRefunded') return { id: e.data.refundId, amount: e.data.amountMinor };
    if (e.type === 'EscrowDisputed') return { id: e.data.disputeId, amount: e.data.frozenMinor };
  }
  return { id: commandId, amount: null };
}

function toEnvelope(
  deps: CommandDeps,
  caller: Caller,
  p: Payment,
  commandId: string,
  command: EscrowCommand,
): Envelope {
  const meta = {
    eventId: commandId,
    aggregateId: p.paymentId,
    tenantId: caller.tenant.id,
    occurredAtMs: deps.engines.clock.nowMs(),
    causationId: null,
    correlationId: commandId,
  };
  const codec = deps.engines.bus.codec;
  const paymentId = p.paymentId;
  switch (command.type) {
    case 'Refund':
      return sealCommand(codec, 'Refund', { paymentId, ...command.data }, meta);
    case 'Release':
      return sealCommand(codec, 'Release', { paymentId, ...command.data }, meta);
    case 'OpenDispute':
      return sealCommand(codec, 'OpenDispute', { paymentId, ...command.data }, meta);
    case 'ResolveDispute':
      return sealCommand(codec, 'ResolveDispute', { paymentId, ...command.data }, meta);
    case 'ApproveReview':
      return sealCommand(codec, 'ApproveReview', { paymentId, ...command.data }, meta);
    case 'DeclineReview':
      return sealCommand(codec, 'DeclineReview', { paymentId, ...command.data }, meta);
    default:
      // Ingest never sends the gateway's, scheduler's or fraud service's commands.
      throw new Error(`ingest does not send ${command.type}`);
  }
}

function prepare(
  deps: CommandDeps,
  caller: Caller,
  operation: string,
  target: Target,
  body: unknown,
  build: (commandId: string) => EscrowCommand,
): Prepared {
  const tenantId = caller.tenant.id;
  return {
    operation,
    resourceId: `${target.kind}:${target.id}`,
    hashBody: body,
    async run(key): Promise<Plan> {
      const command = build(commandIdFor(tenantId, operation, target, key));
      const p =
        target.kind === 'payment'
          ? await findPayment(deps.queries, tenantId, target.id)
          : await findPaymentForEscrow(deps.queries, tenantId, target.id);
      const commandId = command.metadata.commandId;
      const events = decide(command, p); // throws illegal_transition, amount_exceeds_available, …
      const expected = evolveAll(p, events);
      const result = resultOf(events, commandId);
      const envelope = toEnvelope(deps, caller, p, commandId, command);
      return {
        envelopes: [envelope],
        statusCode: 202,
        body: (position) => ({
          id: result.id,
          paymentId: p.paymentId,
          escrowId: p.escrowId,
          command: command.type,
          status: 'accepted',
          expectedStatus: expected.status,
          amount: result.amount,
          currency: p.currency,
          position,
        }),
      };
    },
  };
}

export function prepareRefund(
  deps: CommandDeps,
  caller: Caller,
  paymentId: string,
  body: RefundBody,
): Prepared {
  const amountMinor = body.amount === undefined ? null : checkPositiveAmount(body.amount, 'amount');
  return prepare(deps, caller, 'payment.refund', { kind: 'payment', id: paymentId }, body, (commandId) => ({
    type: 'Refund',
    data: { amountMinor, reason: body.reason ?? null },
    metadata: { commandId },
  }));
}

export function prepareRelease(
  deps: CommandDeps,
  caller: Caller,
  escrowId: string,
  body: ReleaseBody,
): Prepared {
  const amountMinor = body.amount === undefined ? null : checkPositiveAmount(body.amount, 'amount');
  return prepare(deps, caller, 'escrow.release', { kind: 'escrow', id: escrowId }, body, (commandId) => ({
    type: 'Release',
    data: { amountMinor },
    metadata: { commandId },
  }));
}

export function prepareDispute(
  deps: CommandDeps,
  caller: Caller,
  escrowId: string,
  body: DisputeBody,
): Prepared {
  return prepare(deps, caller, 'escrow.dispute', { kind: 'escrow', id: escrowId }, body, (commandId) => ({
    type: 'OpenDispute',
    data: { reason: body.reason },
    metadata: { commandId },
  }));
}

export function prepareResolveDispute(
  deps: CommandDeps,
  caller: Caller,
  escrowId: string,
  body: ResolveDisputeBody,
): Prepared {
  return prepare(deps, caller, 'escrow.resolve', { kind: 'escrow', id: escrowId }, body, (commandId) => ({
    type: 'ResolveDispute',
    data: { outcome: body.outcome },
    metadata: { commandId },
  }));
}

export function prepareReview(
  deps: CommandDeps,
  caller: Caller,
  paymentId: string,
  body: ReviewBody,
): Prepared {
  const note = body.note ?? null;
  return prepare(deps, caller, 'payment.review', { kind: 'payment', id: paymentId }, body, (commandId) =>
    body.decision === 'approve'
      ? { type: 'ApproveReview', data: { reviewerId: caller.actor, note }, metadata: { commandId } }
      : { type: 'DeclineReview', data: { reviewerId: caller.actor, reason: note }, metadata: { commandId } },
  );
}
