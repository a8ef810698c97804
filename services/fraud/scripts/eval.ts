// Precision, recall, false-positive rate and AUC of the committed model plus the configured
// rules, on a held-out generated set (a different seed from training), overall and per pattern.
//   npm run eval -w @paystream/fraud [-- --json] [--seed N] [--customers N] [--days N]
//                                    [--model path] [--rules path]
// Goals (issue 5): recall ≥ 0.90 at FPR ≤ 1% overall, no pattern below 0.75 recall, where a
// payment counts as flagged when it is sent to review or declined (score ≥ reviewAt).
// Exit status 1 when a goal is missed, so CI can gate on it.

import { parseArgs } from 'node:util';
import { FRAUD_PATTERNS, generate } from '../src/generator/generate.js';
import { loadModelFile } from '../src/model/load.js';
import { loadRulesFile } from '../src/rules/load.js';
import { evaluate, HELD_OUT_SEED, HELD_OUT_SET, TRAIN_SEED } from '../src/training.js';

const GOAL_RECALL = 0.9;
const GOAL_FPR = 0.01;
const GOAL_PATTERN_RECALL = 0.75;

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    seed: { type: 'string' },
    customers: { type: 'string' },
    days: { type: 'string' },
    model: { type: 'string' },
    rules: { type: 'string' },
  },
});

function intArg(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
}

const seed = intArg('seed', values.seed, HELD_OUT_SEED);
if (seed === TRAIN_SEED) throw new Error(`--seed ${seed} is the training seed; evaluate on a held-out seed`);
const model = loadModelFile(values.model);
const rules = loadRulesFile(values.rules);
const data = generate({
  ...HELD_OUT_SET,
  seed,
  customers: intArg('customers', values.customers, HELD_OUT_SET.customers ?? 3_000),
  days: intArg('days', values.days, HELD_OUT_SET.days ?? 28),
});
const report = evaluate(model, data, rules.config);

const failures: string[] = [];
if (report.atReview.recall < GOAL_RECALL)
  failures.push(`overall recall ${report.atReview.recall} < ${GOAL_RECALL}`);
if (report.atReview.falsePositiveRate > GOAL_FPR) {
  failures.push(`false-positive rate ${report.atReview.falsePositiveRate} > ${GOAL_FPR}`);
}
for (const p of FRAUD_PATTERNS) {
  const r = report.perPattern[p].recallAtReview;
  if (r < GOAL_PATTERN_RECALL) failures.push(`${p} recall ${r} < ${GOAL_PATTERN_RECALL}`);
}

if (values.json) {
  console.log(JSON.stringify({ ...report, goalsMet: failures.length === 0, failures }));
} else {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  console.log(`model ${report.modelVersion}, held-out seed ${report.seed} (${report.generatorVersion})`);
  console.log(
    `${report.payments} payments after warm-up: ${report.positives} fraud, ${report.negatives} legitimate`,
  );
  console.log(`AUC ${report.auc.toFixed(4)}`);
  for (const [label, f] of [
    ['review or decline', report.atReview],
    ['decline', report.atDecline],
  ] as const) {
    console.log(
      `  score ≥ ${f.threshold} (${label}): precision ${pct(f.precision)}  recall ${pct(f.recall)}  ` +
        `FPR ${pct(f.falsePositiveRate)}  (TP ${f.truePositives}, FP ${f.falsePositives})`,
    );
  }
  console.log('per pattern (recall at review, at decline, AUC vs all legitimate):');
  for (const p of FRAUD_PATTERNS) {
    const f = report.perPattern[p];
    console.log(
      `  ${p.padEnd(18)} n=${String(f.positives).padStart(5)}  ${pct(f.recallAtReview).padStart(7)}  ` +
        `${pct(f.recallAtDecline).padStart(7)}  ${f.auc.toFixed(4)}`,
    );
  }
  console.log(failures.length === 0 ? 'goals met' : `GOALS MISSED: ${failures.join('; ')}`);
}
process.exitCode = failures.length === 0 ? 0 : 1;
