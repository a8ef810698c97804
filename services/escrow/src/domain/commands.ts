// What can be asked of one payment. Every command carries a commandId (metadata), unique per
// request and stable across redeliveries; the ids of everything the command creates (release,
// refund, dispute, event ids) derive from it, so deciding a redelivered command twice yields
// byte-identical events that idempotent writes recognise.
//
// Results from the outside world (the fraud score, the network's answer, the time) come IN as
// commands, so decide() stays a pure function of (command, state).

import type { DisputeOutcome, FraudDecision, FraudReason, RiskSignals } from './events.js';

export interface CommandMetadata {
  readonly commandId: string;
}

type Command<T extends string, D> = {
  readonly type: T;
  readonly data: D;
  readonly metadata: CommandMetadata;
};

export type RequestPayment = Command<
  'RequestPayment',
  {
    readonly paymentId: string;
    readonly customerId: string;
    readonly providerId: string;
    readonly paymentMethodId: string;
    readonly amountMinor: number;
    readonly currency: string;
    /** Already resolved: the per-payment override, else the tenant default (see fees.ts). */
    readonly platformFeeBps: number;
    readonly holdUntilMs: number | null;
    readonly autoRelease: boolean;
    readonly metadata: Readonly<Record<string, string>>;
    readonly risk: RiskSignals | null;
    readonly idempotencyKey: string | null;
  }
>;

/** The fraud service's verdict for a pending payment. */
export type ApplyFraudAssessment = Command<
  'ApplyFraudAssessment',
  {
    readonly score: number;
    readonly decision: FraudDecision;
    readonly reasons: readonly FraudReason[];
    readonly modelVersion: string;
  }
>;

/** An admin approves a payment held for fraud review. */
export type ApproveReview = Command<
  'ApproveReview',
  { readonly reviewerId: string; readonly note: string | null }
>;

/** An admin declines a payment held for fraud review. */
export type DeclineReview = Command<
  'DeclineReview',
  { readonly reviewerId: string; readonly reason: string | null }
>;

/** The gateway adapter reports that the network authorized the payment. */
export type RecordAuthorization = Command<
  'RecordAuthorization',
  {
    readonly authorizationId: string;
    /** What the network authorized; must equal the payment (no partial authorizations). */
    readonly amountMinor: number;
    readonly currency: string;
    readonly networkReference: string | null;
  }
>;

/** The gateway adapter reports that the network declined the payment. */
export type RecordNetworkDecline = Command<
  'RecordNetworkDecline',
  { readonly code: string; readonly message: string }
>;

/** The gateway adapter captured the authorized amount; the funds go into escrow. */
export type Capture = Command<'Capture', { readonly captureId: string }>;

/** Release held funds to the provider: all that is held, or `amountMinor` of it. */
export type Release = Command<'Release', { readonly amountMinor: number | null }>;

/** The hold scheduler says the hold may have ended; `nowMs` is its clock reading. */
export type ReleaseExpiredHold = Command<'ReleaseExpiredHold', { readonly nowMs: number }>;

/** Refund held funds to the customer: all that is held, or `amountMinor` of it. */
export type Refund = Command<
  'Refund',
  { readonly amountMinor: number | null; readonly reason: string | null }
>;

/** Freeze everything still held until the dispute is resolved. */
export type OpenDispute = Command<'OpenDispute', { readonly reason: string }>;

/** Send the frozen funds to the provider (release) or back to the customer (refund). */
export type ResolveDispute = Command<'ResolveDispute', { readonly outcome: DisputeOutcome }>;

export type EscrowCommand =
  | RequestPayment
  | ApplyFraudAssessment
  | ApproveReview
  | DeclineReview
  | RecordAuthorization
  | RecordNetworkDecline
  | Capture
  | Release
  | ReleaseExpiredHold
  | Refund
  | OpenDispute
  | ResolveDispute;

export type EscrowCommandType = EscrowCommand['type'];

export const ESCROW_COMMAND_TYPES: readonly EscrowCommandType[] = [
  'RequestPayment',
  'ApplyFraudAssessment',
  'ApproveReview',
  'DeclineReview',
  'RecordAuthorization',
  'RecordNetworkDecline',
  'Capture',
  'Release',
  'ReleaseExpiredHold',
  'Refund',
  'OpenDispute',
  'ResolveDispute',
];
