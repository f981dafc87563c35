/**
 * How well predictions match what customers did next: the metrics of a time-split backtest, with
 * the definitions of the project's backtesting guide so figures from different places compare.
 *
 * - AUC: the Mann-Whitney statistic, the chance that a random churner scores above a random
 *   stayer, ties counted as half.
 * - Top-decile lift: the churn rate among the 10% with the highest scores over the overall rate.
 * - Calibration: customers sorted by predicted probability and cut into ten equal-count bins; the
 *   expected calibration error (ECE) is the count-weighted mean |mean predicted - observed rate|.
 * - Spearman correlation, for predicted value against what was spent.
 */

function checkPairs(scores: readonly number[], labels: readonly number[], caller: string): void {
  if (scores.length !== labels.length) {
    throw new RangeError(`${caller}: ${scores.length} scores but ${labels.length} labels`);
  }
  scores.forEach((score, i) => {
    if (!Number.isFinite(score))
      throw new RangeError(`${caller}: score ${i} is not a finite number (${score})`);
  });
}

/** Indices 0..n-1 sorted by ascending score; ties keep input order. */
function ascending(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
}

/** Mid-ranks (1-based) of scores, ties sharing the mean of their ranks. */
export function midRanks(scores: readonly number[]): Float64Array {
  const order = ascending(scores);
  const ranks = new Float64Array(scores.length);
  for (let i = 0; i < order.length;) {
    let j = i + 1;
    while (j < order.length && scores[order[j]] === scores[order[i]]) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}

/**
 * Area under the ROC curve of `scores` for `labels` (1 = the event, e.g. churned); 0.5 when one
 * class is empty (nothing to rank). Higher scores are meant to indicate the event.
 */
export function auc(scores: readonly number[], labels: readonly number[]): number {
  checkPairs(scores, labels, "auc");
  const ranks = midRanks(scores);
  let positives = 0;
  let rankSum = 0;
  labels.forEach((label, i) => {
    if (label === 1) {
      positives++;
      rankSum += ranks[i];
    }
  });
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The event rate in the top 10% by score (ties broken by input order) and its lift. */
export function topDecile(
  scores: readonly number[],
  labels: readonly number[],
): { rate: number; lift: number; customers: number } {
  checkPairs(scores, labels, "topDecile");
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const customers = Math.max(1, Math.floor(order.length / 10));
  let events = 0;
  for (let k = 0; k < Math.min(customers, order.length); k++) events += labels[order[k]];
  const overall = labels.reduce((sum, label) => sum + label, 0) / Math.max(1, labels.length);
  const rate = order.length === 0 ? 0 : events / customers;
  return { rate, lift: overall > 0 ? rate / overall : 0, customers: order.length === 0 ? 0 : customers };
}

/** One bin of a reliability diagram. */
export interface CalibrationBin {
  customers: number;
  meanPredicted: number;
  observedRate: number;
}

/** Calibration in equal-count bins and the expected calibration error. */
export interface Calibration {
  bins: CalibrationBin[];
  /** Count-weighted mean |meanPredicted - observedRate|. */
  expectedCalibrationError: number;
  meanPredicted: number;
  observedRate: number;
}

/**
 * Sorts by predicted probability, cuts into `binCount` equal-count bins (bin k holds the customers
 * ranked floor(k n / B) to floor((k+1) n / B) - 1) and compares the mean prediction with the
 * observed rate in each.
 */
export function calibration(
  probabilities: readonly number[],
  labels: readonly number[],
  binCount = 10,
): Calibration {
  checkPairs(probabilities, labels, "calibration");
  if (!Number.isInteger(binCount) || binCount < 1) {
    throw new RangeError(`calibration: binCount must be a whole number >= 1, got ${binCount}`);
  }
  const order = ascending(probabilities);
  const n = order.length;
  const bins: CalibrationBin[] = [];
  let error = 0;
  let predictedSum = 0;
  let observedSum = 0;
  for (let b = 0; b < binCount; b++) {
    const start = Math.floor((b * n) / binCount);
    const end = Math.floor(((b + 1) * n) / binCount);
    if (end <= start) continue;
    let predicted = 0;
    let observed = 0;
    for (let k = start; k < end; k++) {
      predicted += probabilities[order[k]];
      observed += labels[order[k]];
    }
    const customers = end - start;
    bins.push({ customers, meanPredicted: predicted / customers, observedRate: observed / customers });
    error += Math.abs(predicted - observed) / n;
    predictedSum += predicted;
    observedSum += observed;
  }
  return {
    bins,
    expectedCalibrationError: n === 0 ? 0 : error,
    meanPredicted: n === 0 ? 0 : predictedSum / n,
    observedRate: n === 0 ? 0 : observedSum / n,
  };
}

/** Spearman rank correlation (Pearson on mid-ranks); 0 when either side is constant. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  checkPairs(a, b, "spearman");
  checkPairs(b, a, "spearman");
  const ra = midRanks(a);
  const rb = midRanks(b);
  const n = a.length;
  if (n < 2) return 0;
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) ** 2;
    sbb += (rb[i] - mean) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Share of `actual` (e.g. holdout revenue) held by the top `share` of customers by `predicted`. */
export function topShareCaptured(
  predicted: readonly number[],
  actual: readonly number[],
  share = 0.2,
): number {
  checkPairs(predicted, actual, "topShareCaptured");
  const order = predicted.map((_, i) => i).sort((x, y) => predicted[y] - predicted[x] || x - y);
  const count = Math.ceil(order.length * share);
  const total = actual.reduce((sum, value) => sum + Math.max(0, value), 0);
  let captured = 0;
  for (let k = 0; k < count; k++) captured += Math.max(0, actual[order[k]]);
  return total > 0 ? captured / total : 0;
}
