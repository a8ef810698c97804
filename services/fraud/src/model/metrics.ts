// Classification metrics for eval and training reports. Plain counting: no sampling, no
// interpolation, so a figure in a report can be recomputed by hand from the confusion matrix.

export interface ConfusionMetrics {
  readonly positives: number;
  readonly negatives: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly falsePositiveRate: number;
}

export function confusion(
  scores: readonly number[],
  labels: readonly boolean[],
  threshold: number,
): ConfusionMetrics {
  let tp = 0;
  let fp = 0;
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < scores.length; i += 1) {
    const flagged = scores[i]! >= threshold;
    if (labels[i]) {
      pos += 1;
      if (flagged) tp += 1;
    } else {
      neg += 1;
      if (flagged) fp += 1;
    }
  }
  return {
    positives: pos,
    negatives: neg,
    truePositives: tp,
    falsePositives: fp,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: pos === 0 ? 0 : tp / pos,
    falsePositiveRate: neg === 0 ? 0 : fp / neg,
  };
}

/**
 * Area under the ROC curve: the probability that a random positive outscores a random negative,
 * ties counting one half (Mann–Whitney U with average ranks). NaN without both classes.
 */
export function auc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let pos = 0;
  let neg = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j += 1;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k += 1) {
      if (labels[order[k]![1]]) {
        pos += 1;
        rankSumPos += avgRank;
      } else {
        neg += 1;
      }
    }
    i = j + 1;
  }
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
