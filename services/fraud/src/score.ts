// The scorer: validate, update the streaming features, run the model, apply the rules.
// Features are updated for every payment — denied and allowed ones included — because the
// history of what was attempted is the signal, whatever we decided about each attempt.

import { invariant } from '@paystream/core';
import {
  type FraudAssessment,
  type FraudReason,
  MAX_REASONS,
  MAX_SCORE,
  type PaymentForScoring,
  validatePayment,
} from './domain/input.js';
import {
  type FeatureSnapshot,
  FeatureStore,
  type FeatureStoreOptions,
  type FeatureStoreStats,
} from './features/store.js';
import { type CompiledModel, compileModel, type FraudModelArtifact, parseModel } from './model/model.js';
import { createRules, type Rules } from './rules/rules.js';

export interface ScorerOptions {
  /** A model artifact (validated here) — typically models/fraud-model.json. */
  readonly model: FraudModelArtifact | unknown;
  /** Compiled rules, or a rules config object to validate and compile. */
  readonly rules: Rules | unknown;
  /** Feature state to resume from, e.g. after a restart. */
  readonly snapshot?: FeatureSnapshot | unknown;
  readonly features?: FeatureStoreOptions;
}

export interface Scorer {
  readonly modelVersion: string;
  readonly rules: Rules;
  score(payment: PaymentForScoring): FraudAssessment;
  snapshot(): FeatureSnapshot;
  stats(): FeatureStoreStats;
}

function isRules(v: unknown): v is Rules {
  return typeof v === 'object' && v !== null && 'denyHit' in v && 'allowHit' in v && 'decide' in v;
}

export function createScorer(options: ScorerOptions): Scorer {
  const model: CompiledModel = compileModel(parseModel(options.model));
  const rules = isRules(options.rules) ? options.rules : createRules(options.rules);
  const store = new FeatureStore(options.features);
  if (options.snapshot !== undefined) store.restore(options.snapshot);
  const { reviewAt } = rules.thresholds;

  return {
    modelVersion: model.version,
    rules,
    score(payment) {
      validatePayment(payment);
      const features = store.observe(payment);
      const out = model.score(features);
      let score = out.score;
      let reasons: readonly FraudReason[] = out.reasons;
      let decision = rules.decide(score);

      const deny = rules.denyHit(payment);
      const allow = deny === undefined ? rules.allowHit(payment) : undefined;
      if (deny !== undefined) {
        reasons = [{ ...deny, contribution: MAX_SCORE - score }, ...reasons].slice(0, MAX_REASONS);
        score = MAX_SCORE;
        decision = 'decline';
      } else if (allow !== undefined) {
        // An allow-listed payment is approved; its score is capped below review so that the
        // score and the decision never disagree in a report.
        const capped = Math.min(score, Math.max(0, reviewAt - 1));
        reasons = [{ ...allow, contribution: capped - score }, ...reasons].slice(0, MAX_REASONS);
        score = capped;
        decision = 'approve';
      }
      invariant(
        Number.isInteger(score) && score >= 0 && score <= MAX_SCORE,
        `score ${score} is an integer in 0..1000`,
      );
      return { score, decision, reasons, modelVersion: model.version };
    },
    snapshot: () => store.snapshot(),
    stats: () => store.stats(),
  };
}
