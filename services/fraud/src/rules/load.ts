// Reading rules from disk is the one I/O concern of this folder; it stays apart from the pure
// parsing so the service can also take rules from anywhere else (an admin API, a topic).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PaystreamError } from '@paystream/core';
import { createRules, type Rules } from './rules.js';

export const DEFAULT_RULES_PATH = fileURLToPath(new URL('../../config/fraud-rules.json', import.meta.url));

export function loadRulesFile(path: string = DEFAULT_RULES_PATH): Rules {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PaystreamError(
      'invalid_fraud_rules',
      `cannot read fraud rules from ${path}: ${(e as Error).message}`,
      'path',
    );
  }
  return createRules(json);
}
