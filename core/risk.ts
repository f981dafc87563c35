/**
 * At-risk score: a 0-100 blend of churn signals with ranked, bilingual reasons, and the customer
 * value that the risk puts in play.
 *
 * Each factor maps its raw input to a contribution in [0, 1] (the curves are documented on
 * `RISK_FACTORS`), and
 *
 *     score = 100 x sum(weight x contribution) / sum(weight)   over the factors with data.
 *
 * A factor whose input is missing (no feedback, no model, a single purchase so no usual gap) is
 * left out of both sums rather than counted as safe: treating silence as good news would rank
 * a customer we know nothing about below one whose single complaint we recorded. `coverage`
 * reports the share of the total weight that had data, so callers can flag thin evidence.
 */

import type { Bilingual } from "./i18n.js";
import { formatOneDecimal, formatPercent, formatWhole } from "./i18n.js";

/** Risk factor keys; also the keys of the weights. */
export type RiskFactor =
  | "churnProbability"
  | "overdue"
  | "spendTrend"
  | "nps"
  | "negativeFeedback"
  | "openComplaints"
  | "inactivity";

/** Relative weights of the risk factors. */
export type RiskWeights = Record<RiskFactor, number>;

/**
 * Default factor weights (they sum to 1, but only ratios matter). The model's churn probability
 * carries the most because it already summarises frequency and recency; being overdue against
 * the customer's own rhythm is the next strongest behavioural sign; the voice-of-customer and
 * engagement signals share the rest equally. Override any subset: `riskScore(input, { nps: 0.3 })`.
 */
export const DEFAULT_RISK_WEIGHTS: Readonly<RiskWeights> = {
  churnProbability: 0.3,
  overdue: 0.2,
  spendTrend: 0.1,
  nps: 0.1,
  negativeFeedback: 0.1,
  openComplaints: 0.1,
  inactivity: 0.1,
};

/** How each factor's input maps to a contribution in [0, 1]; kept as text for docs and UIs. */
export const RISK_FACTORS: Readonly<Record<RiskFactor, { input: string; curve: string }>> = {
  churnProbability: { input: "pAlive", curve: "1 - pAlive" },
  overdue: {
    input: "daysSinceLastPurchase / typicalGapDays",
    curve: "0 up to 1x the usual gap, rising linearly to 1 at 4x (where lifecycle calls a customer churned)",
  },
  spendTrend: {
    input: "spendTrend (recent / previous window spend)",
    curve: "1 - ratio, clamped to [0, 1]: flat or growing spend is 0, no recent spend is 1",
  },
  nps: {
    input: "latestNps (0-10)",
    curve: "promoter (9-10) 0, passive (7-8) 0.3, detractor (0-6) from 0.6 at 6 to 1 at 0",
  },
  negativeFeedback: { input: "negativeFeedbackCount / feedbackCount", curve: "the negative share" },
  openComplaints: { input: "openComplaints", curve: "1 - 0.5^n: 0, 0.5, 0.75, 0.875, ..." },
  inactivity: {
    input: "daysSinceLastInteraction",
    curve: "0 up to 30 days, rising linearly to 1 at 180 days",
  },
};

/** Inputs of `riskScore`. Leave a field out (or null) when it is unknown. */
export interface RiskInput {
  /** Model probability that the customer is still active, in [0, 1]. */
  pAlive?: number | null;
  daysSinceLastPurchase?: number | null;
  /** The customer's median days between purchases. */
  typicalGapDays?: number | null;
  /** Recent-window spend / previous-window spend (see `CustomerActivity.spendTrend`). */
  spendTrend?: number | null;
  /** The latest NPS answer, 0-10. */
  latestNps?: number | null;
  /** Number of feedback items with a sentiment. */
  feedbackCount?: number | null;
  /** How many of those were negative. */
  negativeFeedbackCount?: number | null;
  /** Complaints not yet resolved. */
  openComplaints?: number | null;
  /** Days since the last interaction of any kind (email, call, meeting, ...). */
  daysSinceLastInteraction?: number | null;
  /** Customer lifetime value, for the value at risk. */
  clv?: number | null;
}

/** One factor's part in the score, with the numbers behind it in both languages. */
export interface RiskReason extends Bilingual {
  factor: RiskFactor;
  /** Points this factor adds to the 0-100 score; the contributions sum to the score. */
  contribution: number;
  /** The factor's own 0..1 reading before weighting. */
  level: number;
  weight: number;
}

/** Risk levels by score band. */
export type RiskLevel = "low" | "medium" | "high" | "critical";

/** Result of `riskScore`. */
export interface RiskResult {
  /** 0-100, higher = more likely to be lost. */
  score: number;
  level: RiskLevel;
  /** clv x score / 100, or null when no CLV was given. */
  valueAtRisk: number | null;
  /** Share of the total weight whose factors had data, in [0, 1]. */
  coverage: number;
  /** Factors with data, largest contribution first. */
  reasons: RiskReason[];
}

/** Score bands: low < 25 <= medium < 50 <= high < 75 <= critical. */
export const RISK_LEVELS: Readonly<Record<RiskLevel, { minScore: number; label: Bilingual }>> = {
  low: { minScore: 0, label: { en: "Low", zh: "低" } },
  medium: { minScore: 25, label: { en: "Medium", zh: "中" } },
  high: { minScore: 50, label: { en: "High", zh: "高" } },
  critical: { minScore: 75, label: { en: "Critical", zh: "极高" } },
};

/** The risk level of a 0-100 score (bands in `RISK_LEVELS`). */
export function riskLevel(score: number): RiskLevel {
  if (!Number.isFinite(score)) throw new RangeError(`riskLevel: score must be a finite number, got ${score}`);
  if (score >= RISK_LEVELS.critical.minScore) return "critical";
  if (score >= RISK_LEVELS.high.minScore) return "high";
  if (score >= RISK_LEVELS.medium.minScore) return "medium";
  return "low";
}

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));
const known = (value: number | null | undefined): value is number => value !== null && value !== undefined;

function checkInput(input: RiskInput): void {
  const check = (name: keyof RiskInput, ok: (value: number) => boolean, rule: string): void => {
    const value = input[name];
    if (!known(value)) return;
    if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
      throw new RangeError(`riskScore: ${name} ${rule}, got ${String(value)}; pass null when unknown`);
    }
  };
  const nonNegative = (value: number): boolean => value >= 0;
  const count = (value: number): boolean => Number.isInteger(value) && value >= 0;
  check("pAlive", (value) => value >= 0 && value <= 1, "must be a probability in [0, 1]");
  check("daysSinceLastPurchase", nonNegative, "must be >= 0");
  check("typicalGapDays", (value) => value > 0, "must be > 0");
  check("spendTrend", nonNegative, "must be a ratio >= 0");
  check("latestNps", (value) => value >= 0 && value <= 10, "must be an NPS answer from 0 to 10");
  check("feedbackCount", count, "must be a whole number >= 0");
  check("negativeFeedbackCount", count, "must be a whole number >= 0");
  check("openComplaints", count, "must be a whole number >= 0");
  check("daysSinceLastInteraction", nonNegative, "must be >= 0");
  check("clv", () => true, "must be a finite number");
  if (
    known(input.negativeFeedbackCount) &&
    known(input.feedbackCount) &&
    input.negativeFeedbackCount > input.feedbackCount
  ) {
    throw new RangeError(
      `riskScore: negativeFeedbackCount (${input.negativeFeedbackCount}) exceeds feedbackCount (${input.feedbackCount})`,
    );
  }
}

function mergeWeights(overrides: Partial<RiskWeights> | undefined): RiskWeights {
  const weights: RiskWeights = { ...DEFAULT_RISK_WEIGHTS };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!(key in DEFAULT_RISK_WEIGHTS)) {
      throw new RangeError(
        `riskScore: unknown risk weight "${key}"; known weights are ${Object.keys(DEFAULT_RISK_WEIGHTS).join(", ")}`,
      );
    }
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`riskScore: weight ${key} must be a finite number >= 0, got ${String(value)}`);
    }
    weights[key as RiskFactor] = value;
  }
  return weights;
}

interface FactorReading extends Bilingual {
  factor: RiskFactor;
  level: number;
}

function npsLevel(nps: number): number {
  if (nps >= 9) return 0;
  if (nps >= 7) return 0.3;
  return 0.6 + (0.4 * (6 - nps)) / 6;
}

/** Reads every factor that has data into a 0..1 level with its bilingual explanation. */
function readFactors(input: RiskInput): FactorReading[] {
  const readings: FactorReading[] = [];

  if (known(input.pAlive)) {
    const churn = 1 - input.pAlive;
    readings.push({
      factor: "churnProbability",
      level: churn,
      en: `model churn probability ${formatPercent(churn)} (P(alive) ${formatPercent(input.pAlive)})`,
      zh: `模型预测流失概率${formatPercent(churn)}（存活概率${formatPercent(input.pAlive)}）`,
    });
  }

  if (known(input.daysSinceLastPurchase) && known(input.typicalGapDays)) {
    const ratio = input.daysSinceLastPurchase / input.typicalGapDays;
    const days = formatWhole(input.daysSinceLastPurchase);
    const gap = formatWhole(input.typicalGapDays);
    const times = formatOneDecimal(ratio);
    readings.push({
      factor: "overdue",
      level: clamp01((ratio - 1) / 3),
      en:
        `last order ${days} days ago; usually every ${gap} days` +
        (ratio > 1 ? ` (${times}x the usual gap)` : ""),
      zh: `上次下单在${days}天前；通常每${gap}天一次` + (ratio > 1 ? `（是平时间隔的${times}倍）` : ""),
    });
  }

  if (known(input.spendTrend)) {
    const ratio = input.spendTrend;
    let en: string;
    let zh: string;
    if (ratio < 1) {
      en = `recent spend down ${formatPercent(1 - ratio)} on the previous period`;
      zh = `近期消费比上一周期下降${formatPercent(1 - ratio)}`;
    } else if (ratio > 1) {
      en = `recent spend up ${formatPercent(ratio - 1)} on the previous period`;
      zh = `近期消费比上一周期增长${formatPercent(ratio - 1)}`;
    } else {
      en = "recent spend level with the previous period";
      zh = "近期消费与上一周期持平";
    }
    readings.push({ factor: "spendTrend", level: clamp01(1 - ratio), en, zh });
  }

  if (known(input.latestNps)) {
    const nps = input.latestNps;
    const group: Bilingual =
      nps >= 9
        ? { en: "promoter", zh: "推荐者" }
        : nps >= 7
          ? { en: "passive", zh: "中立者" }
          : { en: "detractor", zh: "贬损者" };
    const score = formatOneDecimal(nps);
    readings.push({
      factor: "nps",
      level: npsLevel(nps),
      en: `latest NPS score ${score} (${group.en})`,
      zh: `最近一次NPS评分为${score}（${group.zh}）`,
    });
  }

  if (known(input.feedbackCount) && input.feedbackCount > 0) {
    const negative = input.negativeFeedbackCount ?? 0;
    readings.push({
      factor: "negativeFeedback",
      level: negative / input.feedbackCount,
      en: `${negative} of ${input.feedbackCount} feedback items negative`,
      zh: `${input.feedbackCount}条反馈中有${negative}条负面`,
    });
  }

  if (known(input.openComplaints)) {
    const open = input.openComplaints;
    readings.push({
      factor: "openComplaints",
      level: 1 - Math.pow(0.5, open),
      en: open === 0 ? "no open complaints" : `${open} open complaint${open === 1 ? "" : "s"}`,
      zh: open === 0 ? "没有未解决的投诉" : `有${open}个未解决的投诉`,
    });
  }

  if (known(input.daysSinceLastInteraction)) {
    const days = input.daysSinceLastInteraction;
    readings.push({
      factor: "inactivity",
      level: clamp01((days - 30) / 150),
      en: `last interaction ${formatWhole(days)} days ago`,
      zh: `上次互动在${formatWhole(days)}天前`,
    });
  }

  return readings;
}

/**
 * Scores how likely a customer is to be lost, 0-100, from whichever signals are available, and
 * explains the score with one reason per factor, largest contribution first.
 *
 * @param weights partial override of `DEFAULT_RISK_WEIGHTS`; unspecified factors keep the default.
 */
export function riskScore(input: RiskInput, weights?: Partial<RiskWeights>): RiskResult {
  checkInput(input);
  const merged = mergeWeights(weights);
  const totalWeight = Object.values(merged).reduce((sum, weight) => sum + weight, 0);
  const readings = readFactors(input);
  const availableWeight = readings.reduce((sum, reading) => sum + merged[reading.factor], 0);
  const factorOrder = Object.keys(DEFAULT_RISK_WEIGHTS) as RiskFactor[];

  const reasons: RiskReason[] = readings
    .map((reading) => ({
      factor: reading.factor,
      contribution:
        availableWeight > 0 ? (100 * merged[reading.factor] * reading.level) / availableWeight : 0,
      level: reading.level,
      weight: merged[reading.factor],
      en: reading.en,
      zh: reading.zh,
    }))
    .sort(
      (a, b) =>
        b.contribution - a.contribution || factorOrder.indexOf(a.factor) - factorOrder.indexOf(b.factor),
    );

  // Summed in the fixed factor order (not the ranked order) so the score is exactly monotone in
  // each input; the clamp only guards against rounding drift past the ends.
  const weightedSum = readings.reduce((sum, reading) => sum + merged[reading.factor] * reading.level, 0);
  const score = availableWeight > 0 ? Math.min(100, Math.max(0, (100 * weightedSum) / availableWeight)) : 0;
  return {
    score,
    level: riskLevel(score),
    valueAtRisk: known(input.clv) ? (input.clv * score) / 100 : null,
    coverage: totalWeight > 0 ? availableWeight / totalWeight : 0,
    reasons,
  };
}
