import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '../features/definitions.js';
import { loadModelFile } from './load.js';
import { auc, confusion } from './metrics.js';
import { calibratedScore, compileModel, parseModel } from './model.js';
import { trainLogistic } from './train.js';

describe('trainLogistic', () => {
  // A toy problem: the label is 1 when the first feature is large; the second is noise.
  const rows: Float64Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 400; i += 1) {
    const a = (i % 20) / 20;
    const b = ((i * 7) % 13) / 13;
    rows.push(Float64Array.of(a, b));
    labels.push(a > 0.6 ? 1 : 0);
  }

  it('is deterministic and learns the signal', () => {
    const one = trainLogistic(rows, labels, { epochs: 200 });
    const two = trainLogistic(rows, labels, { epochs: 200 });
    expect(one).toEqual(two);
    expect(one.weights[0]!).toBeGreaterThan(2);
    expect(Math.abs(one.weights[1]!)).toBeLessThan(Math.abs(one.weights[0]!) / 5);
    expect(one.trainLogLoss).toBeLessThan(0.3);
  });
});

describe('calibratedScore', () => {
  const knots: [number, number][] = [
    [-3, 0],
    [1, 700],
    [2, 900],
    [4, 1000],
  ];

  it('hits the knots and is clamped outside them', () => {
    expect(calibratedScore(knots, 1)).toBe(700);
    expect(calibratedScore(knots, 2)).toBe(900);
    expect(calibratedScore(knots, -100)).toBe(0);
    expect(calibratedScore(knots, 100)).toBe(1000);
    expect(calibratedScore(knots, Number.NaN)).toBe(0);
  });

  it('is an integer in 0..1000 and monotone in the log-odds', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const s = calibratedScore(knots, lo);
        expect(Number.isInteger(s) && s >= 0 && s <= 1000).toBe(true);
        expect(calibratedScore(knots, hi)).toBeGreaterThanOrEqual(s);
      }),
    );
  });
});

describe('model artifact', () => {
  const model = loadModelFile();

  it('the committed artifact validates, is small and records how it was made', () => {
    expect(model.featureNames.length).toBe(FEATURE_COUNT);
    expect(JSON.stringify(model).length).toBeLessThan(200_000);
    expect(model.training.seed).not.toBe(model.training.heldOutSeed);
    expect(model.training.generatorVersion).toMatch(/^paystream-fraud-gen\//);
  });

  it('rejects an artifact whose features or content do not match', () => {
    expect(() => parseModel({ ...model, featureNames: [...model.featureNames].reverse() })).toThrow(
      expect.objectContaining({ code: 'invalid_fraud_model', field: 'featureNames' }),
    );
    const tampered = { ...model, weights: model.weights.map((w, i) => (i === 0 ? w + 1 : w)) };
    expect(() => parseModel(tampered)).toThrow(expect.objectContaining({ field: 'version' }));
  });

  it('reasons are positive contributions, most important first, at most five', () => {
    const compiled = compileModel(model);
    const x = new Float64Array(FEATURE_COUNT).map((_, i) => model.means[i]! + 3 * model.stds[i]!);
    const out = compiled.score(x);
    expect(out.reasons.length).toBeGreaterThan(0);
    expect(out.reasons.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < out.reasons.length; i += 1) {
      expect(out.reasons[i - 1]!.contribution).toBeGreaterThanOrEqual(out.reasons[i]!.contribution);
    }
    expect(out.reasons.every((r) => r.contribution > 0)).toBe(true);
  });
});

describe('metrics', () => {
  it('computes the confusion matrix and AUC by hand-checkable counting', () => {
    const scores = [900, 800, 750, 100, 50, 800];
    const labels = [true, true, false, true, false, false];
    const c = confusion(scores, labels, 700);
    expect(c).toMatchObject({ truePositives: 2, falsePositives: 2, positives: 3, negatives: 3 });
    expect(c.recall).toBeCloseTo(2 / 3, 12);
    expect(c.falsePositiveRate).toBeCloseTo(2 / 3, 12);
    // Positive/negative pairs won: 900 beats all 3; 800 beats 750, 50 and ties 800 (½); 100 beats 50.
    expect(auc(scores, labels)).toBeCloseTo((3 + 2.5 + 1) / 9, 12);
    expect(auc([1, 2], [true, true])).toBeNaN();
  });
});
