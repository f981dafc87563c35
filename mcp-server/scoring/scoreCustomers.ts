import { customerActivity } from "../../core/activity.js";
import { bgNbdConditionalExpected, bgNbdPAlive, fitBgNbd, type BgNbdFit } from "../../core/bgNbd.js";
import { DAYS_PER_MONTH, portfolioLifetimeValue, type CustomerLifetimeValue } from "../../core/clv.js";
import { sentimentOf } from "../../core/feedback.js";
import { fitGammaGamma, type GammaGammaFit } from "../../core/gammaGamma.js";
import { lifecycleStage, type LifecycleStageKey } from "../../core/lifecycle.js";
import { rfmScores, type RfmSegmentKey } from "../../core/rfm.js";
import { riskScore, type RiskLevel, type RiskReason } from "../../core/risk.js";
import { customerSummary, type CustomerSummary } from "../../core/summary.js";
import { abcTiers, valueMatrix, type AbcTier, type ValueQuadrant } from "../../core/valueTiers.js";
import type { CustomerRecord } from "./loadBook.js";
import { SCORING_DEFAULTS } from "./settings.js";
import { storedTime } from "../store/timestamps.js";

const DAY_MS = 86_400_000;
/** Fewer purchasing customers than this cannot support a BG/NBD fit worth reporting. */
const MIN_CUSTOMERS_TO_FIT = 20;
/** Likewise for Gamma-Gamma, which needs returning customers. */
const MIN_RETURNING_TO_FIT = 10;

/** The fitted models and how well they fit, as reported by the tools. */
export interface BookModels {
  unit: "days";
  bgNbd: BgNbdFit | null;
  gammaGamma: GammaGammaFit | null;
  /** Why a model is missing, when one is. */
  notes: string[];
  purchasingCustomers: number;
  returningCustomers: number;
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
  expectedPurchases: number | null;
  expectedSpend: number | null;
  clv: number;
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
}

function iso(date: Date | null): string | null {
  return date ? storedTime(date) : null;
}

/** The customer's observed margin rate when the data records margins, else the default. */
function marginRate(record: CustomerRecord): number {
  let margin = 0;
  let amount = 0;
  for (const row of record.transactions) {
    if (row.margin === null || row.amount <= 0) continue;
    margin += row.margin;
    amount += row.amount;
  }
  if (amount <= 0) return SCORING_DEFAULTS.margin;
  return Math.min(1, Math.max(0, margin / amount));
}

/**
 * CLV for every purchasing customer, batched per margin rate: the core's portfolio valuation
 * shares work between customers with the same (x, T), which per-customer calls would repeat.
 */
function lifetimeValues(
  bgNbd: BgNbdFit | null,
  gammaGamma: GammaGammaFit | null,
  summaries: readonly (CustomerSummary | null)[],
  margins: readonly number[],
): (CustomerLifetimeValue | null)[] {
  const values: (CustomerLifetimeValue | null)[] = summaries.map(() => null);
  if (!bgNbd || !gammaGamma) return values;
  const byMargin = new Map<number, number[]>();
  summaries.forEach((summary, index) => {
    if (!summary) return;
    const group = byMargin.get(margins[index]) ?? [];
    group.push(index);
    byMargin.set(margins[index], group);
  });
  for (const [margin, indices] of byMargin) {
    const result = portfolioLifetimeValue(
      bgNbd,
      gammaGamma,
      indices.map((index) => summaries[index]!),
      { ...SCORING_DEFAULTS, margin, unit: "days" },
    );
    indices.forEach((customerIndex, position) => (values[customerIndex] = result.customers[position]));
  }
  return values;
}

/**
 * Scores every customer as of a date: fits BG/NBD and Gamma-Gamma on the whole book, then
 * derives P(alive), CLV, lifecycle stage, RFM segment, at-risk score, ABC tier and value
 * quadrant per customer. Pure: the same records and as-of give the same scores.
 */
export function scoreCustomers(
  records: readonly CustomerRecord[],
  asOf: Date,
): { models: BookModels; scores: CustomerScore[] } {
  const purchases = records.map((record) => record.transactions.filter((row) => row.timestamp <= asOf));
  const summaries = purchases.map((rows) =>
    rows.length > 0 ? customerSummary(rows, { asOf, unit: "days" }) : null,
  );
  const activities = purchases.map((rows) => customerActivity(rows, asOf));

  const notes: string[] = [];
  const fitRows = summaries.filter((summary) => summary !== null && summary.T > 0) as NonNullable<
    (typeof summaries)[number]
  >[];
  const returning = fitRows.filter((summary) => summary.x > 0 && summary.monetary > 0);
  let bgNbd: BgNbdFit | null = null;
  if (fitRows.length >= MIN_CUSTOMERS_TO_FIT) bgNbd = fitBgNbd(fitRows.map(({ x, tx, T }) => ({ x, tx, T })));
  else
    notes.push(
      `BG/NBD not fitted: ${fitRows.length} purchasing customers, at least ${MIN_CUSTOMERS_TO_FIT} needed`,
    );
  let gammaGamma: GammaGammaFit | null = null;
  if (returning.length >= MIN_RETURNING_TO_FIT)
    gammaGamma = fitGammaGamma(returning.map(({ x, monetary }) => ({ x, monetary })));
  else
    notes.push(
      `Gamma-Gamma not fitted: ${returning.length} returning customers, at least ${MIN_RETURNING_TO_FIT} needed`,
    );

  const margins = records.map(marginRate);
  const values = lifetimeValues(bgNbd, gammaGamma, summaries, margins);
  const horizonDays = SCORING_DEFAULTS.horizonMonths * DAYS_PER_MONTH;
  const partial = records.map((record, index) => {
    const summary = summaries[index];
    const activity = activities[index];
    const rate = margins[index];
    const value = values[index];
    let pAlive: number | null = null;
    let expectedPurchases: number | null = null;
    let expectedSpend: number | null = null;
    const clv = value?.discountedValue ?? 0;
    if (summary && bgNbd) {
      pAlive = value?.pAlive ?? bgNbdPAlive(bgNbd, summary.x, summary.tx, summary.T);
      expectedPurchases =
        value?.expectedPurchases ??
        bgNbdConditionalExpected(bgNbd, horizonDays, summary.x, summary.tx, summary.T);
      expectedSpend = value?.expectedSpendPerPurchase ?? activity.averageOrderValue ?? 0;
    }

    let feedbackWithSentiment = 0;
    let negative = 0;
    let latestNps: number | null = null;
    let openComplaints = 0;
    for (const item of record.feedback) {
      if (item.text.trim() !== "") {
        feedbackWithSentiment++;
        if (sentimentOf(item.text, item.language ?? undefined).label === "negative") negative++;
      }
      if (item.source === "nps" && item.score !== null) latestNps = item.score;
      if (item.source === "complaint" && item.status === "open") openComplaints++;
    }
    const daysSinceLastInteraction = record.lastInteraction
      ? Math.floor((asOf.getTime() - record.lastInteraction.getTime()) / DAY_MS)
      : null;

    const lifecycle = lifecycleStage({
      purchaseCount: activity.purchaseCount,
      purchaseDays: activity.purchaseDays,
      tenureDays: activity.tenureDays,
      daysSinceLastPurchase: activity.daysSinceLastPurchase,
      typicalGapDays: activity.typicalGapDays,
      purchaseRateTrend: activity.purchaseRateTrend,
      wonBack: activity.wonBack,
      pAlive,
    });
    const risk =
      activity.purchaseCount === 0
        ? null
        : riskScore({
            pAlive,
            daysSinceLastPurchase: activity.daysSinceLastPurchase,
            typicalGapDays: activity.typicalGapDays,
            spendTrend: activity.spendTrend,
            latestNps,
            feedbackCount: feedbackWithSentiment,
            negativeFeedbackCount: negative,
            openComplaints,
            daysSinceLastInteraction,
            clv,
          });
    return {
      customerId: record.id,
      orders: activity.purchaseCount,
      revenue: activity.totalSpend,
      firstPurchase: iso(activity.firstPurchase),
      lastPurchase: iso(activity.lastPurchase),
      daysSinceLastPurchase: activity.daysSinceLastPurchase,
      typicalGapDays: activity.typicalGapDays,
      x: summary?.x ?? 0,
      tx: summary?.tx ?? 0,
      T: summary?.T ?? 0,
      monetary: summary?.monetary ?? 0,
      marginRate: rate,
      pAlive,
      expectedPurchases,
      expectedSpend,
      clv,
      riskScore: risk?.score ?? 0,
      riskLevel: risk?.level ?? "low",
      valueAtRisk: risk?.valueAtRisk ?? 0,
      riskReasons: risk?.reasons ?? [],
      lifecycleStage: lifecycle.stage,
      lifecycleReasons: { en: lifecycle.reasons, zh: lifecycle.reasonsZh },
      rfm: null,
      abcTier: null,
      valueQuadrant: null,
      latestNps,
      openComplaints,
      lastInteraction: iso(record.lastInteraction),
    } satisfies CustomerScore as CustomerScore;
  });

  // Population-relative scores: RFM quintiles, ABC tiers and the value matrix.
  const buyers = partial.filter((score) => score.orders > 0);
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
      bgNbd,
      gammaGamma,
      notes,
      purchasingCustomers: fitRows.length,
      returningCustomers: returning.length,
    },
    scores: partial,
  };
}
