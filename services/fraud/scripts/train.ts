// Trains the fraud model from generated data and writes models/fraud-model.json.
//   npm run train -w @paystream/fraud            (or: npx tsx services/fraud/scripts/train.ts)
// Deterministic: the same seeds and generator version give a byte-identical artifact.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trainModel } from '../src/training.js';

const MAX_ARTIFACT_BYTES = 200_000;
const out = fileURLToPath(new URL('../models/fraud-model.json', import.meta.url));

const started = performance.now();
const model = trainModel();
const json = `${JSON.stringify(model, null, 2)}\n`;
if (json.length > MAX_ARTIFACT_BYTES)
  throw new Error(`model artifact is ${json.length} bytes, over ${MAX_ARTIFACT_BYTES}`);
writeFileSync(out, json);

const h = model.training.heldOut as { atReview?: unknown; auc?: unknown; perPattern?: unknown };
console.log(`wrote ${out} (${json.length} bytes), version ${model.version}`);
console.log(
  `trained on ${model.training.rows} rows (${model.training.positives} fraud), seed ${model.training.seed}`,
);
console.log(`held-out seed ${model.training.heldOutSeed}: auc ${String(h.auc)}`);
console.log('at review threshold:', h.atReview);
console.log('per pattern:', h.perPattern);
console.log(`took ${((performance.now() - started) / 1000).toFixed(1)} s`);
