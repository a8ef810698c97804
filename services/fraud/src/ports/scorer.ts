// The scorer port: one payment in, one assessment out. The service depends on this interface
// only; adapters decide where the score comes from (the built-in model, the default, or Amazon
// Fraud Detector for teams that already have it).
//
// Every adapter must keep the local streaming features current: `score` is called exactly once
// per payment, in event order, and the built-in features observe the payment whatever the
// adapter returns, so a fallback to the built-in model (or a switch back to it) never scores
// against a stale history.

import type { FraudAssessment, PaymentForScoring } from '../domain/input.js';

export type ScorerKind = 'builtin' | 'aws-fraud-detector';

export interface ScorerPort {
  readonly kind: ScorerKind;
  /** What produced the scores, e.g. the model artifact's version. */
  readonly modelVersion: string;
  /**
   * Scores one payment and folds it into the local feature history. Never called twice for the
   * same payment. Resolves with an integer score in 0..1000, a decision and at most five reasons.
   */
  score(payment: PaymentForScoring): Promise<FraudAssessment>;
}
