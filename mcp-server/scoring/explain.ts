import {
  lifecycleStage,
  lifecycleStageKey,
  type LifecycleInput,
  type LifecycleResult,
  type LifecycleStageKey,
} from "../../core/lifecycle.js";
import type { RiskReason } from "../../core/risk.js";
import { churnScorer, type ChurnModelReport } from "./churnModel.js";
import { dayOf, type ChurnState } from "./customerState.js";
import type { CustomerScore } from "./scoreCustomers.js";

/** A score before its reasons are worded. */
export type ScoreFigures = Omit<CustomerScore, "riskReasons" | "lifecycleReasons">;

/** The lifecycle rule's inputs, as a score keeps them. */
function lifecycleInputOf(score: ScoreFigures): LifecycleInput {
  return {
    purchaseCount: score.orders,
    purchaseDays: score.purchaseDays,
    tenureDays: score.T,
    daysSinceLastPurchase: score.daysSinceLastPurchase,
    typicalGapDays: score.typicalGapDays,
    purchaseRateTrend: score.purchaseRateTrend,
    wonBack: score.wonBack,
    pAlive: score.pAlive,
    churnProbability: score.churnProbability,
  };
}

/** A score's lifecycle stage and the facts that decided it. */
export function lifecycleOf(score: ScoreFigures): LifecycleResult {
  return lifecycleStage(lifecycleInputOf(score));
}

/** A score's lifecycle stage alone: scoring a book words no reasons (they are worded on read). */
export function lifecycleStageOf(score: ScoreFigures): LifecycleStageKey {
  return lifecycleStageKey(lifecycleInputOf(score));
}

/** The churn model's view of a scored customer (every input is a column of the score). */
export function churnStateOf(score: ScoreFigures): ChurnState {
  return {
    x: score.x,
    tx: score.tx,
    T: score.T,
    averageSpend: score.averageSpend,
    latestNps: score.latestNps,
    feedbackCount: score.feedbackCount,
    negativeFeedbackCount: score.negativeFeedbackCount,
    openComplaints: score.openComplaints,
    lastInteractionDay: score.lastInteraction === null ? null : dayOf(new Date(score.lastInteraction)),
    activity: {
      daysSinceLastPurchase: score.daysSinceLastPurchase,
      typicalGapDays: score.typicalGapDays,
      spendTrend: score.spendTrend,
    },
  };
}

const scorers = new WeakMap<ChurnModelReport, Map<number, ReturnType<typeof churnScorer>>>();

function scorerFor(report: ChurnModelReport, asOfDay: number) {
  let byDay = scorers.get(report);
  if (!byDay) scorers.set(report, (byDay = new Map()));
  let scorer = byDay.get(asOfDay);
  if (!scorer) byDay.set(asOfDay, (scorer = churnScorer(report, asOfDay)));
  return scorer;
}

/**
 * The score with its reasons, worded when first read. Reasons are not stored: they are a pure
 * function of the score's own columns and the set's churn model, so a set keeps ~300 bytes per
 * customer instead of ~2 KB of text in two languages, and a book scored in bulk never words the
 * reasons of customers nobody looks at.
 */
export function withReasons(figures: ScoreFigures, churn: ChurnModelReport, asOf: Date): CustomerScore {
  const score = figures as CustomerScore;
  let risk: RiskReason[] | undefined;
  let lifecycle: CustomerScore["lifecycleReasons"] | undefined;
  const explainRisk = (): RiskReason[] =>
    figures.scoreProblem !== null || figures.churnProbability === null
      ? []
      : scorerFor(churn, dayOf(asOf))(churnStateOf(figures)).reasons;
  const explainLifecycle = (): CustomerScore["lifecycleReasons"] => {
    if (figures.scoreProblem !== null)
      return { en: [`not scored: ${figures.scoreProblem}`], zh: [`未评分：${figures.scoreProblem}`] };
    if (figures.churnProbability === null) return { en: ["no purchase yet"], zh: ["尚未购买"] };
    const result = lifecycleOf(figures);
    return { en: result.reasons, zh: result.reasonsZh };
  };
  Object.defineProperty(score, "riskReasons", {
    enumerable: true,
    configurable: true,
    get: () => (risk ??= explainRisk()),
    set: (value: RiskReason[]) => (risk = value),
  });
  Object.defineProperty(score, "lifecycleReasons", {
    enumerable: true,
    configurable: true,
    get: () => (lifecycle ??= explainLifecycle()),
    set: (value: CustomerScore["lifecycleReasons"]) => (lifecycle = value),
  });
  return score;
}
