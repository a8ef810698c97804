// The escrow decider's events. Payload types mirror schemas/avro/events/*.avsc field for field
// (avro `long` → number, a safe integer; `["null", T]` → T | null). The avsc files are the
// authority: when the two disagree, this file is wrong.
//
// An event is Emmett-shaped: { type, data }. Envelope fields (eventId, aggregateVersion,
// tenantId, occurredAtMs, hashes) are added by the service when it appends.

export interface RiskSignals {
  readonly ipAddress: string | null;
  readonly ipCountry: string | null;
  readonly deviceId: string | null;
  readonly email: string | null;
  readonly userAgent: string | null;
}

export interface PaymentRequested {
  readonly paymentId: string;
  readonly customerId: string;
  readonly providerId: string;
  readonly paymentMethodId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly platformFeeBps: number;
  readonly holdUntilMs: number | null;
  readonly autoRelease: boolean;
  readonly metadata: Readonly<Record<string, string>>;
  readonly risk: RiskSignals | null;
  readonly idempotencyKey: string | null;
}

export interface FraudReason {
  readonly code: string;
  readonly description: string;
  readonly contribution: number;
}

export type FraudDecision = 'approve' | 'review' | 'decline';

export interface FraudAssessed {
  readonly paymentId: string;
  readonly score: number;
  /** approve | review | decline */
  readonly decision: FraudDecision;
  readonly reasons: readonly FraudReason[];
  readonly modelVersion: string;
}

/**
 * NOT YET IN THE CATALOG (requested): an admin approved a payment the fraud service sent to
 * review. Declining a review needs no new event (PaymentDeclined with stage "review").
 */
export interface ReviewApproved {
  readonly paymentId: string;
  readonly reviewerId: string;
  readonly note: string | null;
}

export interface PaymentAuthorized {
  readonly paymentId: string;
  readonly authorizationId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly networkReference: string | null;
}

export type DeclineStage = 'fraud' | 'network' | 'review';

export interface PaymentDeclined {
  readonly paymentId: string;
  /** fraud | network | review */
  readonly stage: DeclineStage;
  readonly code: string;
  readonly message: string;
}

export interface PaymentCaptured {
  readonly paymentId: string;
  readonly captureId: string;
  readonly amountMinor: number;
  readonly currency: string;
}

export interface EscrowHeld {
  readonly escrowId: string;
  readonly paymentId: string;
  readonly providerId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly platformFeeBps: number;
  readonly holdUntilMs: number | null;
  readonly autoRelease: boolean;
}

export type ReleaseTrigger = 'manual' | 'hold_expired' | 'dispute_resolved';

export interface EscrowReleased {
  readonly escrowId: string;
  readonly paymentId: string;
  readonly providerId: string;
  readonly releaseId: string;
  /** Gross amount leaving escrow: feeMinor + netMinor. */
  readonly amountMinor: number;
  readonly feeMinor: number;
  readonly netMinor: number;
  readonly currency: string;
  /** manual | hold_expired | dispute_resolved */
  readonly trigger: ReleaseTrigger;
}

export interface EscrowRefunded {
  readonly escrowId: string;
  readonly paymentId: string;
  readonly refundId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly reason: string | null;
}

export interface EscrowDisputed {
  readonly escrowId: string;
  readonly paymentId: string;
  readonly disputeId: string;
  readonly reason: string;
  readonly frozenMinor: number;
  readonly currency: string;
}

export type DisputeOutcome = 'release' | 'refund';

export interface DisputeResolved {
  readonly escrowId: string;
  readonly paymentId: string;
  readonly disputeId: string;
  /** release | refund */
  readonly outcome: DisputeOutcome;
  readonly amountMinor: number;
  readonly currency: string;
}

type Event<T extends string, D> = { readonly type: T; readonly data: D };

export type EscrowEvent =
  | Event<'PaymentRequested', PaymentRequested>
  | Event<'FraudAssessed', FraudAssessed>
  | Event<'ReviewApproved', ReviewApproved>
  | Event<'PaymentAuthorized', PaymentAuthorized>
  | Event<'PaymentDeclined', PaymentDeclined>
  | Event<'PaymentCaptured', PaymentCaptured>
  | Event<'EscrowHeld', EscrowHeld>
  | Event<'EscrowReleased', EscrowReleased>
  | Event<'EscrowRefunded', EscrowRefunded>
  | Event<'EscrowDisputed', EscrowDisputed>
  | Event<'DisputeResolved', DisputeResolved>;

export type EscrowEventType = EscrowEvent['type'];

/** Every event type a payment's stream holds (besides its JournalEntryPosted entries). */
export const ESCROW_EVENT_TYPES: readonly EscrowEventType[] = [
  'PaymentRequested',
  'FraudAssessed',
  'ReviewApproved',
  'PaymentAuthorized',
  'PaymentDeclined',
  'PaymentCaptured',
  'EscrowHeld',
  'EscrowReleased',
  'EscrowRefunded',
  'EscrowDisputed',
  'DisputeResolved',
];
