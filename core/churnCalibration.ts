/**
 * Churn probability calibrated on the book's own history: the probability that a customer makes no
 * purchase in the next `horizon` days, learnt from what the book's customers actually did.
 *
 * The recipe (the scoring layer runs it; this module holds the pure parts):
 *
 * 1. Plan inner windows inside the history (`planCalibration`): an inner horizon
 *    h = min(H, history / 2) and up to six origins S' = asOf - h - k·step, spread over at most a
 *    year before asOf - h and never closer than min(h, 90) days to the book's first purchase.
 *    Every origin's window (S', S' + h] ends on or before asOf, so nothing after asOf is seen and
 *    the labels never overlap the period the probabilities will be judged on. Several origins
 *    average over the season of any one window.
 * 2. At each origin, features as of S' (`churnFeatures.ts`, including the purchase model fitted on
 *    data up to S') and the label "no purchase in (S', S' + h]".
 * 3. Fit a ridge-regularised model of the label (`fitChurnCalibration`), deterministic (BFGS from
 *    zero), on standardised features, intercept unpenalised, L2 weight 1:
 *    - when h = H, a logistic regression: P = σ(b + Σ w·z);
 *    - when the history is too short for the requested horizon (h < H), a dropout mixture that
 *      carries the h-day calibration to H through the purchase model's own time scaling:
 *      P(no purchase in t) = d + (1 - d)·S(t), d = σ(b + Σ w·z) the calibrated probability the
 *      customer is gone and S(t) the model's probability that an active customer stays silent
 *      for t. Fitted at t = h, applied at t = H.
 * 4. Too short (h < 14 days) or too few labelled customers (fewer than 200, or fewer than 20 of
 *    either outcome) to calibrate: the purchase model's own P(no purchase in H), reported as such.
 */

import { minimizeSteps, runSteps, type Steps } from "./optimize.js";
import { CHURN_FEATURE_KEYS, type ChurnFeatureKey, type ChurnFeatureValues } from "./churnFeatures.js";

/** How the calibration maps features to a probability. */
export type CalibrationMode = "logistic" | "dropout-mixture";

/** Shortest inner window worth calibrating on. */
export const MIN_INNER_HORIZON_DAYS = 14;
/** Fewest labelled customers, and of each outcome, for a calibration. */
export const MIN_CALIBRATION_EXAMPLES = 200;
export const MIN_CALIBRATION_OUTCOMES = 20;
/** Most origins pooled, and the span they are spread over. */
const MAX_ORIGINS = 6;
const ORIGIN_SPAN_DAYS = 365;
/** An origin needs this much history before it (or h, when shorter). */
const MIN_HISTORY_BEFORE_ORIGIN = 90;
/** A feature is used when at least this share of the examples have it. */
const MIN_FEATURE_SHARE = 0.05;
/** Ridge penalty on the standardised weights. */
export const CALIBRATION_L2 = 1;

/** The inner windows for a calibration, or why there are none. */
export type CalibrationPlan =
  | {
      ok: true;
      /** Inner horizon h in days. */
      innerHorizonDays: number;
      /** Days before asOf of each origin, latest first. */
      originOffsetsDays: number[];
      mode: CalibrationMode;
    }
  | { ok: false; reason: string };

/**
 * Plans the inner windows for a book whose first purchase was `historyDays` before asOf (see the
 * module comment).
 */
export function planCalibration(historyDays: number, horizonDays: number): CalibrationPlan {
  if (!(horizonDays >= 1) || !Number.isFinite(horizonDays)) {
    throw new RangeError(`planCalibration: horizonDays must be at least 1, got ${horizonDays}`);
  }
  const history = Math.max(0, Math.floor(historyDays));
  const inner = Math.min(Math.round(horizonDays), Math.floor(history / 2));
  if (inner < MIN_INNER_HORIZON_DAYS) {
    return {
      ok: false,
      reason: `the book's history (${history} days) is too short to observe a ${MIN_INNER_HORIZON_DAYS}-day window after half of it`,
    };
  }
  const latest = inner;
  const earliest = Math.max(
    latest,
    Math.min(history - Math.min(inner, MIN_HISTORY_BEFORE_ORIGIN), latest + ORIGIN_SPAN_DAYS),
  );
  const offsets: number[] = [];
  for (let k = 0; k < MAX_ORIGINS; k++) {
    const offset = Math.round(latest + (k * (earliest - latest)) / (MAX_ORIGINS - 1));
    if (offsets.length === 0 || offset - offsets[offsets.length - 1] >= 7) offsets.push(offset);
  }
  return {
    ok: true,
    innerHorizonDays: inner,
    originOffsetsDays: offsets,
    mode: inner >= Math.round(horizonDays) ? "logistic" : "dropout-mixture",
  };
}

/** One labelled customer at one origin. */
export interface CalibrationExample {
  features: ChurnFeatureValues;
  /** The purchase model's P(no purchase in h | active); used by the dropout mixture. */
  survivalIfAlive: number;
  /** 1 when the customer made no purchase in the window. */
  churned: 0 | 1;
}

/** One learnt weight, on the feature standardised with the training mean and spread. */
export interface CalibrationWeight {
  key: ChurnFeatureKey;
  mean: number;
  sd: number;
  /** Change in log-odds per standard deviation of the feature. */
  weight: number;
}

/** A fitted calibration; everything needed to apply and to explain it. */
export interface ChurnCalibration {
  mode: CalibrationMode;
  intercept: number;
  weights: CalibrationWeight[];
  l2: number;
  /** Labelled customers it was fitted on (over all origins). */
  examples: number;
  /** Their share with no purchase in the window. */
  churnRate: number;
  /** Mean log loss on the training examples. */
  logLoss: number;
  converged: boolean;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Whether a set of examples can support a calibration, and if not, why. */
export function calibrationProblem(examples: readonly CalibrationExample[]): string | null {
  const churned = examples.reduce((sum, example) => sum + example.churned, 0);
  if (examples.length < MIN_CALIBRATION_EXAMPLES) {
    return `only ${examples.length} customers could be labelled in the inner windows (at least ${MIN_CALIBRATION_EXAMPLES} needed)`;
  }
  if (churned < MIN_CALIBRATION_OUTCOMES || examples.length - churned < MIN_CALIBRATION_OUTCOMES) {
    return `the inner windows hold ${churned} customers who did not buy and ${examples.length - churned} who did (at least ${MIN_CALIBRATION_OUTCOMES} of each needed)`;
  }
  return null;
}

/**
 * Fits the calibration on labelled examples (see the module comment for both modes). Features
 * present for fewer than 5% of the examples, or constant, are left out; a missing value counts
 * as the training mean (standardised 0).
 */
export function fitChurnCalibration(
  examples: readonly CalibrationExample[],
  mode: CalibrationMode,
  l2 = CALIBRATION_L2,
): ChurnCalibration {
  return runSteps(fitChurnCalibrationSteps(examples, mode, l2));
}

/** {@link fitChurnCalibration}, yielding after each evaluation of the loss (see `Steps`). */
export function* fitChurnCalibrationSteps(
  examples: readonly CalibrationExample[],
  mode: CalibrationMode,
  l2 = CALIBRATION_L2,
): Steps<ChurnCalibration> {
  const problem = calibrationProblem(examples);
  if (problem) throw new RangeError(`fitChurnCalibration: ${problem}`);
  const weights: CalibrationWeight[] = [];
  for (const key of CHURN_FEATURE_KEYS) {
    let count = 0;
    let sum = 0;
    let squares = 0;
    for (const example of examples) {
      const value = example.features[key];
      if (value === null || !Number.isFinite(value)) continue;
      count++;
      sum += value;
      squares += value * value;
    }
    if (count < MIN_FEATURE_SHARE * examples.length) continue;
    const mean = sum / count;
    const sd = Math.sqrt(Math.max(0, squares / count - mean * mean));
    if (!(sd > 1e-9)) continue;
    weights.push({ key, mean, sd, weight: 0 });
  }
  const k = weights.length;
  const design = new Float64Array(examples.length * k);
  examples.forEach((example, i) => {
    weights.forEach((w, j) => {
      const value = example.features[w.key];
      design[i * k + j] = value === null || !Number.isFinite(value) ? 0 : (value - w.mean) / w.sd;
    });
  });
  const survival = Float64Array.from(examples, (example) =>
    Math.min(1 - 1e-12, Math.max(0, example.survivalIfAlive)),
  );
  const labels = Uint8Array.from(examples, (example) => example.churned);
  const n = examples.length;
  const objective = {
    value: (theta: readonly number[]) => evaluate(theta, null),
    valueAndGradient: (theta: readonly number[], gradient: number[]) => evaluate(theta, gradient),
  };
  function evaluate(theta: readonly number[], gradient: number[] | null): number {
    if (gradient) gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let eta = theta[0];
      for (let j = 0; j < k; j++) eta += theta[j + 1] * design[i * k + j];
      let dEta: number;
      if (mode === "logistic") {
        const p = sigmoid(eta);
        loss -= labels[i] ? Math.log(Math.max(p, 1e-300)) : Math.log(Math.max(1 - p, 1e-300));
        dEta = p - labels[i];
      } else {
        const d = sigmoid(eta);
        const s = survival[i];
        if (labels[i]) {
          const p = d + (1 - d) * s;
          loss -= Math.log(Math.max(p, 1e-300));
          dEta = -(d * (1 - d) * (1 - s)) / Math.max(p, 1e-300);
        } else {
          loss -= Math.log(Math.max(1 - d, 1e-300)) + Math.log(1 - s);
          dEta = d;
        }
      }
      if (gradient) {
        gradient[0] += dEta;
        for (let j = 0; j < k; j++) gradient[j + 1] += dEta * design[i * k + j];
      }
    }
    for (let j = 1; j <= k; j++) {
      loss += 0.5 * l2 * theta[j] * theta[j];
      if (gradient) gradient[j] += l2 * theta[j];
    }
    // Scaled to a mean so the optimiser's tolerances mean the same on any book size.
    if (gradient) for (let j = 0; j <= k; j++) gradient[j] /= n;
    return loss / n;
  }
  yield;
  const result = yield* minimizeSteps(objective, [new Array(k + 1).fill(0)], {
    maxIterations: 500,
    gradientTolerance: 1e-9,
    valueTolerance: 1e-14,
  });
  weights.forEach((w, j) => (w.weight = result.x[j + 1]));
  const churned = labels.reduce((sum, label) => sum + label, 0);
  const penalty = weights.reduce((sum, w) => sum + 0.5 * l2 * w.weight * w.weight, 0) / n;
  return {
    mode,
    intercept: result.x[0],
    weights,
    l2,
    examples: n,
    churnRate: churned / n,
    logLoss: result.value - penalty,
    converged: result.converged,
  };
}

/** A calibrated prediction with each feature's part in it. */
export interface ChurnPrediction {
  /** P(no purchase in the horizon). */
  probability: number;
  /** The mixture's calibrated probability that the customer is gone; null in logistic mode. */
  dropoutProbability: number | null;
  /** Per feature: its log-odds contribution and the probability points it adds (see below). */
  contributions: { key: ChurnFeatureKey; logOdds: number; points: number }[];
}

/**
 * Applies a calibration to one customer. `survivalIfAlive` is the model's P(no purchase in H |
 * active) at the requested horizon (the dropout mixture's carry to H; ignored in logistic mode).
 * A feature's `points` are how far the probability, in percentage points, would fall if that one
 * feature were at the training average: its own push, on the customer's own curve.
 */
export function predictChurn(
  calibration: ChurnCalibration,
  features: ChurnFeatureValues,
  survivalIfAlive: number,
): ChurnPrediction {
  const contributions = calibration.weights.map((w) => {
    const value = features[w.key];
    const z = value === null || !Number.isFinite(value) ? 0 : (value - w.mean) / w.sd;
    return { key: w.key, logOdds: w.weight * z, points: 0 };
  });
  const eta = contributions.reduce((sum, c) => sum + c.logOdds, calibration.intercept);
  const s = Math.min(1, Math.max(0, survivalIfAlive));
  const probabilityAt = (logOdds: number) =>
    calibration.mode === "logistic" ? sigmoid(logOdds) : sigmoid(logOdds) + (1 - sigmoid(logOdds)) * s;
  const probability = probabilityAt(eta);
  for (const c of contributions) c.points = 100 * (probability - probabilityAt(eta - c.logOdds));
  return {
    probability,
    dropoutProbability: calibration.mode === "logistic" ? null : sigmoid(eta),
    contributions,
  };
}

/**
 * P(no purchase in `horizonDays`) when neither a purchase model nor a calibration is available (a
 * book of a handful of customers): an active customer buys on average once per `gapDays` (their
 * own median gap, else the book's), so stays silent for the horizon with probability
 * e^(-horizon/gap), and is taken to be still active with probability 1 / max(1, silence / gap),
 * falling once the silence exceeds one usual gap. A stated rule of thumb, not an estimate.
 */
export function heuristicChurnProbability(
  daysSinceLastPurchase: number,
  gapDays: number,
  horizonDays: number,
): number {
  const gap = Math.max(1, gapDays);
  const active = 1 / Math.max(1, Math.max(0, daysSinceLastPurchase) / gap);
  return 1 - active * (1 - Math.exp(-Math.max(0, horizonDays) / gap));
}

/**
 * Carries P(no purchase in h days) to H days as if silence compounded at a constant rate,
 * p^(H/h): used only when a calibration has to reach past its window without a purchase model.
 */
export function carryByConstantRate(probability: number, innerDays: number, horizonDays: number): number {
  return Math.pow(Math.min(1, Math.max(0, probability)), horizonDays / Math.max(1, innerDays));
}
