// The bench sends thousands of payments a second from a few hundred customers: to the fraud
// model that is a velocity attack, and it declines nearly all of them, so the bench would
// measure the short decline path. By default the bench allow-lists its own customers: every
// payment is still scored by the model (features and score cost the same), but the rules then
// approve it, so it takes the full path — authorized, captured, held, journaled, projected.
// `--fraud-decides` leaves the decision to the model.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RULES_PATH } from '@paystream/fraud';

/** Writes rules that allow `customerIds` and points the fraud service at them; returns an undo. */
export function allowListBenchCustomers(dir: string, customerIds: readonly string[]): () => void {
  const rules = JSON.parse(readFileSync(DEFAULT_RULES_PATH, 'utf8')) as {
    allow: { customerIds: string[] };
  };
  rules.allow.customerIds = [...customerIds];
  const file = join(dir, 'bench-fraud-rules.json');
  writeFileSync(file, JSON.stringify(rules));
  const before = process.env.FRAUD_RULES_FILE;
  process.env.FRAUD_RULES_FILE = file;
  return () => {
    if (before === undefined) delete process.env.FRAUD_RULES_FILE;
    else process.env.FRAUD_RULES_FILE = before;
  };
}
