// The payment-network simulator: the embedded-mode gateway, with ARCHITECTURE.md §5's test cards.
//
//   4242424242424242  approves
//   4000000000000002  declined by the network      (card_declined)
//   4000000000009995  declined, insufficient funds (insufficient_funds)
//   4100000000000019  approves HERE: it is the fraud test card, which the fraud service
//                     declines before the network is ever asked
//   any other Luhn-valid number approves; anything else is incorrect_number.
//
// Ids are deterministic (from the payment, authorization, capture and refund ids, never from
// the card), so a retried call gets the same answer. State is in memory and bounded.

import { type Clock, deterministicId, isCurrency, systemClock } from '@paystream/core';
import type {
  AuthorizeRequest,
  AuthorizeResult,
  CaptureRequest,
  CaptureResult,
  CardDetails,
  PaymentGateway,
  RefundRequest,
  RefundResult,
} from './port.js';

export const TEST_CARDS = {
  approves: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  fraud: '4100000000000019',
} as const;

/** Luhn (mod 10) check over a string of 12–19 digits. */
export function isLuhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = number.charCodeAt(number.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A card is usable through the last millisecond of its expiry month (UTC). */
function isExpired(card: CardDetails, nowMs: number): boolean {
  if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) return true;
  if (!Number.isInteger(card.expYear) || card.expYear < 1000 || card.expYear > 9999) return true;
  return Date.UTC(card.expYear, card.expMonth, 1) <= nowMs; // month index expMonth = the next month
}

interface Authorization {
  readonly paymentId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly result: AuthorizeResult;
  capturedMinor: number;
  captureId: string | null;
}

interface Capture {
  readonly authorizationId: string;
  readonly amountMinor: number;
  readonly currency: string;
  refundedMinor: number;
  readonly refunds: Map<string, { readonly amountMinor: number; readonly networkRefundId: string }>;
}

export interface SimulatorOptions {
  /** Reads "now" for card expiry. */
  readonly clock?: Clock;
  /** Bound on remembered authorizations; the oldest are forgotten first. Default 100 000. */
  readonly maxAuthorizations?: number;
}

const isPositiveMinor = (n: number): boolean => Number.isSafeInteger(n) && n > 0;

export class SimulatedGateway implements PaymentGateway {
  readonly #clock: Clock;
  readonly #maxAuthorizations: number;
  readonly #authorizations = new Map<string, Authorization>(); // by authorizationId
  readonly #byPayment = new Map<string, string>(); // paymentId → authorizationId
  readonly #captures = new Map<string, Capture>(); // by captureId

  constructor(options: SimulatorOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#maxAuthorizations = options.maxAuthorizations ?? 100_000;
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    const { paymentId, amountMinor, currency, card } = request;
    const existingId = this.#byPayment.get(paymentId);
    if (existingId !== undefined) {
      const existing = this.#authorizations.get(existingId)!;
      // Same payment, same amount: a retry, so the same answer. Different amount: refuse.
      if (existing.amountMinor === amountMinor && existing.currency === currency) return existing.result;
      return decline('authorization_conflict', 'This payment was already authorized for a different amount.');
    }
    if (!isPositiveMinor(amountMinor) || !isCurrency(currency)) {
      return decline('invalid_amount', 'The amount must be a positive integer in a supported currency.');
    }
    // Messages below are fixed strings: nothing about the card is ever echoed back.
    if (!isLuhnValid(card.number)) return decline('incorrect_number', 'The card number is incorrect.');
    if (isExpired(card, this.#clock.nowMs())) return decline('expired_card', 'The card has expired.');

    let result: AuthorizeResult;
    if (card.number === TEST_CARDS.declined) {
      result = decline('card_declined', 'The card was declined.');
    } else if (card.number === TEST_CARDS.insufficientFunds) {
      result = decline('insufficient_funds', 'The card has insufficient funds.');
    } else {
      const authorizationId = deterministicId('auth', paymentId);
      result = { approved: true, authorizationId, networkReference: deterministicId('net', authorizationId) };
    }
    // Declines are remembered too, so a retry is declined the same way; keyed by payment.
    const key = result.approved ? result.authorizationId : deterministicId('decl', paymentId);
    this.#remember(key, { paymentId, amountMinor, currency, result, capturedMinor: 0, captureId: null });
    return result;
  }

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    const auth = this.#authorizations.get(request.authorizationId);
    if (auth === undefined || !auth.result.approved || auth.paymentId !== request.paymentId) {
      return {
        captured: false,
        code: 'authorization_not_found',
        message: 'No such authorization for this payment.',
      };
    }
    if (request.currency !== auth.currency) {
      return {
        captured: false,
        code: 'currency_mismatch',
        message: 'The capture currency differs from the authorization.',
      };
    }
    if (!isPositiveMinor(request.amountMinor) || request.amountMinor > auth.amountMinor) {
      return {
        captured: false,
        code: 'amount_exceeds_authorization',
        message: 'The capture exceeds the authorized amount.',
      };
    }
    if (auth.captureId !== null) {
      // One capture per authorization; a retry with the same amount gets the same capture.
      if (auth.capturedMinor === request.amountMinor) return { captured: true, captureId: auth.captureId };
      return {
        captured: false,
        code: 'amount_exceeds_authorization',
        message: 'This authorization was already captured.',
      };
    }
    const captureId = deterministicId('cap', request.authorizationId);
    auth.captureId = captureId;
    auth.capturedMinor = request.amountMinor;
    this.#captures.set(captureId, {
      authorizationId: request.authorizationId,
      amountMinor: request.amountMinor,
      currency: request.currency,
      refundedMinor: 0,
      refunds: new Map(),
    });
    return { captured: true, captureId };
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const cap = this.#captures.get(request.captureId);
    const auth = cap === undefined ? undefined : this.#authorizations.get(cap.authorizationId);
    if (cap === undefined || auth === undefined || auth.paymentId !== request.paymentId) {
      return { refunded: false, code: 'capture_not_found', message: 'No such capture for this payment.' };
    }
    const previous = cap.refunds.get(request.refundId);
    if (previous !== undefined) {
      if (previous.amountMinor === request.amountMinor)
        return { refunded: true, networkRefundId: previous.networkRefundId };
      return {
        refunded: false,
        code: 'invalid_amount',
        message: 'This refund id was already used for another amount.',
      };
    }
    if (request.currency !== cap.currency) {
      return {
        refunded: false,
        code: 'currency_mismatch',
        message: 'The refund currency differs from the capture.',
      };
    }
    if (!isPositiveMinor(request.amountMinor)) {
      return {
        refunded: false,
        code: 'invalid_amount',
        message: 'The refund must be a positive integer amount.',
      };
    }
    if (cap.refundedMinor + request.amountMinor > cap.amountMinor) {
      return {
        refunded: false,
        code: 'amount_exceeds_capture',
        message: 'Refunds would exceed the captured amount.',
      };
    }
    const networkRefundId = deterministicId('netrf', request.captureId, request.refundId);
    cap.refundedMinor += request.amountMinor;
    cap.refunds.set(request.refundId, { amountMinor: request.amountMinor, networkRefundId });
    return { refunded: true, networkRefundId };
  }

  #remember(authorizationKey: string, auth: Authorization): void {
    while (this.#authorizations.size >= this.#maxAuthorizations) {
      const [oldestKey, oldest] = this.#authorizations.entries().next().value as [string, Authorization];
      this.#authorizations.delete(oldestKey);
      this.#byPayment.delete(oldest.paymentId);
      if (oldest.captureId !== null) this.#captures.delete(oldest.captureId);
    }
    this.#authorizations.set(authorizationKey, auth);
    this.#byPayment.set(auth.paymentId, authorizationKey);
  }
}

function decline(
  code: Extract<AuthorizeResult, { approved: false }>['code'],
  message: string,
): AuthorizeResult {
  return { approved: false, code, message };
}
