// POST /v1/payments (and inbound `payment.create`): checks, in this order — amount, currency,
// tenant limits, provider id, fee, hold, then the payment method (exists for this tenant,
// belongs to this customer, not expired) — then the escrow decider itself as a pre-check, so
// whatever escrow would refuse is refused here with nothing appended.
//
// The payment id is derived from (tenant, Idempotency-Key): the key is required, so a retry can
// never create a second payment, even if the idempotency record were lost — escrow would see a
// second RequestPayment for the same id and refuse it.

import { amountLimitsFor } from '@paystream/auth';
import { deterministicId, isCurrency, PaystreamError } from '@paystream/core';
import {
  decide,
  initialState,
  paymentIdFor,
  type RequestPayment,
  resolvePlatformFeeBps,
} from '@paystream/escrow';
import { sealCommand } from '@paystream/eventing';
import { providerPayable } from '@paystream/ledger';
import type { Payloads } from '@paystream/schemas';
import type { CreatePaymentBody } from '../schemas.js';
import { isExpired } from '../tokenize/card.js';
import type { CommandDeps } from './deps.js';
import { findCard } from './lookups.js';
import type { Caller, Prepared } from './plan.js';

/** The longest escrow hold accepted; a longer one is almost certainly a unit mistake (s vs ms). */
export const MAX_HOLD_MS = 366 * 24 * 60 * 60 * 1000;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

// The formula lives with the escrow domain, which the read API's lookup by key shares.
export { paymentIdFor };

function parseHoldUntil(value: string | number | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const ms = typeof value === 'number' ? value : ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new PaystreamError(
      'invalid_hold_until',
      'escrow.holdUntil must be an ISO 8601 date-time with a zone (2026-02-01T12:00:00Z) or epoch milliseconds',
      'escrow.holdUntil',
    );
  }
  if (ms <= nowMs || ms > nowMs + MAX_HOLD_MS) {
    throw new PaystreamError(
      'invalid_hold_until',
      'escrow.holdUntil must be in the future and at most 366 days ahead',
      'escrow.holdUntil',
    );
  }
  return ms;
}

/** Tenant-independent and tenant-limit checks of the amount; shared with refunds and releases. */
export function checkPositiveAmount(amount: number, field: string): number {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new PaystreamError(
      'invalid_amount',
      `${field} must be a positive integer number of minor units`,
      field,
    );
  }
  return amount;
}

export function preparePayment(deps: CommandDeps, caller: Caller, body: CreatePaymentBody): Prepared {
  const tenant = caller.tenant;
  return {
    operation: 'payment.create',
    resourceId: null,
    hashBody: body,
    async run(key, context) {
      if (key === null) {
        throw new PaystreamError(
          'idempotency_key_required',
          'creating a payment needs an Idempotency-Key header, so a retry cannot charge twice',
          'Idempotency-Key',
        );
      }
      const nowMs = deps.engines.clock.nowMs();
      const amountMinor = checkPositiveAmount(body.amount, 'amount');
      if (!isCurrency(body.currency)) {
        throw new PaystreamError(
          'unsupported_currency',
          `currency ${JSON.stringify(body.currency)} is not a supported upper-case ISO 4217 code`,
          'currency',
        );
      }
      const limits = amountLimitsFor(tenant, body.currency);
      if (amountMinor < limits.minAmountMinor || amountMinor > limits.maxAmountMinor) {
        throw new PaystreamError(
          'amount_out_of_range',
          `amount must be between ${limits.minAmountMinor} and ${limits.maxAmountMinor} minor units of ${body.currency} for this marketplace`,
          'amount',
        );
      }
      providerPayable(body.providerId); // throws invalid_provider_id: the id must name a ledger account
      const platformFeeBps = resolvePlatformFeeBps(body.platformFeeBps, tenant.platformFeeBps);
      const holdUntilMs = parseHoldUntil(body.escrow?.holdUntil, nowMs);

      const card = await findCard(deps.cards, tenant.id, body.paymentMethodId);
      if (card.customerId !== body.customerId) {
        throw new PaystreamError(
          'payment_method_not_owned',
          `payment method ${body.paymentMethodId} does not belong to customer ${body.customerId}`,
          'paymentMethodId',
        );
      }
      if (isExpired(card.expMonth, card.expYear, nowMs)) {
        throw new PaystreamError('card_expired', `payment method ${card.id} has expired`, 'paymentMethodId');
      }

      const paymentId = paymentIdFor(tenant.id, key);
      // A key claimed for the first time has never been planned, so its payment cannot exist
      // (after the key's record expired it might: escrow then refuses the duplicate, since the
      // payment id derives from the key). A key taken over from an earlier attempt may have
      // been appended already: then answer with the payment instead of appending again.
      const existing = context?.firstUse === true ? null : await deps.queries.payment(tenant.id, paymentId);
      if (existing !== null && existing.tenantId === tenant.id && existing.state.status !== 'none') {
        const status = existing.state.status;
        return { envelopes: [], statusCode: 202, body: (position) => ({ id: paymentId, status, position }) };
      }

      const risk = body.risk
        ? {
            ipAddress: body.risk.ipAddress ?? null,
            ipCountry: body.risk.ipCountry ?? null,
            deviceId: body.risk.deviceId ?? null,
            email: body.risk.email ?? null,
            userAgent: body.risk.userAgent ?? null,
          }
        : null;
      const data: Payloads['RequestPayment'] = {
        paymentId,
        customerId: body.customerId,
        providerId: body.providerId,
        paymentMethodId: card.id,
        amountMinor,
        currency: body.currency,
        platformFeeBps,
        holdUntilMs,
        autoRelease: body.escrow?.autoRelease ?? true,
        metadata: { ...(body.metadata ?? {}) },
        risk,
        idempotencyKey: key,
      };
      const commandId = deterministicId('cmd', tenant.id, 'payment.create', key);
      const command: RequestPayment = { type: 'RequestPayment', data, metadata: { commandId } };
      decide(command, initialState()); // escrow's own checks; throws what escrow would reject
      const envelope = sealCommand(deps.engines.bus.codec, 'RequestPayment', data, {
        eventId: commandId,
        aggregateId: paymentId,
        tenantId: tenant.id,
        occurredAtMs: nowMs,
        causationId: null,
        correlationId: commandId,
      });
      return {
        envelopes: [envelope],
        statusCode: 202,
        body: (position) => ({ id: paymentId, status: 'pending', position }),
      };
    },
  };
}
