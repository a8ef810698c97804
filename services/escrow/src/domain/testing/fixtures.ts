// A dog-walking marketplace's day, in events and commands. Maya books Rex's walker for a
// $125.00 week of walks; the platform takes its default 8% and holds the money for seven days.
// Amounts here are written out by hand (what a payments person would check on paper), never
// computed by the code under test.

import type {
  ApplyFraudAssessment,
  ApproveReview,
  Capture,
  DeclineReview,
  OpenDispute,
  RecordAuthorization,
  RecordNetworkDecline,
  Refund,
  Release,
  ReleaseExpiredHold,
  RequestPayment,
  ResolveDispute,
} from '../commands.js';
import type { EscrowEvent, FraudDecision } from '../events.js';
import { disputeIdFor, escrowIdFor, refundIdFor, releaseIdFor } from '../ids.js';

export const PAYMENT_ID = 'pay_dogwalk_125';
export const CUSTOMER_ID = 'cus_maya';
export const PROVIDER_ID = 'prov_walkies_rex';
export const PAYMENT_METHOD_ID = 'pm_visa_4242';
export const BOOKED_AT_MS = Date.UTC(2026, 0, 5, 15, 0, 0);
/** Seven days after booking: the walks are done and nobody complained. */
export const HOLD_UNTIL_MS = Date.UTC(2026, 0, 12, 15, 0, 0);
export const AUTHORIZATION_ID = 'auth_sim_0001';
export const CAPTURE_ID = 'cap_sim_0001';
export const ESCROW_ID = escrowIdFor(PAYMENT_ID);

const meta = (commandId: string) => ({ commandId });

// --- commands -------------------------------------------------------------------------------

export const requestPayment = (
  overrides: Partial<RequestPayment['data']> = {},
  commandId = 'cmd_request',
): RequestPayment => ({
  type: 'RequestPayment',
  metadata: meta(commandId),
  data: {
    paymentId: PAYMENT_ID,
    customerId: CUSTOMER_ID,
    providerId: PROVIDER_ID,
    paymentMethodId: PAYMENT_METHOD_ID,
    amountMinor: 125_00,
    currency: 'USD',
    platformFeeBps: 800,
    holdUntilMs: HOLD_UNTIL_MS,
    autoRelease: true,
    metadata: { booking: 'bk_week_of_walks', pet: 'Rex' },
    risk: {
      ipAddress: '203.0.113.7',
      ipCountry: 'US',
      deviceId: 'dev_maya_phone',
      email: null,
      userAgent: null,
    },
    idempotencyKey: 'idem_maya_0001',
    ...overrides,
  },
});

export const assessFraud = (
  decision: FraudDecision,
  score = decision === 'approve' ? 112 : decision === 'review' ? 640 : 930,
  commandId = 'cmd_fraud',
): ApplyFraudAssessment => ({
  type: 'ApplyFraudAssessment',
  metadata: meta(commandId),
  data: {
    score,
    decision,
    reasons: [
      { code: 'amount_vs_history', description: 'amount typical for this customer', contribution: 40 },
    ],
    modelVersion: 'gbm-2026-01',
  },
});

export const approveReview = (commandId = 'cmd_review_ok'): ApproveReview => ({
  type: 'ApproveReview',
  metadata: meta(commandId),
  data: { reviewerId: 'admin_priya', note: 'called the customer, booking confirmed' },
});

export const declineReview = (commandId = 'cmd_review_no'): DeclineReview => ({
  type: 'DeclineReview',
  metadata: meta(commandId),
  data: { reviewerId: 'admin_priya', reason: 'card reported stolen' },
});

export const recordAuthorization = (
  overrides: Partial<RecordAuthorization['data']> = {},
  commandId = 'cmd_auth',
): RecordAuthorization => ({
  type: 'RecordAuthorization',
  metadata: meta(commandId),
  data: {
    authorizationId: AUTHORIZATION_ID,
    amountMinor: 125_00,
    currency: 'USD',
    networkReference: 'net_ref_77',
    ...overrides,
  },
});

export const recordNetworkDecline = (commandId = 'cmd_auth'): RecordNetworkDecline => ({
  type: 'RecordNetworkDecline',
  metadata: meta(commandId),
  data: { code: 'insufficient_funds', message: 'The card has insufficient funds.' },
});

export const capture = (commandId = 'cmd_capture'): Capture => ({
  type: 'Capture',
  metadata: meta(commandId),
  data: { captureId: CAPTURE_ID },
});

export const release = (amountMinor: number | null = null, commandId = 'cmd_release'): Release => ({
  type: 'Release',
  metadata: meta(commandId),
  data: { amountMinor },
});

export const releaseExpiredHold = (nowMs: number, commandId = 'cmd_hold_tick'): ReleaseExpiredHold => ({
  type: 'ReleaseExpiredHold',
  metadata: meta(commandId),
  data: { nowMs },
});

export const refund = (
  amountMinor: number | null = null,
  reason: string | null = null,
  commandId = 'cmd_refund',
): Refund => ({
  type: 'Refund',
  metadata: meta(commandId),
  data: { amountMinor, reason },
});

export const openDispute = (
  reason = 'walker did not show up on Wednesday',
  commandId = 'cmd_dispute',
): OpenDispute => ({
  type: 'OpenDispute',
  metadata: meta(commandId),
  data: { reason },
});

export const resolveDispute = (outcome: 'release' | 'refund', commandId = 'cmd_resolve'): ResolveDispute => ({
  type: 'ResolveDispute',
  metadata: meta(commandId),
  data: { outcome },
});

// --- events (the "given" histories) -------------------------------------------------------

export const paymentRequested: EscrowEvent = {
  type: 'PaymentRequested',
  data: {
    paymentId: PAYMENT_ID,
    customerId: CUSTOMER_ID,
    providerId: PROVIDER_ID,
    paymentMethodId: PAYMENT_METHOD_ID,
    amountMinor: 125_00,
    currency: 'USD',
    platformFeeBps: 800,
    holdUntilMs: HOLD_UNTIL_MS,
    autoRelease: true,
    metadata: { booking: 'bk_week_of_walks', pet: 'Rex' },
    risk: {
      ipAddress: '203.0.113.7',
      ipCountry: 'US',
      deviceId: 'dev_maya_phone',
      email: null,
      userAgent: null,
    },
    idempotencyKey: 'idem_maya_0001',
  },
};

export const fraudAssessed = (decision: FraudDecision, score: number): EscrowEvent => ({
  type: 'FraudAssessed',
  data: {
    paymentId: PAYMENT_ID,
    score,
    decision,
    reasons: [
      { code: 'amount_vs_history', description: 'amount typical for this customer', contribution: 40 },
    ],
    modelVersion: 'gbm-2026-01',
  },
});

export const reviewApproved: EscrowEvent = {
  type: 'ReviewApproved',
  data: { paymentId: PAYMENT_ID, reviewerId: 'admin_priya', note: 'called the customer, booking confirmed' },
};

export const paymentAuthorized: EscrowEvent = {
  type: 'PaymentAuthorized',
  data: {
    paymentId: PAYMENT_ID,
    authorizationId: AUTHORIZATION_ID,
    amountMinor: 125_00,
    currency: 'USD',
    networkReference: 'net_ref_77',
  },
};

export const paymentCaptured: EscrowEvent = {
  type: 'PaymentCaptured',
  data: { paymentId: PAYMENT_ID, captureId: CAPTURE_ID, amountMinor: 125_00, currency: 'USD' },
};

export const escrowHeld: EscrowEvent = {
  type: 'EscrowHeld',
  data: {
    escrowId: ESCROW_ID,
    paymentId: PAYMENT_ID,
    providerId: PROVIDER_ID,
    amountMinor: 125_00,
    currency: 'USD',
    platformFeeBps: 800,
    holdUntilMs: HOLD_UNTIL_MS,
    autoRelease: true,
  },
};

export const escrowReleased = (
  amountMinor: number,
  feeMinor: number,
  netMinor: number,
  trigger: 'manual' | 'hold_expired' | 'dispute_resolved' = 'manual',
  commandId = 'cmd_release',
): EscrowEvent => ({
  type: 'EscrowReleased',
  data: {
    escrowId: ESCROW_ID,
    paymentId: PAYMENT_ID,
    providerId: PROVIDER_ID,
    releaseId: releaseIdFor(PAYMENT_ID, commandId),
    amountMinor,
    feeMinor,
    netMinor,
    currency: 'USD',
    trigger,
  },
});

export const escrowRefunded = (
  amountMinor: number,
  reason: string | null = null,
  commandId = 'cmd_refund',
): EscrowEvent => ({
  type: 'EscrowRefunded',
  data: {
    escrowId: ESCROW_ID,
    paymentId: PAYMENT_ID,
    refundId: refundIdFor(PAYMENT_ID, commandId),
    amountMinor,
    currency: 'USD',
    reason,
  },
});

export const escrowDisputed = (frozenMinor: number, commandId = 'cmd_dispute'): EscrowEvent => ({
  type: 'EscrowDisputed',
  data: {
    escrowId: ESCROW_ID,
    paymentId: PAYMENT_ID,
    disputeId: disputeIdFor(PAYMENT_ID, commandId),
    reason: 'walker did not show up on Wednesday',
    frozenMinor,
    currency: 'USD',
  },
});

export const disputeResolved = (
  outcome: 'release' | 'refund',
  amountMinor: number,
  disputeCommandId = 'cmd_dispute',
): EscrowEvent => ({
  type: 'DisputeResolved',
  data: {
    escrowId: ESCROW_ID,
    paymentId: PAYMENT_ID,
    disputeId: disputeIdFor(PAYMENT_ID, disputeCommandId),
    outcome,
    amountMinor,
    currency: 'USD',
  },
});

// Histories that bring the $125.00 booking to each point of its life.
export const H = {
  pendingFraud: [paymentRequested],
  pendingReview: [paymentRequested, fraudAssessed('review', 640)],
  pendingAuthorization: [paymentRequested, fraudAssessed('approve', 112)],
  declined: [
    paymentRequested,
    fraudAssessed('approve', 112),
    {
      type: 'PaymentDeclined',
      data: {
        paymentId: PAYMENT_ID,
        stage: 'network',
        code: 'card_declined',
        message: 'The card was declined.',
      },
    },
  ] as EscrowEvent[],
  authorized: [paymentRequested, fraudAssessed('approve', 112), paymentAuthorized],
  held: [paymentRequested, fraudAssessed('approve', 112), paymentAuthorized, paymentCaptured, escrowHeld],
  /** $50.00 released for the first walks: $4.00 fee, $46.00 to the walker; $75.00 still held. */
  partiallyReleased: [] as EscrowEvent[],
  /** $25.00 refunded for a cancelled walk; $100.00 still held. */
  partiallyRefunded: [] as EscrowEvent[],
  released: [] as EscrowEvent[],
  refunded: [] as EscrowEvent[],
  /** Everything ($125.00) frozen by Maya's dispute. */
  disputed: [] as EscrowEvent[],
};
H.partiallyReleased = [...H.held, escrowReleased(50_00, 4_00, 46_00, 'manual', 'cmd_release_first')];
H.partiallyRefunded = [...H.held, escrowRefunded(25_00, 'Friday walk cancelled', 'cmd_refund_friday')];
H.released = [...H.held, escrowReleased(125_00, 10_00, 115_00)];
H.refunded = [...H.held, escrowRefunded(125_00, 'booking cancelled')];
H.disputed = [...H.held, escrowDisputed(125_00)];
