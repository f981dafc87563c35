import { DAYS_PER_MONTH, portfolioLifetimeValue, type CustomerLifetimeValue } from "../../core/clv.js";
import { sentimentOf } from "../../core/feedback.js";
import { fitGammaGamma, type GammaGammaFit } from "../../core/gammaGamma.js";
import { lifecycleStage, type LifecycleStageKey } from "../../core/lifecycle.js";
import { modelConditionalExpected, modelPAlive, type PurchaseModelFit } from "../../core/purchaseModel.js";
import { rfmScores, type RfmSegmentKey } from "../../core/rfm.js";
import { riskLevel, riskScore, valueAtRisk, type RiskLevel, type RiskReason } from "../../core/risk.js";
import { abcTiers, valueMatrix, type AbcTier, type ValueQuadrant } from "../../core/valueTiers.js";
import { asOfDay } from "../asOf.js";
import { storedTime } from "../store/timestamps.js";
import { buildChurnModel, type ChurnModelReport } from "./churnModel.js";
import { customerState, daysBetween, type CustomerState } from "./customerState.js";
import type { CustomerRecord } from "./loadBook.js";
import { SCORING_DEFAULTS } from "./settings.js";

/** The CLV horizon in days, for expected purchases when there is no spend model. */
const CLV_HORIZON_DAYS = SCORING_DEFAULTS.horizonMonths * DAYS_PER_MONTH;
/** Fewer returning customers than this cannot support a Gamma-Gamma fit. */
const MIN_RETURNING_TO_FIT = 10;
/** Scores warn when no purchase at all falls in this many horizons before the as-of date. */
const STALE_HORIZONS = 1;

/** The fitted models and how well they fit, as reported by the tools. */
export interface BookModels {
  unit: "days";
  /** The churn horizon: churn probability = P(no purchase in the next horizonDays). */
  horizonDays: number;
  /** How churn probabilities were made: purchase model, candidates, calibration. */
  churn: ChurnModelReport;
  gammaGamma: GammaGammaFit | null;
  /** Why a model is missing or replaced, when one is. */
  notes: string[];
  /** Things a user must know before trusting the scores (e.g. a stale as-of date). */
  warnings: string[];
  /** Date (YYYY-MM-DD) of the newest purchase on or before the as-of date. */
  newestPurchase: string | null;
  purchasingCustomers: number;
  returningCustomers: number;
  /** Customers who could not be scored, with the reason. */
  unscored: { customerId: number; reason: string }[];
}

/** Everything cached about one customer for one as-of date. */
export interface CustomerScore {
  customerId: number;
  orders: number;
  revenue: number;
  firstPurchase: string | null;
  lastPurchase: string | null;
  daysSinceLastPurchase: number | null;
  typicalGapDays: number | null;
  x: number;
  tx: number;
  T: number;
  monetary: number;
  marginRate: number;
  pAlive: number | null;
  /** P(no purchase in the next horizon days); null for customers who never bought. */
  churnProbability: number | null;
  /** Expected purchases over the CLV horizon (12 months). */
  expectedPurchases: number | null;
  /** Expected purchases over the churn horizon (`BookModels.horizonDays`). */
  horizonExpectedPurchases: number | null;
  expectedSpend: number | null;
  clv: number;
  /** Discounted 12-month profit if the customer is retained (see `BookModels` and the README). */
  valueIfRetained: number;
  riskScore: number;
  riskLevel: RiskLevel;
  valueAtRisk: number;
  riskReasons: RiskReason[];
  lifecycleStage: LifecycleStageKey;
  lifecycleReasons: { en: string[]; zh: string[] };
  rfm: { r: number; f: number; m: number; segment: RfmSegmentKey } | null;
  abcTier: AbcTier | null;
  valueQuadrant: ValueQuadrant | null;
  latestNps: number | null;
  openComplaints: number;
  lastInteraction: string | null;
  /** Why this customer has no scores, when they could not be scored. */
  scoreProblem: string | null;
}

/** How to score. */
export interface ScoringOptions {
  /** Days ahead the churn probability looks (default 90). */
  horizonDays: number;
}

export const DEFAULT_HORIZON_DAYS = 90;

function iso(date: Date | null): string | null {
  return date ? storedTime(date) : null;
}

/** The customer's observed margin rate when the data records margins, else the default. */
function marginRate(record: CustomerRecord, asOf: Date): number {
  let margin = 0;
  let amount = 0;
  for (const row of record.transactions) {
    if (row.timestamp > asOf || row.margin === null || !(row.amount > 0)) continue;
    margin += row.margin;
    amount += row.amount;
  }
  if (!(amount > 0) || !Number.isFinite(margin / amount)) return SCORING_DEFAULTS.margin;
  return Math.min(1, Math.max(0, margin / amount));
}

/** Gamma-Gamma on returning customers, or why not; a fit with an infinite mean spend is unusable. */
function fitSpendModel(states: readonly (CustomerState | null)[], notes: string[]): GammaGammaFit | null {
  const returning = states.filter((s): s is CustomerState => s !== null && s.x > 0 && s.monetary > 0);
  if (returning.length < MIN_RETURNING_TO_FIT) {
    notes.push(
      `Gamma-Gamma not fitted: ${returning.length} returning customers, at least ${MIN_RETURNING_TO_FIT} needed; spend per purchase is each customer's own average.`,
    );
    return null;
  }
  const fit = fitGammaGamma(returning.map(({ x, monetary }) => ({ x, monetary })));
  if (!(fit.q > 1)) {
    notes.push(
      `Gamma-Gamma not used: its fit has q = ${fit.q.toPrecision(3)} <= 1, an infinite mean spend; spend per purchase is each customer's own average.`,
    );
    return null;
  }
  return fit;
}

/**
 * CLV for every purchasing customer, batched per margin rate: the core's portfolio valuation
 * shares work between customers with the same (x, T), which per-customer calls would repeat.
 */
function lifetimeValues(
  model: PurchaseModelFit | null,
  gammaGamma: GammaGammaFit | null,
  states: readonly (CustomerState | null)[],
  margins: readonly number[],
): (CustomerLifetimeValue | null)[] {
  const values: (CustomerLifetimeValue | null)[] = states.map(() => null);
  if (!model || !gammaGamma) return values;
  const byMargin = new Map<number, number[]>();
  states.forEach((state, index) => {
    if (!state) return;
    const group = byMargin.get(margins[index]) ?? [];
    group.push(index);
    byMargin.set(margins[index], group);
  });
  for (const [margin, indices] of byMargin) {
    const result = portfolioLifetimeValue(
      model,
      gammaGamma,
      indices.map((index) => states[index]!),
      { ...SCORING_DEFAULTS, margin, unit: "days" },
    );
    indices.forEach((customerIndex, position) => (values[customerIndex] = result.customers[position]));
  }
  return values;
}

/** Net spend in the 12 months before asOf: the value-if-retained run rate when there is no model. */
function trailingYearSpend(record: CustomerRecord, asOf: Date): number {
  const start = asOf.getTime() - 365 * 86_400_000;
  let total = 0;
  for (const row of record.transactions) {
    const time = row.timestamp.getTime();
    if (time > start && time <= asOf.getTime()) total += row.amount;
  }
  return Number.isFinite(total) ? Math.max(0, total) : 0;
}

const finiteOr0 = (value: number) => (Number.isFinite(value) ? value : 0);

/** Whether a feedback item reads negative; a text the analyser cannot read counts as neutral. */
function readsNegative(item: CustomerRecord["feedback"][number]): boolean {
  if (item.text.trim() === "") return false;
  try {
    return sentimentOf(item.text, item.language ?? undefined).label === "negative";
  } catch {
    return false;
  }
}

function unscoredCustomer(record: CustomerRecord, reason: string): CustomerScore {
  return {
    customerId: record.id,
    orders: 0,
    revenue: 0,
    firstPurchase: null,
    lastPurchase: null,
    daysSinceLastPurchase: null,
    typicalGapDays: null,
    x: 0,
    tx: 0,
    T: 0,
    monetary: 0,
    marginRate: SCORING_DEFAULTS.margin,
    pAlive: null,
    churnProbability: null,
    expectedPurchases: null,
    horizonExpectedPurchases: null,
    expectedSpend: null,
    clv: 0,
    valueIfRetained: 0,
    riskScore: 0,
    riskLevel: "low",
    valueAtRisk: 0,
    riskReasons: [],
    lifecycleStage: "prospect",
    lifecycleReasons: { en: [`not scored: ${reason}`], zh: [`未评分：${reason}`] },
    rfm: null,
    abcTier: null,
    valueQuadrant: null,
    latestNps: null,
    openComplaints: 0,
    lastInteraction: null,
    scoreProblem: reason,
  };
}

/**
 * Scores every customer as of a date: chooses and fits a purchase model (BG/NBD, MBG/NBD or
 * Pareto/NBD), calibrates the churn probability on the book's own history, fits Gamma-Gamma, then
 * derives P(alive), churn probability, CLV, value at risk, lifecycle stage, RFM segment, ABC tier
 * and value quadrant per customer. Rows dated after `asOf` are ignored, so a backtest can pass
 * records that run past it. Pure: the same records, as-of and options give the same scores. A
 * customer whose history cannot be summarised is reported in `unscored` and never stops the book.
 */
export function scoreCustomers(
  records: readonly CustomerRecord[],
  asOf: Date,
  options: ScoringOptions = { horizonDays: DEFAULT_HORIZON_DAYS },
): { models: BookModels; scores: CustomerScore[] } {
  const horizonDays = options.horizonDays;
  const notes: string[] = [];
  const warnings: string[] = [];
  const unscored: BookModels["unscored"] = [];
  // Sentiment once per feedback text: the inner windows read the same items again.
  const negatives = records.map((record) => record.feedback.map(readsNegative));
  const problems: (string | null)[] = records.map(() => null);
  const states = records.map((record, index) => {
    try {
      return customerState(record, asOf, negatives[index]);
    } catch (error) {
      problems[index] = (error as Error).message;
      unscored.push({ customerId: record.id, reason: problems[index]! });
      return null;
    }
  });

  let newest = -Infinity;
  for (const state of states)
    if (state?.activity.lastPurchase) newest = Math.max(newest, state.activity.lastPurchase.getTime());
  const newestPurchase = Number.isFinite(newest) ? new Date(newest) : null;
  if (newestPurchase) {
    const gap = daysBetween(newestPurchase, asOf);
    if (gap > STALE_HORIZONS * horizonDays) {
      warnings.push(
        `The newest purchase is ${asOfDay(newestPurchase)}, ${gap.toLocaleString("en-US")} days before the as-of date ${asOfDay(asOf)}; every customer looks long gone. Pass --as-of ${asOfDay(newestPurchase)} (as_of "${asOfDay(newestPurchase)}") to score the book as of its last day.`,
      );
    }
  }

  const churn = buildChurnModel(records, negatives, asOf, horizonDays, states);
  const model = churn.report.purchaseModel;
  const gammaGamma = fitSpendModel(states, notes);
  const margins = records.map((record) => marginRate(record, asOf));
  const values = lifetimeValues(model, gammaGamma, states, margins);

  const partial = records.map((record, index): CustomerScore => {
    const state = states[index];
    if (problems[index]) return unscoredCustomer(record, problems[index]!);
    const lastInteraction = record.interactions.filter((time) => time <= asOf).at(-1) ?? null;
    if (!state) {
      return {
        ...unscoredCustomer(record, ""),
        lifecycleReasons: { en: ["no purchase yet"], zh: ["尚未购买"] },
        scoreProblem: null,
        marginRate: margins[index],
        lastInteraction: iso(lastInteraction),
        revenue: finiteOr0(
          record.transactions
            .filter((row) => row.timestamp <= asOf)
            .reduce((sum, row) => sum + row.amount, 0),
        ),
      };
    }
    try {
      const activity = state.activity;
      const value = values[index];
      const pAlive = model ? (value?.pAlive ?? modelPAlive(model, state.x, state.tx, state.T)) : null;
      const horizonExpectedPurchases = model
        ? modelConditionalExpected(model, horizonDays, state.x, state.tx, state.T)
        : null;
      const expectedPurchases =
        value?.expectedPurchases ??
        (model ? modelConditionalExpected(model, CLV_HORIZON_DAYS, state.x, state.tx, state.T) : null);
      const expectedSpend =
        value?.expectedSpendPerPurchase ?? (state.x > 0 ? state.monetary : state.averageSpend);
      const clv = value?.discountedValue ?? 0;
      const valueIfRetained = value?.retainedValue ?? margins[index] * trailingYearSpend(record, asOf);
      const churnScore = churn.score(state);
      const probability = churnScore.churnProbability;
      const lifecycle = lifecycleStage({
        purchaseCount: activity.purchaseCount,
        purchaseDays: activity.purchaseDays,
        tenureDays: activity.tenureDays,
        daysSinceLastPurchase: activity.daysSinceLastPurchase,
        typicalGapDays: activity.typicalGapDays,
        purchaseRateTrend: activity.purchaseRateTrend,
        wonBack: activity.wonBack,
        pAlive,
        churnProbability: probability,
      });
      const score: CustomerScore = {
        customerId: record.id,
        orders: activity.purchaseCount,
        revenue: activity.totalSpend,
        firstPurchase: iso(activity.firstPurchase),
        lastPurchase: iso(activity.lastPurchase),
        daysSinceLastPurchase: activity.daysSinceLastPurchase,
        typicalGapDays: activity.typicalGapDays,
        x: state.x,
        tx: state.tx,
        T: state.T,
        monetary: state.monetary,
        marginRate: margins[index],
        pAlive,
        churnProbability: probability,
        expectedPurchases,
        horizonExpectedPurchases,
        expectedSpend,
        clv,
        valueIfRetained,
        riskScore: riskScore(probability),
        riskLevel: riskLevel(probability),
        valueAtRisk: valueAtRisk(valueIfRetained, probability),
        riskReasons: churnScore.reasons,
        lifecycleStage: lifecycle.stage,
        lifecycleReasons: { en: lifecycle.reasons, zh: lifecycle.reasonsZh },
        rfm: null,
        abcTier: null,
        valueQuadrant: null,
        latestNps: state.latestNps,
        openComplaints: state.openComplaints,
        lastInteraction: iso(lastInteraction),
        scoreProblem: null,
      };
      const numbers = [
        score.revenue,
        score.monetary,
        score.clv,
        score.valueIfRetained,
        score.valueAtRisk,
        probability,
      ];
      if (!numbers.every(Number.isFinite))
        throw new RangeError("its scores are not finite numbers; check its amounts");
      return score;
    } catch (error) {
      const reason = (error as Error).message;
      unscored.push({ customerId: record.id, reason });
      return unscoredCustomer(record, reason);
    }
  });
  if (unscored.length > 0) {
    warnings.push(
      `${unscored.length} customer${unscored.length === 1 ? "" : "s"} could not be scored (first: store id ${unscored[0].customerId}, ${unscored[0].reason}); the rest of the book is scored.`,
    );
  }

  // Population-relative scores: RFM quintiles, ABC tiers and the value matrix.
  const buyers = partial.filter((score) => score.orders > 0 && score.scoreProblem === null);
  const rfm = new Map(
    rfmScores(
      buyers.map((score) => ({
        id: String(score.customerId),
        recencyDays: score.daysSinceLastPurchase ?? 0,
        frequency: score.x + 1,
        monetary: score.revenue,
      })),
    ).map((row) => [Number(row.id), row]),
  );
  const tiers = new Map(
    abcTiers(partial.map((score) => ({ id: String(score.customerId), value: score.clv }))).customers.map(
      (row) => [Number(row.id), row.tier],
    ),
  );
  const quadrants = new Map(
    valueMatrix(
      buyers.map((score) => ({
        id: String(score.customerId),
        profit: score.clv,
        loyalty: score.expectedPurchases ?? 0,
      })),
    ).customers.map((row) => [Number(row.id), row.quadrant]),
  );
  for (const score of partial) {
    const row = rfm.get(score.customerId);
    score.rfm = row ? { r: row.r, f: row.f, m: row.m, segment: row.segment } : null;
    score.abcTier = tiers.get(score.customerId) ?? null;
    score.valueQuadrant = quadrants.get(score.customerId) ?? null;
  }

  return {
    models: {
      unit: "days",
      horizonDays,
      churn: churn.report,
      gammaGamma,
      notes: [...churn.report.notes, ...notes],
      warnings,
      newestPurchase: newestPurchase ? asOfDay(newestPurchase) : null,
      purchasingCustomers: states.filter((state) => state !== null).length,
      returningCustomers: states.filter((state) => state !== null && state.x > 0).length,
      unscored,
    },
    scores: partial,
  };
}
