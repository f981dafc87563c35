/**
 * At-risk score, risk level, reasons and value at risk, all read off one number: the customer's
 * churn probability, P(no purchase in the next horizon days), calibrated on the book's own
 * history (`churnCalibration.ts`).
 *
 * - risk score = round(100 × churn probability), so 73 means a 73% chance of no purchase;
 * - risk level = the probability band: low < 25% <= medium < 50% <= high < 75% <= critical;
 * - reasons = the calibrated features' contributions for this customer, largest first, each in
 *   plain words with the customer's own numbers and the percentage points it adds (or removes:
 *   how far the probability would move if that one signal were at the book's average);
 * - value at risk = value if retained × churn probability, where value if retained is the
 *   customer's discounted 12-month profit if they are still active (the CLV without its P(alive)
 *   factor; see `clv.ts`).
 *
 * Earlier versions blended hand-weighted factors into a score; on real books that ranked one-time
 * buyers who left months ago as safe (BG/NBD says P(alive) = 1 for them), so the weights are now
 * learnt and the score is a probability.
 */

import type { Bilingual } from "./i18n.js";
import { describeChurnFeature, type ChurnFeatureKey, type ChurnSignals } from "./churnFeatures.js";
import type { ChurnPrediction } from "./churnCalibration.js";

/** Risk levels by churn-probability band. */
export type RiskLevel = "low" | "medium" | "high" | "critical";

/** Probability bands: low < 0.25 <= medium < 0.5 <= high < 0.75 <= critical. */
export const RISK_LEVELS: Readonly<Record<RiskLevel, { minProbability: number; label: Bilingual }>> = {
  low: { minProbability: 0, label: { en: "Low", zh: "低" } },
  medium: { minProbability: 0.25, label: { en: "Medium", zh: "中" } },
  high: { minProbability: 0.5, label: { en: "High", zh: "高" } },
  critical: { minProbability: 0.75, label: { en: "Critical", zh: "极高" } },
};

function checkProbability(caller: string, probability: number): void {
  if (!(probability >= 0 && probability <= 1)) {
    throw new RangeError(`${caller}: churn probability must be in [0, 1], got ${probability}`);
  }
}

/** The risk level of a churn probability (bands in `RISK_LEVELS`). */
export function riskLevel(churnProbability: number): RiskLevel {
  checkProbability("riskLevel", churnProbability);
  if (churnProbability >= RISK_LEVELS.critical.minProbability) return "critical";
  if (churnProbability >= RISK_LEVELS.high.minProbability) return "high";
  if (churnProbability >= RISK_LEVELS.medium.minProbability) return "medium";
  return "low";
}

/** The 0-100 risk score: round(100 × churn probability). */
export function riskScore(churnProbability: number): number {
  checkProbability("riskScore", churnProbability);
  return Math.round(100 * churnProbability);
}

/** Value at risk = value if retained × churn probability (0 for a negative value). */
export function valueAtRisk(valueIfRetained: number, churnProbability: number): number {
  checkProbability("valueAtRisk", churnProbability);
  if (!Number.isFinite(valueIfRetained)) {
    throw new RangeError(`valueAtRisk: value if retained must be a finite number, got ${valueIfRetained}`);
  }
  return Math.max(0, valueIfRetained) * churnProbability;
}

/** One signal's part in a customer's churn probability, in both languages. */
export interface RiskReason extends Bilingual {
  /** The feature (see `CHURN_FEATURES`), or "model" when the probability is the model's alone. */
  factor: ChurnFeatureKey;
  /** Percentage points this signal adds to the probability (negative: it lowers it). */
  contribution: number;
}

/** Contributions smaller than this (in points) are not worth a reason. */
const MIN_REASON_POINTS = 1;

/**
 * The reasons behind a calibrated prediction, largest push towards churn first, then the signals
 * that lower it; each sentence names the direction and the points, e.g. "last purchase 120 days
 * ago (+18 points)".
 */
export function riskReasons(
  prediction: ChurnPrediction,
  signals: ChurnSignals,
  context: { horizonDays: number; modelLabel: string },
): RiskReason[] {
  return prediction.contributions
    .filter((c) => Math.abs(c.points) >= MIN_REASON_POINTS)
    .sort((a, b) => b.points - a.points)
    .map((c) => {
      const text = describeChurnFeature(c.key, signals, context);
      const points = Math.round(c.points);
      const signed = `${points > 0 ? "+" : ""}${points}`;
      return {
        factor: c.key,
        contribution: c.points,
        en: `${text.en} (${signed} points)`,
        zh: `${text.zh}（${signed}个百分点）`,
      };
    });
}

/** The single reason when the probability is the purchase model's own (no calibration). */
export function modelOnlyReason(
  signals: ChurnSignals,
  churnProbability: number,
  context: { horizonDays: number; modelLabel: string },
): RiskReason {
  const text = describeChurnFeature("model", signals, context);
  return { factor: "model", contribution: 100 * churnProbability, ...text };
}
