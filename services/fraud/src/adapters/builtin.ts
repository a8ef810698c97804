// The default scorer adapter: the committed logistic-regression model plus the editable rules,
// in process (createScorer). Synchronous underneath, well under a millisecond per payment.

import type { ScorerPort } from '../ports/scorer.js';
import type { Scorer } from '../score.js';

export function builtinScorerPort(scorer: Scorer): ScorerPort {
  return {
    kind: 'builtin',
    modelVersion: scorer.modelVersion,
    score: async (payment) => scorer.score(payment),
  };
}
