/**
 * The relationship-maintenance indices: customer health (CHI), emotion (EI), service efficiency
 * (SE) order statistics, first-month activation ("golden 30 days") and the month arithmetic their
 * monthly series share. Pure functions over counts and figures the store has already aggregated;
 * the formulas are exported as data (`CHI_WEIGHTS`, `EI_WEIGHTS`, ...) so the README, the reports
 * and the UIs can show them.
 *
 * Customer health index, 0-100, for a customer who has bought (the scored population):
 *
 *   CHI = 0.3 × F + 0.3 × V + 0.4 × R
 *   F = mid-rank percentile (0-100) of the purchase rate among the book's purchasing customers,
 *       purchase rate = purchase days × 365.25 / max(days since the first purchase, 90)
 *   V = mid-rank percentile (0-100) of the average spend per purchase day among the same customers
 *   R = 100 × (1 - churn probability)
 *
 * Why: frequency and spend are relative (a good rhythm in a furniture shop is a bad one in a
 * café), so they are ranked against the book rather than scaled by a constant; the mid-rank
 * percentile, 100 × (below + equal / 2) / n, gives tied customers the same score and puts a book
 * of identical customers at 50. The 90-day floor keeps one purchase last week from reading as a
 * weekly rhythm. Retention gets the largest weight because the calibrated churn probability is the
 * only forward-looking part and the one an account manager can change. Because F and V are ranks,
 * the whole book's mean F and V are about 50 by construction: compare owners and months, not the
 * book against a fixed target.
 *
 * Emotion index, 0-100, from NPS answers and review sentiment in a period:
 *
 *   N = (NPS + 100) / 2,   NPS = 100 × (promoters - detractors) / answers   (0-10 scale)
 *   S = 50 × (1 + (positive reviews - negative reviews) / reviews)
 *   EI = 0.5 × N + 0.5 × S, or the one that exists when only one does; none without either.
 *
 * Both halves map a -100..100 balance onto 0..100, so 50 is "as many unhappy as happy voices".
 */

import { lowerBound, upperBound } from "./sortedSearch.js";

/** CHI weights: purchase frequency, order value and retention (1 - churn probability). */
export const CHI_WEIGHTS = Object.freeze({ frequency: 0.3, value: 0.3, retention: 0.4 });

/** Days a customer's age is floored at when their purchase rate is measured. */
export const CHI_RATE_FLOOR_DAYS = 90;

/** CHI bands: healthy at or above `healthy`, at risk below `atRisk`, watch in between. */
export const CHI_BANDS = Object.freeze({ healthy: 70, atRisk: 40 });

export type ChiBand = "healthy" | "watch" | "at-risk";

/** The bands' names in both languages, as profiles show them. */
export const CHI_BAND_LABELS: Readonly<Record<ChiBand, { en: string; zh: string }>> = Object.freeze({
  healthy: { en: "healthy", zh: "健康" },
  watch: { en: "watch", zh: "需关注" },
  "at-risk": { en: "at risk", zh: "有风险" },
});

/** EI weights of the NPS half and the review-sentiment half. */
export const EI_WEIGHTS = Object.freeze({ nps: 0.5, reviews: 0.5 });

/** The activation window: a second purchase day within this many days of the first. */
export const ACTIVATION_WINDOW_DAYS = 30;

/** The formulas in words, as reports and tools print them next to the numbers. */
export const KPI_FORMULAS = Object.freeze({
  chi:
    `CHI = ${CHI_WEIGHTS.frequency} × F + ${CHI_WEIGHTS.value} × V + ${CHI_WEIGHTS.retention} × R, where F is the mid-rank percentile (0-100) of the ` +
    `customer's purchase rate (purchase days × 365.25 / max(days since first purchase, ${CHI_RATE_FLOOR_DAYS})) among the book's purchasing customers, ` +
    `V the mid-rank percentile of their average spend per purchase day, and R = 100 × (1 - churn probability). ` +
    `Bands: healthy >= ${CHI_BANDS.healthy}, at risk < ${CHI_BANDS.atRisk}.`,
  ei:
    `EI = ${EI_WEIGHTS.nps} × (NPS + 100) / 2 + ${EI_WEIGHTS.reviews} × 50 × (1 + (positive - negative reviews) / reviews); ` +
    `with only NPS answers or only reviews, EI is that half alone; with neither, there is no EI.`,
  se:
    "Tickets opened in the period: median and 90th percentile hours to the first response (linear interpolation between order statistics), " +
    "resolution rate = resolved / opened, median hours to resolve, and tickets breaching the SLA (first response later than the SLA, " +
    "or still unanswered past it; resolution likewise).",
  ltv:
    "LTV 12 months is the score set's CLV; LTV 5 years applies the same fitted purchase and spend models over 60 months, " +
    "discounted monthly at the same annual rate (no model is refitted).",
  activation:
    `Activation: of the customers whose first purchase fell in a month, the share with another purchase day within ` +
    `${ACTIVATION_WINDOW_DAYS} days of it, counted over those whose ${ACTIVATION_WINDOW_DAYS}-day window has closed by the as-of date. ` +
    "Retention by month since the first purchase: the share of the cohort buying in the k-th calendar month after it.",
});

function checkFinite(value: number, name: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${String(value)}`);
  }
}

function checkCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a whole number >= 0, got ${String(value)}`);
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * Purchases per year: purchase days over the customer's age since the first purchase, the age
 * floored at {@link CHI_RATE_FLOOR_DAYS}.
 */
export function purchaseRatePerYear(purchaseDays: number, ageDays: number): number {
  checkCount(purchaseDays, "purchaseRatePerYear: purchaseDays");
  checkFinite(ageDays, "purchaseRatePerYear: ageDays");
  return (purchaseDays * 365.25) / Math.max(ageDays, CHI_RATE_FLOOR_DAYS);
}

/**
 * Mid-rank percentile, 0-100: 100 × (below + equal / 2) / total, where `equal` counts the value
 * itself. One customer alone, or a book of equals, sits at 50.
 */
export function midRankPercentile(below: number, equal: number, total: number): number {
  checkCount(below, "midRankPercentile: below");
  checkCount(equal, "midRankPercentile: equal");
  checkCount(total, "midRankPercentile: total");
  if (total === 0 || below + equal > total) {
    throw new RangeError(
      `midRankPercentile: below (${below}) + equal (${equal}) must be at most total (${total}), and total above 0`,
    );
  }
  return (100 * (below + equal / 2)) / total;
}

/**
 * How many of the ascending `sorted` values are below `value` and how many equal it: two binary
 * searches, the counts {@link midRankPercentile} takes.
 */
export function rankCounts(sorted: ArrayLike<number>, value: number): { below: number; equal: number } {
  const below = lowerBound(sorted, value);
  return { below, equal: upperBound(sorted, value) - below };
}

/** The three CHI components, each 0-100. */
export interface ChiComponents {
  /** Percentile of the purchase rate among the book's purchasing customers. */
  frequency: number;
  /** Percentile of the average spend per purchase day. */
  value: number;
  /** 100 × (1 - churn probability). */
  retention: number;
}

export interface CustomerHealth {
  index: number;
  band: ChiBand;
  components: ChiComponents;
}

/** The band a CHI falls in (see {@link CHI_BANDS}). */
export function chiBand(index: number): ChiBand {
  return index >= CHI_BANDS.healthy ? "healthy" : index < CHI_BANDS.atRisk ? "at-risk" : "watch";
}

/** The weighted CHI of components (see the module comment); components must be in [0, 100]. */
export function chiFromComponents(components: ChiComponents): number {
  for (const key of ["frequency", "value", "retention"] as const) {
    const value = components[key];
    checkFinite(value, `chiFromComponents: ${key}`);
    if (value < 0 || value > 100)
      throw new RangeError(`CHI component ${key} must be in [0, 100], got ${value}`);
  }
  return clamp(
    CHI_WEIGHTS.frequency * components.frequency +
      CHI_WEIGHTS.value * components.value +
      CHI_WEIGHTS.retention * components.retention,
    0,
    100,
  );
}

/**
 * One customer's CHI from their percentiles and churn probability.
 * @param frequencyPercentile percentile (0-100) of their purchase rate in the book
 * @param valuePercentile percentile (0-100) of their average spend in the book
 * @param churnProbability P(no purchase in the churn horizon), in [0, 1]
 */
export function customerHealthIndex(input: {
  frequencyPercentile: number;
  valuePercentile: number;
  churnProbability: number;
}): CustomerHealth {
  checkFinite(input.churnProbability, "customerHealthIndex: churnProbability");
  if (input.churnProbability < 0 || input.churnProbability > 1) {
    throw new RangeError(
      `customerHealthIndex: churnProbability must be in [0, 1], got ${input.churnProbability}`,
    );
  }
  const components: ChiComponents = {
    frequency: input.frequencyPercentile,
    value: input.valuePercentile,
    retention: 100 * (1 - input.churnProbability),
  };
  const index = chiFromComponents(components);
  return { index, band: chiBand(index), components };
}

/** Counts an emotion index is computed from. */
export interface EmotionCounts {
  /** NPS answers (0-10) and how many were 9-10 (promoters) and 0-6 (detractors). */
  npsResponses: number;
  promoters: number;
  detractors: number;
  /** Reviews with a sentiment label, and how many read positive and negative. */
  reviews: number;
  positiveReviews: number;
  negativeReviews: number;
}

export interface EmotionIndex {
  /** 0-100; null without NPS answers and reviews. */
  index: number | null;
  /** -100..100, null without answers. */
  nps: number | null;
  /** NPS mapped to 0-100, null without answers. */
  npsPoints: number | null;
  /** (positive - negative) / reviews, -1..1; null without reviews. */
  reviewBalance: number | null;
  /** The balance mapped to 0-100, null without reviews. */
  reviewPoints: number | null;
}

function checkParts(parts: number, whole: number, what: string): void {
  if (parts > whole) throw new RangeError(`emotionIndex: ${what} exceed their total (${parts} > ${whole})`);
}

/** The emotion index of counts (see the module comment). */
export function emotionIndex(counts: EmotionCounts): EmotionIndex {
  const keys = [
    "npsResponses",
    "promoters",
    "detractors",
    "reviews",
    "positiveReviews",
    "negativeReviews",
  ] as const;
  for (const key of keys) {
    checkCount(counts[key], `emotionIndex: ${key}`);
  }
  checkParts(counts.promoters + counts.detractors, counts.npsResponses, "promoters + detractors");
  checkParts(counts.positiveReviews + counts.negativeReviews, counts.reviews, "positive + negative reviews");
  const nps =
    counts.npsResponses === 0 ? null : (100 * (counts.promoters - counts.detractors)) / counts.npsResponses;
  const npsPoints = nps === null ? null : (nps + 100) / 2;
  const reviewBalance =
    counts.reviews === 0 ? null : (counts.positiveReviews - counts.negativeReviews) / counts.reviews;
  const reviewPoints = reviewBalance === null ? null : 50 * (1 + reviewBalance);
  let index: number | null = null;
  if (npsPoints !== null && reviewPoints !== null) {
    index = EI_WEIGHTS.nps * npsPoints + EI_WEIGHTS.reviews * reviewPoints;
  } else {
    index = npsPoints ?? reviewPoints;
  }
  return { index: index === null ? null : clamp(index, 0, 100), nps, npsPoints, reviewBalance, reviewPoints };
}

/**
 * Where the p-quantile of n sorted values lies (linear interpolation between order statistics,
 * R's type 7 and numpy's default): 1-based positions `lower` and `upper` and the weight of the
 * upper one. A database can then return just those rows of a sorted set.
 */
export function quantilePositions(n: number, p: number): { lower: number; upper: number; weight: number } {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`quantilePositions: n must be a whole number >= 1, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantilePositions: p must be in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lower = Math.floor(h);
  return { lower: lower + 1, upper: Math.min(n, lower + 2), weight: h - lower };
}

/** The p-quantile of ascending values (see {@link quantilePositions}); null for none. */
export function quantile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const { lower, upper, weight } = quantilePositions(sorted.length, p);
  return interpolate(sorted[lower - 1], sorted[upper - 1], weight);
}

/** lower + weight × (upper - lower), exact at the ends. */
export function interpolate(lower: number, upper: number, weight: number): number {
  return weight === 0 ? lower : lower + weight * (upper - lower);
}

/** part / whole, or null when there is no whole. */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** A month as `YYYY-MM` text: what timestamps' first seven characters are. */
export type MonthKey = string;

const MONTH = /^(\d{4})-(\d{2})$/;

/** Months since year 0 of a `YYYY-MM` key: consecutive months differ by one. */
export function monthIndex(month: MonthKey): number {
  const match = MONTH.exec(month);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) {
    throw new RangeError(`month "${month}" must be written YYYY-MM, e.g. 2026-03`);
  }
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

/** The `YYYY-MM` key of a month index. */
export function monthKey(index: number): MonthKey {
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** Every month from `from` to `to`, both included, in order; none when `from` is after `to`. */
export function monthRange(from: MonthKey, to: MonthKey): MonthKey[] {
  const months: MonthKey[] = [];
  for (let index = monthIndex(from); index <= monthIndex(to); index++) months.push(monthKey(index));
  return months;
}

/** A monthly cohort's activation counts. */
export interface CohortActivation {
  /** New customers: first purchase in the month. */
  customers: number;
  /** Of them, those whose activation window closed by the as-of date. */
  eligible: number;
  /** Of the eligible, those with another purchase day within the window. */
  activated: number;
}

/** activated / eligible: the cohort's first-month activation rate, null while no window has closed. */
export function activationRate(cohort: CohortActivation): number | null {
  checkCount(cohort.customers, "activationRate: customers");
  checkCount(cohort.eligible, "activationRate: eligible");
  checkCount(cohort.activated, "activationRate: activated");
  if (cohort.eligible > cohort.customers || cohort.activated > cohort.eligible) {
    throw new RangeError(
      `activationRate: need activated (${cohort.activated}) <= eligible (${cohort.eligible}) <= customers (${cohort.customers})`,
    );
  }
  return rate(cohort.activated, cohort.eligible);
}

/**
 * A cohort's retention row: for each month since the first purchase (0 = the month of it) up to
 * the last observed one, the share of the cohort's customers who bought in that month.
 * @param buyers buyers per month offset (missing offsets had none)
 * @param observedMonths how many month offsets the as-of date has reached (offset 0 included)
 */
export function retentionRow(
  customers: number,
  buyers: ReadonlyMap<number, number>,
  observedMonths: number,
): number[] {
  checkCount(customers, "retentionRow: customers");
  checkCount(observedMonths, "retentionRow: observedMonths");
  if (customers === 0) return [];
  const row: number[] = [];
  for (let offset = 0; offset < observedMonths; offset++) {
    const count = buyers.get(offset) ?? 0;
    if (count > customers) {
      throw new RangeError(
        `retentionRow: ${count} buyers in month ${offset} exceed the cohort's ${customers}`,
      );
    }
    row.push(count / customers);
  }
  return row;
}

/** The 5-year value as a multiple of the 12-month one; null when the 12-month value is not positive. */
export function ltvMultiple(twelveMonths: number, fiveYears: number): number | null {
  return twelveMonths > 0 ? fiveYears / twelveMonths : null;
}
