// The committed model artifact and the scoring it drives: standardised logistic regression,
// then a monotone piecewise-linear map from log-odds to the 0–1000 score.
//
// The map is calibrated at training time on a validation set (never the held-out set) so that
// the review and decline thresholds land at stated false-positive rates; the rules' thresholds
// then mean the same thing whatever the model's raw log-odds scale happens to be.

import { PaystreamError, sha256Hex } from '@paystream/core';
import { type FraudReason, MAX_REASONS, MAX_SCORE, MIN_SCORE } from '../domain/input.js';
import { FEATURE_NAMES, FEATURES } from '../features/definitions.js';

export const MODEL_FORMAT = 'paystream-fraud-lr/1';

export interface TrainingReport {
  readonly seed: number;
  readonly calibrationSeed: number;
  readonly heldOutSeed: number;
  readonly generatorVersion: string;
  readonly rows: number;
  readonly positives: number;
  readonly epochs: number;
  readonly l2: number;
  readonly trainLogLoss: number;
  /** Figures on the held-out set at the default thresholds, as written by scripts/train.ts. */
  readonly heldOut: Readonly<Record<string, unknown>>;
}

export interface FraudModelArtifact {
  readonly format: typeof MODEL_FORMAT;
  readonly version: string;
  readonly featureNames: readonly string[];
  readonly means: readonly number[];
  readonly stds: readonly number[];
  readonly weights: readonly number[];
  readonly bias: number;
  /** [logOdds, score] knots, strictly increasing in log-odds and non-decreasing in score. */
  readonly calibration: readonly (readonly [number, number])[];
  readonly training: TrainingReport;
}

export interface ModelOutput {
  readonly score: number;
  readonly logOdds: number;
  readonly reasons: readonly FraudReason[];
}

export interface CompiledModel {
  readonly version: string;
  score(features: Float64Array): ModelOutput;
}

/** A content hash of what affects scores, so two artifacts with one version score alike. */
export function modelVersionOf(parts: {
  featureNames: readonly string[];
  means: readonly number[];
  stds: readonly number[];
  weights: readonly number[];
  bias: number;
  calibration: readonly (readonly [number, number])[];
}): string {
  const digest = sha256Hex(
    JSON.stringify([
      parts.featureNames,
      parts.means,
      parts.stds,
      parts.weights,
      parts.bias,
      parts.calibration,
    ]),
  );
  return `lr-${digest.slice(0, 12)}`;
}

function badModel(field: string, message: string): never {
  throw new PaystreamError('invalid_fraud_model', `fraud model ${field} ${message}`, field);
}

function finiteArray(field: string, v: unknown, length: number): number[] {
  if (!Array.isArray(v) || v.length !== length) badModel(field, `must be an array of ${length} numbers`);
  for (const [i, e] of v.entries()) {
    if (typeof e !== 'number' || !Number.isFinite(e)) badModel(`${field}[${i}]`, 'must be a finite number');
  }
  return v as number[];
}

/** Validates an artifact (e.g. parsed JSON) against the features this code computes. */
export function parseModel(json: unknown): FraudModelArtifact {
  if (typeof json !== 'object' || json === null) badModel('', 'must be an object');
  const m = json as Record<string, unknown>;
  if (m.format !== MODEL_FORMAT) badModel('format', `must be ${MODEL_FORMAT}`);
  if (typeof m.version !== 'string' || m.version.length === 0)
    badModel('version', 'must be a non-empty string');
  const names = m.featureNames;
  if (
    !Array.isArray(names) ||
    names.length !== FEATURE_NAMES.length ||
    names.some((n, i) => n !== FEATURE_NAMES[i])
  ) {
    badModel('featureNames', `must equal the features this code computes: ${FEATURE_NAMES.join(', ')}`);
  }
  const d = FEATURE_NAMES.length;
  const means = finiteArray('means', m.means, d);
  const stds = finiteArray('stds', m.stds, d);
  stds.forEach((s, i) => {
    if (!(s > 0)) badModel(`stds[${i}]`, 'must be > 0');
  });
  const weights = finiteArray('weights', m.weights, d);
  if (typeof m.bias !== 'number' || !Number.isFinite(m.bias)) badModel('bias', 'must be a finite number');
  const cal = m.calibration;
  if (!Array.isArray(cal) || cal.length < 2) badModel('calibration', 'must have at least two knots');
  cal.forEach((k, i) => {
    const knot = finiteArray(`calibration[${i}]`, k, 2);
    if (knot[1]! < MIN_SCORE || knot[1]! > MAX_SCORE)
      badModel(`calibration[${i}]`, 'score must be in 0..1000');
    if (i > 0) {
      const prev = cal[i - 1] as number[];
      if (!(knot[0]! > prev[0]!) || knot[1]! < prev[1]!)
        badModel(`calibration[${i}]`, 'knots must be monotone');
    }
  });
  if (typeof m.training !== 'object' || m.training === null) badModel('training', 'must be an object');
  const expected = modelVersionOf({
    featureNames: names as string[],
    means,
    stds,
    weights,
    bias: m.bias,
    calibration: cal as [number, number][],
  });
  if (m.version !== expected) badModel('version', `does not match its content (expected ${expected})`);
  return json as FraudModelArtifact;
}

/** Piecewise-linear through the knots, clamped at both ends, rounded to an integer score. */
export function calibratedScore(knots: readonly (readonly [number, number])[], logOdds: number): number {
  const first = knots[0]!;
  const last = knots[knots.length - 1]!;
  let s: number;
  if (!(logOdds > first[0])) s = first[1];
  else if (logOdds >= last[0]) s = last[1];
  else {
    let i = 1;
    while (knots[i]![0] < logOdds) i += 1;
    const [x0, y0] = knots[i - 1]!;
    const [x1, y1] = knots[i]!;
    s = y0 + ((logOdds - x0) / (x1 - x0)) * (y1 - y0);
  }
  return Math.min(MAX_SCORE, Math.max(MIN_SCORE, Math.round(s)));
}

interface ReasonSlot {
  readonly code: string;
  readonly description: string;
}

/** Precomputes scaled weights and reason groups so scoring is one pass over the features. */
export function compileModel(artifact: FraudModelArtifact): CompiledModel {
  const d = FEATURE_NAMES.length;
  const scaled = new Float64Array(d);
  let offset = artifact.bias;
  for (let j = 0; j < d; j += 1) {
    scaled[j] = artifact.weights[j]! / artifact.stds[j]!;
    offset -= scaled[j]! * artifact.means[j]!;
  }
  // Features that share a reason add up into one reason.
  const slots: ReasonSlot[] = [];
  const slotOf = new Int32Array(d);
  for (let j = 0; j < d; j += 1) {
    const f = FEATURES[j]!;
    let k = slots.findIndex((s) => s.code === f.reason);
    if (k < 0) {
      k = slots.length;
      slots.push({ code: f.reason, description: f.description });
    }
    slotOf[j] = k;
  }
  const sums = new Float64Array(slots.length);
  const knots = artifact.calibration;

  return {
    version: artifact.version,
    score(x: Float64Array): ModelOutput {
      let logOdds = offset;
      sums.fill(0);
      for (let j = 0; j < d; j += 1) {
        const term = scaled[j]! * x[j]!;
        logOdds += term;
        // Contribution relative to the average payment in training: w × (x − mean) / std.
        sums[slotOf[j]!]! += term - scaled[j]! * artifact.means[j]!;
      }
      const reasons: FraudReason[] = [];
      for (let k = 0; k < slots.length; k += 1) {
        const c = sums[k]!;
        if (c <= 0.05) continue; // only what pushed the score up, and noticeably
        reasons.push({
          code: slots[k]!.code,
          description: slots[k]!.description,
          contribution: Math.round(c * 1000) / 1000,
        });
      }
      reasons.sort((a, b) => b.contribution - a.contribution || (a.code < b.code ? -1 : 1));
      if (reasons.length > MAX_REASONS) reasons.length = MAX_REASONS;
      return { score: calibratedScore(knots, logOdds), logOdds, reasons };
    },
  };
}
