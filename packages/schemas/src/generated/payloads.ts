// Generated from schemas/avro by `npm run schemas:types`. Do not edit.

/** A window closed and its NACHA file was written (encrypted) to the object store. */
export interface AchBatchClosed {
  readonly batchId: string;
  readonly fileId: string;
  readonly windowId: string;
  readonly objectKey: string;
  readonly entryCount: number;
  readonly totalCreditMinor: number;
  readonly totalDebitMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
  readonly payoutIds: string[];
  readonly fileSha256: string;
}

/** The receiving bank returned an ACH entry. */
export interface AchReturnReceived {
  readonly returnId: string;
  readonly payoutId: null | string;
  readonly traceNumber: string;
  readonly returnCode: string;
  readonly description: string;
  /** integer minor units (cents) */
  readonly amountMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
  readonly bankAccountId: null | string;
}

/** A bank account was tokenized. */
export interface BankAccountTokenized {
  readonly bankAccountId: string;
  readonly ownerId: string;
  readonly routingNumber: string;
  readonly last4: string;
  /** checking | savings */
  readonly accountType: string;
  readonly holderName: string;
  /** individual | business */
  readonly holderType: string;
  readonly fingerprint: string;
  readonly sealedAccountNumber: string;
}

/** A bank account's status or details changed (ACH return or notification of change). */
export interface BankAccountUpdated {
  readonly bankAccountId: string;
  /** active | closed | invalid | frozen | unauthorized */
  readonly status: string;
  readonly reason: string;
  readonly routingNumber: null | string;
  readonly accountType: null | string;
  readonly last4: null | string;
  readonly sealedAccountNumber: null | string;
}

/** A card was tokenized. Only the sealed (envelope-encrypted) number is kept. */
export interface CardTokenized {
  readonly cardId: string;
  readonly customerId: string;
  readonly brand: string;
  /** first six digits */
  readonly bin: string;
  readonly last4: string;
  readonly expMonth: number;
  readonly expYear: number;
  /** tenant-keyed HMAC of the number */
  readonly fingerprint: string;
  /** envelope-sealed card number (see packages/keys) */
  readonly sealedNumber: string;
}

/** A command could not be applied; nothing else was written for it. */
export interface CommandRejected {
  readonly commandId: string;
  readonly commandType: string;
  readonly code: string;
  readonly message: string;
  readonly field: null | string;
  /** The payment the command was about (null in rejections written before this field). */
  readonly targetId: null | string;
}

/** A dispute ended; the frozen funds go to the provider or back to the customer. */
export interface DisputeResolved {
  readonly escrowId: string;
  readonly paymentId: string;
  readonly disputeId: string;
  /** release | refund */
  readonly outcome: string;
  /** integer minor units (cents) */
  readonly amountMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
}

/** A dispute froze the escrow. */
export interface EscrowDisputed {
  readonly escrowId: string;
  readonly paymentId: string;
  readonly disputeId: string;
  readonly reason: string;
  readonly frozenMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
}

/** Captured funds are held in escrow for the provider. */
export interface EscrowHeld {
  readonly escrowId: string;
  readonly paymentId: string;
  readonly providerId: string;
  /** integer minor units (cents) */
  readonly amountMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
  readonly platformFeeBps: number;
  readonly holdUntilMs: null | number;
  readonly autoRelease: boolean;
}

/** Some or all funds went back to the customer. */
export interface EscrowRefunded {
  readonly escrowId: string;
  readonly paymentId: string;
  readonly refundId: string;
  /** integer minor units (cents) */
  readonly amountMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
  readonly reason: null | string;
}

/** Some or all held funds were released to the provider, less the platform fee. */
export interface EscrowReleased {
  readonly escrowId: string;
  readonly paymentId: string;
  readonly providerId: string;
  readonly releaseId: string;
  /** integer minor units (cents) */
  readonly amountMinor: number;
  readonly feeMinor: number;
  readonly netMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
  /** manual | hold_expired | dispute_resolved */
  readonly trigger: string;
}

export interface FraudReason {
  readonly code: string;
  readonly description: string;
  readonly contribution: number;
}

/** The fraud service scored a payment. */
export interface FraudAssessed {
  readonly paymentId: string;
  /** 0..1000 */
  readonly score: number;
  /** approve | review | decline */
  readonly decision: string;
  readonly reasons: FraudReason[];
  readonly modelVersion: string;
}

export interface Posting {
  readonly account: string;
  /** debit positive, credit negative */
  readonly amountMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
}

/** One balanced double-entry journal entry: postings sum to zero per currency. */
export interface JournalEntryPosted {
  readonly entryId: string;
  readonly description: string;
  readonly sourceEventId: string;
  readonly postings: Posting[];
}

/** The payment network authorized the amount. */
export interface PaymentAuthorized {
  readonly paymentId: string;
  readonly authorizationId: string;
  /** integer minor units (cents) */
  readonly amountMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
  readonly networkReference: null | string;
}

/** Funds were captured at the network (now in gateway clearing). */
export interface PaymentCaptured {
  readonly paymentId: string;
  readonly captureId: string;
  /** integer minor units (cents) */
  readonly amountMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
}

/** The payment will not go ahead. */
export interface PaymentDeclined {
  readonly paymentId: string;
  /** fraud | network | review */
  readonly stage: string;
  readonly code: string;
  readonly message: string;
}

export interface RiskSignals {
  readonly ipAddress: null | string;
  readonly ipCountry: null | string;
  readonly deviceId: null | string;
  readonly email: null | string;
  readonly userAgent: null | string;
}

/** A customer asked to pay a provider. */
export interface PaymentRequested {
  readonly paymentId: string;
  readonly customerId: string;
  readonly providerId: string;
  readonly paymentMethodId: string;
  /** integer minor units (cents) */
  readonly amountMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
  readonly platformFeeBps: number;
  readonly holdUntilMs: null | number;
  readonly autoRelease: boolean;
  readonly metadata: Record<string, string>;
  readonly risk: null | RiskSignals;
  readonly idempotencyKey: null | string;
}

/** Released funds were netted into one ACH payout for a window. */
export interface PayoutScheduled {
  readonly payoutId: string;
  readonly providerId: string;
  readonly bankAccountId: string;
  /** integer minor units (cents) */
  readonly amountMinor: number;
  /** ISO 4217 code */
  readonly currency: string;
  readonly windowId: string;
  /** YYYY-MM-DD */
  readonly effectiveDate: string;
  readonly releaseIds: string[];
}

/** An admin approved a payment the fraud service sent to review. */
export interface ReviewApproved {
  readonly paymentId: string;
  readonly reviewerId: string;
  readonly note: null | string;
}

/** The fraud service's verdict for a pending payment. */
export interface ApplyFraudAssessment {
  readonly paymentId: string;
  readonly score: number;
  /** approve | review | decline */
  readonly decision: string;
  readonly reasons: FraudReason[];
  readonly modelVersion: string;
}

/** An admin approves a payment held for review. */
export interface ApproveReview {
  readonly paymentId: string;
  readonly reviewerId: string;
  readonly note: null | string;
}

/** An admin declines a payment held for review. */
export interface DeclineReview {
  readonly paymentId: string;
  readonly reviewerId: string;
  readonly reason: null | string;
}

/** Freeze everything still held until the dispute is resolved. */
export interface OpenDispute {
  readonly paymentId: string;
  readonly reason: string;
}

/** Refund held funds to the customer: all, or amountMinor of it. */
export interface Refund {
  readonly paymentId: string;
  readonly amountMinor: null | number;
  readonly reason: null | string;
}

/** Release held funds to the provider: all, or amountMinor of it. */
export interface Release {
  readonly paymentId: string;
  readonly amountMinor: null | number;
}

/** The hold scheduler says the hold may have ended at nowMs. */
export interface ReleaseExpiredHold {
  readonly paymentId: string;
  readonly nowMs: number;
}

/** Ingest asks escrow to take a payment. Card data is referenced by token only. */
export interface RequestPayment {
  readonly paymentId: string;
  readonly customerId: string;
  readonly providerId: string;
  readonly paymentMethodId: string;
  /** integer minor units */
  readonly amountMinor: number;
  readonly currency: string;
  /** resolved: per-payment override or tenant default */
  readonly platformFeeBps: number;
  readonly holdUntilMs: null | number;
  readonly autoRelease: boolean;
  readonly metadata: Record<string, string>;
  readonly risk: null | RiskSignals;
  readonly idempotencyKey: null | string;
}

/** Send frozen funds to the provider (release) or back to the customer (refund). */
export interface ResolveDispute {
  readonly paymentId: string;
  /** release | refund */
  readonly outcome: string;
}

export interface Payloads {
  AchBatchClosed: AchBatchClosed;
  AchReturnReceived: AchReturnReceived;
  BankAccountTokenized: BankAccountTokenized;
  BankAccountUpdated: BankAccountUpdated;
  CardTokenized: CardTokenized;
  CommandRejected: CommandRejected;
  DisputeResolved: DisputeResolved;
  EscrowDisputed: EscrowDisputed;
  EscrowHeld: EscrowHeld;
  EscrowRefunded: EscrowRefunded;
  EscrowReleased: EscrowReleased;
  FraudAssessed: FraudAssessed;
  JournalEntryPosted: JournalEntryPosted;
  PaymentAuthorized: PaymentAuthorized;
  PaymentCaptured: PaymentCaptured;
  PaymentDeclined: PaymentDeclined;
  PaymentRequested: PaymentRequested;
  PayoutScheduled: PayoutScheduled;
  ReviewApproved: ReviewApproved;
  ApplyFraudAssessment: ApplyFraudAssessment;
  ApproveReview: ApproveReview;
  DeclineReview: DeclineReview;
  OpenDispute: OpenDispute;
  Refund: Refund;
  Release: Release;
  ReleaseExpiredHold: ReleaseExpiredHold;
  RequestPayment: RequestPayment;
  ResolveDispute: ResolveDispute;
}

export type PayloadType = keyof Payloads;

export const PAYLOAD_TYPES: readonly PayloadType[] = ['AchBatchClosed', 'AchReturnReceived', 'BankAccountTokenized', 'BankAccountUpdated', 'CardTokenized', 'CommandRejected', 'DisputeResolved', 'EscrowDisputed', 'EscrowHeld', 'EscrowRefunded', 'EscrowReleased', 'FraudAssessed', 'JournalEntryPosted', 'PaymentAuthorized', 'PaymentCaptured', 'PaymentDeclined', 'PaymentRequested', 'PayoutScheduled', 'ReviewApproved', 'ApplyFraudAssessment', 'ApproveReview', 'DeclineReview', 'OpenDispute', 'Refund', 'Release', 'ReleaseExpiredHold', 'RequestPayment', 'ResolveDispute'];
