/**
 * The signals a churn probability is calibrated on, each with its transform and the words that
 * explain it to an account manager.
 *
 * Every feature is a number computed from one customer's history as of a date; the calibration
 * (`churnCalibration.ts`) learns how much each moves the probability of no purchase in the next
 * horizon. Transforms are logs where the raw signal is a count or a duration (the tenth day of
 * silence means more than the three-hundredth). A feature the customer lacks (no NPS answer, no
 * interactions on record) is `null` and is treated as the book's average, so it neither raises nor
 * lowers their probability.
 */

import type { Bilingual } from "./i18n.js";
import { formatOneDecimal, formatPercent, formatWhole } from "./i18n.js";

/** Feature keys, in the order reports list them. */
export type ChurnFeatureKey =
  | "model"
  | "recency"
  | "overdue"
  | "frequency"
  | "tenure"
  | "oneTime"
  | "averageSpend"
  | "spendTrend"
  | "nps"
  | "negativeFeedback"
  | "openComplaints"
  | "inactivity";

/** What each feature measures and how it is transformed; data for the README and UIs. */
export const CHURN_FEATURES: Readonly<Record<ChurnFeatureKey, { input: string; transform: string }>> = {
  model: {
    input: "the purchase model's P(no purchase in the horizon | x, tx, T)",
    transform: "logit, clamped to [1e-6, 1 - 1e-6]",
  },
  recency: { input: "days since the last purchase", transform: "ln(1 + days)" },
  overdue: {
    input:
      "days since the last purchase / the customer's median gap between purchase days (the book's median gap for one-time buyers)",
    transform: "ln(1 + ratio)",
  },
  frequency: { input: "repeat purchase days x", transform: "ln(1 + x)" },
  tenure: { input: "days since the first purchase", transform: "ln(1 + days)" },
  oneTime: { input: "bought on one day only", transform: "1 or 0" },
  averageSpend: { input: "mean spend per purchase day, net of refunds", transform: "ln(1 + max(0, spend))" },
  spendTrend: {
    input: "spend in the recent window / the window before (windows of max(90 days, 2 usual gaps))",
    transform: "ln(1 + ratio), ratio clamped to [0, 10]; missing without a previous window",
  },
  nps: { input: "the latest NPS answer (0-10)", transform: "(10 - answer) / 10; missing without an answer" },
  negativeFeedback: {
    input: "share of the customer's feedback with negative sentiment",
    transform: "the share; missing without feedback",
  },
  openComplaints: {
    input: "complaints and service tickets not yet resolved (a ticket opened for a complaint counts once)",
    transform: "ln(1 + count)",
  },
  inactivity: {
    input: "days since the last interaction of any kind",
    transform: "ln(1 + days); missing without interactions",
  },
};

export const CHURN_FEATURE_KEYS = Object.keys(CHURN_FEATURES) as ChurnFeatureKey[];

/** One customer's history as the features need it; leave a field null when it is unknown. */
export interface ChurnSignals {
  /** Repeat purchase days. */
  x: number;
  /** Days since the first purchase. */
  tenureDays: number;
  daysSinceLastPurchase: number;
  /** Median days between purchase days; null for one-time buyers. */
  typicalGapDays: number | null;
  /** Gap used for one-time buyers: the book's median gap. */
  referenceGapDays: number;
  /** Mean spend per purchase day, net of refunds. */
  averageSpend: number;
  /** Recent / previous window spend; null when there is no previous window. */
  spendTrend: number | null;
  latestNps: number | null;
  feedbackCount: number;
  negativeFeedbackCount: number;
  openComplaints: number;
  daysSinceLastInteraction: number | null;
  /** The purchase model's P(no purchase in the horizon); null without a model. */
  modelNoPurchase: number | null;
}

/** Feature values; null = unknown for this customer. */
export type ChurnFeatureValues = Record<ChurnFeatureKey, number | null>;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const logit = (p: number) => {
  const q = clamp(p, 1e-6, 1 - 1e-6);
  return Math.log(q / (1 - q));
};

/** The transformed features of one customer (see `CHURN_FEATURES`). */
export function churnFeatureValues(signals: ChurnSignals): ChurnFeatureValues {
  const finite = (value: number | null) => (value !== null && Number.isFinite(value) ? value : null);
  const gap = Math.max(1, signals.typicalGapDays ?? signals.referenceGapDays);
  const trend = finite(signals.spendTrend);
  const nps = finite(signals.latestNps);
  const inactivity = finite(signals.daysSinceLastInteraction);
  const model = finite(signals.modelNoPurchase);
  return {
    model: model === null ? null : logit(model),
    recency: Math.log1p(Math.max(0, signals.daysSinceLastPurchase)),
    overdue: Math.log1p(Math.max(0, signals.daysSinceLastPurchase) / gap),
    frequency: Math.log1p(Math.max(0, signals.x)),
    tenure: Math.log1p(Math.max(0, signals.tenureDays)),
    oneTime: signals.x === 0 ? 1 : 0,
    averageSpend: Math.log1p(Math.max(0, finite(signals.averageSpend) ?? 0)),
    spendTrend: trend === null ? null : Math.log1p(clamp(trend, 0, 10)),
    nps: nps === null ? null : (10 - clamp(nps, 0, 10)) / 10,
    negativeFeedback:
      signals.feedbackCount > 0 ? clamp(signals.negativeFeedbackCount / signals.feedbackCount, 0, 1) : null,
    openComplaints: Math.log1p(Math.max(0, signals.openComplaints)),
    inactivity: inactivity === null ? null : Math.log1p(Math.max(0, inactivity)),
  };
}

/** What a feature says about one customer, in both languages and with the customer's own numbers. */
export function describeChurnFeature(
  key: ChurnFeatureKey,
  signals: ChurnSignals,
  context: { horizonDays: number; modelLabel: string },
): Bilingual {
  const days = (value: number) => formatWhole(value);
  switch (key) {
    case "model": {
      const p = signals.modelNoPurchase ?? 0;
      return {
        en: `${context.modelLabel} purchase model: ${formatPercent(p)} chance of no purchase in ${context.horizonDays} days`,
        zh: `${context.modelLabel}购买模型：${context.horizonDays}天内不再购买的概率为${formatPercent(p)}`,
      };
    }
    case "recency":
      return {
        en: `last purchase ${days(signals.daysSinceLastPurchase)} days ago`,
        zh: `上次购买在${days(signals.daysSinceLastPurchase)}天前`,
      };
    case "overdue": {
      const own = signals.typicalGapDays;
      const gap = Math.max(1, own ?? signals.referenceGapDays);
      const ratio = formatOneDecimal(signals.daysSinceLastPurchase / gap);
      return own === null
        ? {
            en: `one purchase only, ${days(signals.daysSinceLastPurchase)} days ago (${ratio}x the book's usual ${days(gap)}-day gap)`,
            zh: `仅购买过一次，在${days(signals.daysSinceLastPurchase)}天前（是客户群通常间隔${days(gap)}天的${ratio}倍）`,
          }
        : {
            en: `${days(signals.daysSinceLastPurchase)} days since the last purchase, ${ratio}x their usual ${days(gap)}-day gap`,
            zh: `距上次购买${days(signals.daysSinceLastPurchase)}天，是其平时${days(gap)}天间隔的${ratio}倍`,
          };
    }
    case "frequency":
      return signals.x === 0
        ? { en: "no repeat purchase yet", zh: "尚无复购" }
        : {
            en: `${signals.x} repeat purchase day${signals.x === 1 ? "" : "s"}`,
            zh: `复购${signals.x}天次`,
          };
    case "tenure":
      return {
        en: `customer for ${days(signals.tenureDays)} days`,
        zh: `成为客户${days(signals.tenureDays)}天`,
      };
    case "oneTime":
      return signals.x === 0
        ? { en: "bought only once", zh: "只购买过一次" }
        : { en: "has bought more than once", zh: "购买过不止一次" };
    case "averageSpend":
      return {
        en: `average spend ${formatOneDecimal(signals.averageSpend)} per purchase`,
        zh: `平均每次消费${formatOneDecimal(signals.averageSpend)}`,
      };
    case "spendTrend": {
      const ratio = signals.spendTrend ?? 1;
      if (ratio < 1)
        return {
          en: `recent spend down ${formatPercent(Math.min(1, 1 - ratio))} on the previous period`,
          zh: `近期消费比上一周期下降${formatPercent(Math.min(1, 1 - ratio))}`,
        };
      if (ratio > 1)
        return {
          en: `recent spend up ${formatPercent(ratio - 1)} on the previous period`,
          zh: `近期消费比上一周期增长${formatPercent(ratio - 1)}`,
        };
      return { en: "recent spend level with the previous period", zh: "近期消费与上一周期持平" };
    }
    case "nps": {
      const score = signals.latestNps ?? 0;
      const group: Bilingual =
        score >= 9
          ? { en: "promoter", zh: "推荐者" }
          : score >= 7
            ? { en: "passive", zh: "中立者" }
            : { en: "detractor", zh: "贬损者" };
      return {
        en: `latest NPS ${formatOneDecimal(score)} (${group.en})`,
        zh: `最近一次NPS评分${formatOneDecimal(score)}（${group.zh}）`,
      };
    }
    case "negativeFeedback":
      return {
        en: `${signals.negativeFeedbackCount} of ${signals.feedbackCount} feedback items negative`,
        zh: `${signals.feedbackCount}条反馈中有${signals.negativeFeedbackCount}条负面`,
      };
    case "openComplaints":
      return signals.openComplaints === 0
        ? { en: "no open complaints", zh: "没有未解决的投诉" }
        : {
            en: `${signals.openComplaints} open complaint${signals.openComplaints === 1 ? "" : "s"}`,
            zh: `有${signals.openComplaints}个未解决的投诉`,
          };
    case "inactivity":
      return {
        en: `last interaction ${days(signals.daysSinceLastInteraction ?? 0)} days ago`,
        zh: `上次互动在${days(signals.daysSinceLastInteraction ?? 0)}天前`,
      };
  }
}
