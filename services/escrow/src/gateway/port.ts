// The payment-network gateway port: what escrow needs from a card acquirer. The simulator
// (simulator.ts) implements it with ARCHITECTURE.md §5's test cards; a real acquirer's adapter sits
// beside it and passes the same contract (contract.ts).
//
// Card data rule (ARCHITECTURE.md §3.3): the card number crosses this port in memory only, on the way
// to the network. No result, error, id or log line may contain it, or anything derived from
// it that would identify it (the authorization id is derived from the payment, not the card).

export interface CardDetails {
  /** The full PAN, digits only. In memory only; never logged, stored or echoed. */
  readonly number: string;
  /** 1..12 */
  readonly expMonth: number;
  /** Four digits, e.g. 2028. */
  readonly expYear: number;
}

export interface AuthorizeRequest {
  readonly paymentId: string;
  /** Integer minor units. */
  readonly amountMinor: number;
  readonly currency: string;
  readonly card: CardDetails;
}

/** Stable decline codes; the adapter maps an acquirer's codes onto these. */
export type DeclineCode =
  | 'card_declined'
  | 'insufficient_funds'
  | 'incorrect_number'
  | 'expired_card'
  | 'invalid_amount'
  | 'authorization_conflict'
  | 'processing_error';

export type AuthorizeResult =
  | { readonly approved: true; readonly authorizationId: string; readonly networkReference: string | null }
  | { readonly approved: false; readonly code: DeclineCode; readonly message: string };

export interface CaptureRequest {
  readonly paymentId: string;
  readonly authorizationId: string;
  readonly amountMinor: number;
  readonly currency: string;
}

export type CaptureFailureCode =
  | 'authorization_not_found'
  | 'amount_exceeds_authorization'
  | 'currency_mismatch'
  | 'processing_error';

export type CaptureResult =
  | { readonly captured: true; readonly captureId: string }
  | { readonly captured: false; readonly code: CaptureFailureCode; readonly message: string };

export interface RefundRequest {
  readonly paymentId: string;
  readonly captureId: string;
  /** Escrow's refund id: the idempotency key of this refund at the network. */
  readonly refundId: string;
  readonly amountMinor: number;
  readonly currency: string;
}

export type RefundFailureCode =
  | 'capture_not_found'
  | 'amount_exceeds_capture'
  | 'currency_mismatch'
  | 'invalid_amount'
  | 'processing_error';

export type RefundResult =
  | { readonly refunded: true; readonly networkRefundId: string }
  | { readonly refunded: false; readonly code: RefundFailureCode; readonly message: string };

/**
 * Every operation is idempotent on its natural key (paymentId for authorize, authorizationId
 * for capture, refundId for refund): a retry after a crash returns the first answer and moves
 * no money twice. Business failures are results, not exceptions; an exception means the
 * outcome is unknown and the caller must retry with the same key.
 */
export interface PaymentGateway {
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  capture(request: CaptureRequest): Promise<CaptureResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}
