// Reading the committed model from disk, kept apart from the pure validation in model.ts.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PaystreamError } from '@paystream/core';
import { type FraudModelArtifact, parseModel } from './model.js';

export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../models/fraud-model.json', import.meta.url));

export function loadModelFile(path: string = DEFAULT_MODEL_PATH): FraudModelArtifact {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PaystreamError(
      'invalid_fraud_model',
      `cannot read fraud model from ${path}: ${(e as Error).message}`,
      'path',
    );
  }
  return parseModel(json);
}
