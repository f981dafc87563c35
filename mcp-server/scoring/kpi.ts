/**
 * The relationship-maintenance indices of a scope (the book or one account manager) and of one
 * customer, assembled from the store's aggregates (`store/kpiQueries.ts`) with the formulas of
 * `core/kpi.ts`. portfolio_overview, get_customer, the briefing and `crm kpi` share it; the
 * monthly series live in `reports/kpi.ts`.
 */
import { yieldToCalls } from "./yieldToCalls.js";
import { horizonSums } from "../../core/clvHorizon.js";
import {
  activationRate,
  ACTIVATION_WINDOW_DAYS,
  CHI_BAND_LABELS,
  customerHealthIndex,
  emotionIndex,
  interpolate,
  KPI_FORMULAS,
  ltvMultiple,
  midRankPercentile,
  monthIndex,
  monthKey,
  quantilePositions,
  rankCounts,
  rate,
  type EmotionCounts,
  type MonthKey,
} from "../../core/kpi.js";
import type { CustomerKpi, EmotionSummary, KpiSummary, ServiceSummary } from "../contract/kpi.js";
import {
  activationCohorts,
  customerChiInputs,
  emotionCounts,
  serviceCounts,
  type CohortRow,
  type KpiPeriod,
  type EmotionRow,
  type ServiceRow,
} from "../store/kpiQueries.js";
import { Memo } from "../store/memo.js";
import { slaOf, type Sla } from "../store/ticketQueries.js";
import { clvPairs, clvTotals, horizonTable } from "../store/scoreQueries.js";
import type { Store } from "../store/store.js";
import { storedTime } from "../store/timestamps.js";
import { formatCount, formatMoney, formatPercent } from "../format.js";
import type { ScoreSet } from "./scoreCache.js";
import { scopeOf, setChi, type ChiTotals, type SetChi } from "./setChi.js";
import type { CustomerScore } from "./scoreCustomers.js";
import { SCORING_DEFAULTS } from "./settings.js";

/** (x, T) pairs whose horizon sums are computed between two turns of the event loop. */
const HORIZON_SLICE = 2_000;

/** Months the long-run LTV looks ahead. */
export const LTV_LONG_MONTHS = 60;

/** The longest period a report covers, in months. */
export const MAX_KPI_MONTHS = 60;

/** Months a default period covers: the as-of month and the 11 before it. */
export const DEFAULT_KPI_MONTHS = 12;

/** Raised for a period that cannot be read; the message says how to fix it. */
export class KpiPeriodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KpiPeriodError";
  }
}

/** A period of whole months up to an as-of moment. */
export interface KpiMonths extends KpiPeriod {
  from: MonthKey;
  to: MonthKey;
  months: MonthKey[];
  asOf: string;
}

function monthOf(text: string, flag: string): MonthKey {
  const match = /^(\d{4}-\d{2})(-\d{2})?$/.exec(text.trim());
  if (!match)
    throw new KpiPeriodError(`${flag} "${text}" must be a month written YYYY-MM (or a day, YYYY-MM-DD)`);
  try {
    monthIndex(match[1]);
  } catch {
    throw new KpiPeriodError(`${flag} "${text}" is not a real month; write it YYYY-MM, e.g. 2026-03`);
  }
  return match[1];
}

/**
 * The months a report covers: `from` to `to` (YYYY-MM, or a day whose month is meant), by default
 * the {@link DEFAULT_KPI_MONTHS} months ending with the as-of month; never past the as-of moment.
 */
export function kpiMonths(asOf: Date, from?: string, to?: string): KpiMonths {
  const asOfText = storedTime(asOf);
  const asOfMonth = asOfText.slice(0, 7);
  const last = to === undefined ? asOfMonth : monthOf(to, "--to");
  if (last > asOfMonth) {
    throw new KpiPeriodError(
      `--to ${last} is after the as-of month ${asOfMonth}; give --to ${asOfMonth} or earlier`,
    );
  }
  const first =
    from === undefined ? monthKey(monthIndex(last) - (DEFAULT_KPI_MONTHS - 1)) : monthOf(from, "--from");
  if (first > last) throw new KpiPeriodError(`--from ${first} is after --to ${last}; swap them`);
  const span = monthIndex(last) - monthIndex(first) + 1;
  if (span > MAX_KPI_MONTHS) {
    throw new KpiPeriodError(
      `the period ${first} to ${last} covers ${span} months; give at most ${MAX_KPI_MONTHS}`,
    );
  }
  const months: MonthKey[] = [];
  for (let index = monthIndex(first); index <= monthIndex(last); index++) months.push(monthKey(index));
  const next = monthKey(monthIndex(last) + 1);
  const monthEnd = storedTime(Date.parse(`${next}-01T00:00:00Z`) - 1000);
  return {
    from: first,
    to: last,
    months,
    asOf: asOfText,
    start: `${first}-01T00:00:00Z`,
    end: monthEnd < asOfText ? monthEnd : asOfText,
  };
}

/** Quantile p of a bucket's order statistics as `serviceCounts` returned them. */
function quantileOf(statistics: ServiceRow["response"], p: number): number | null {
  if (statistics.count === 0) return null;
  const { lower, upper, weight } = quantilePositions(statistics.count, p);
  const low = statistics.at.get(lower);
  const high = statistics.at.get(upper);
  return low === undefined || high === undefined ? null : interpolate(low, high, weight);
}

/** The quantiles the service figures need. */
export const SERVICE_QUANTILES = [0.5, 0.9] as const;

/** A bucket's service figures; `row` undefined means no ticket was opened in it. */
export function serviceSummary(row: ServiceRow | undefined, sla: Sla): ServiceSummary {
  return {
    tickets: row?.tickets ?? 0,
    responded: row?.responded ?? 0,
    resolved: row?.resolved ?? 0,
    first_response_hours: {
      median: row ? quantileOf(row.response, 0.5) : null,
      p90: row ? quantileOf(row.response, 0.9) : null,
    },
    resolution_rate: row ? rate(row.resolved, row.tickets) : null,
    resolution_hours_median: row ? quantileOf(row.resolution, 0.5) : null,
    sla: { first_response_hours: sla.firstResponseHours, resolution_hours: sla.resolutionHours },
    breaching: {
      first_response: row?.responseBreaches ?? 0,
      resolution: row?.resolutionBreaches ?? 0,
      any: row?.breaching ?? 0,
    },
    note: row
      ? null
      : "no service tickets were opened in this period: import tickets (crm import tickets <file>) to measure service efficiency",
  };
}

const NO_EMOTION: EmotionCounts = {
  npsResponses: 0,
  promoters: 0,
  detractors: 0,
  reviews: 0,
  positiveReviews: 0,
  negativeReviews: 0,
};

/** Emotion figures of counts (none: every count 0, index null). */
export function emotionSummary(counts: EmotionCounts = NO_EMOTION): EmotionSummary {
  const result = emotionIndex(counts);
  return {
    index: result.index,
    nps: result.nps,
    nps_responses: counts.npsResponses,
    promoters: counts.promoters,
    detractors: counts.detractors,
    reviews: counts.reviews,
    positive_reviews: counts.positiveReviews,
    negative_reviews: counts.negativeReviews,
    review_balance: result.reviewBalance,
  };
}

/** Activation figures of cohorts added up. */
export function activationSummary(cohorts: readonly CohortRow[]): KpiSummary["activation"] {
  const total = { customers: 0, eligible: 0, activated: 0 };
  for (const cohort of cohorts) {
    total.customers += cohort.customers;
    total.eligible += cohort.eligible;
    total.activated += cohort.activated;
  }
  return {
    window_days: ACTIVATION_WINDOW_DAYS,
    new_customers: total.customers,
    eligible: total.eligible,
    activated: total.activated,
    rate: activationRate(total),
  };
}

// A score set's CHI, long-run value and cohorts are computed once per set, owner and period, keyed
// by computed_at (set ids are reused after eviction). A write carries a set over to the new data
// version, changing the written customer's row in place (scoring/carryScores.ts): the CHI, which
// reads the churn probability, is keyed by the set's data version. Value and cohorts read only
// what the customer's purchases decide (first purchase, x, T, P(alive), spend, CLV), and a carry
// rescores the customer on the same purchases unless the write was to transactions: they are keyed
// by the versions of the customers (owners) and the transactions, and stay remembered over a
// logged interaction, feedback or ticket work.
const ltvMemo = new Memo<KpiSummary["ltv"]>(32);

/** What a set's value and cohort figures depend on besides the set (see above). */
function purchaseVersions(store: Store): Promise<string> {
  return store.areaVersions(["customers", "transactions"]);
}

const horizonMemo = new Memo<string>(4);
const cohortMemo = new Memo<CohortRow[]>(32);
const serviceMemo = new Memo<ServiceRow[]>(32);
const emotionMemo = new Memo<EmotionRow[]>(32);

// A set's CHI: every scope's totals and the sorted rate and spend columns a customer's CHI is
// ranked in (16 bytes per rated customer), made in one read of the set and kept for the few sets
// in use: every owner's view and get_customer on any customer then cost a lookup or two binary
// searches.
const chiMemo = new Memo<SetChi>(4);

function setChiOf(store: Store, set: Pick<ScoreSet, "id" | "computedAt" | "dataVersion">): Promise<SetChi> {
  return chiMemo.remember(store, [set.id, set.computedAt, set.dataVersion], () => setChi(store, set.id));
}

/** The CHI of a scope from a score set. */
export async function scopeChi(
  store: Store,
  set: Pick<ScoreSet, "id" | "computedAt" | "dataVersion">,
  owner: string | undefined,
): Promise<ChiTotals> {
  return scopeOf(await setChiOf(store, set), owner);
}

/** The cohorts of new customers in a period, with their activation counts. */
export async function scopeCohorts(
  store: Store,
  set: ScoreSet,
  months: KpiMonths,
  owner: string | undefined,
) {
  return cohortMemo.remember(
    store,
    [set.id, set.computedAt, await purchaseVersions(store), months.start, months.end, owner ?? null],
    () => activationCohorts(store, set.id, months, months.asOf, owner),
  );
}

/**
 * A scope's 12-month CLV (the set's own column) next to its 5-year value: the same fitted purchase
 * and spend models, their horizon sums over {@link LTV_LONG_MONTHS} months for each distinct
 * (x, T) of the book (`core/clvHorizon.ts`), multiplied out in SQL. Nothing is refitted.
 */
export async function scopeLtv(
  store: Store,
  set: ScoreSet,
  owner: string | undefined,
): Promise<KpiSummary["ltv"]> {
  const versions = await purchaseVersions(store);
  return ltvMemo.remember(store, [set.id, set.computedAt, versions, owner ?? null], async () => {
    const selection = { scope: "book" as const, owner };
    const purchaseModel = set.models.churn.purchaseModel;
    const fitted = purchaseModel !== null && set.models.gammaGamma !== null;
    const twelve = await clvTotals(store, set.id, selection, { kind: "cached" }, fitted);
    const base = {
      customers: twelve.customers,
      annual_discount_rate: SCORING_DEFAULTS.annualDiscountRate,
    };
    if (!fitted) {
      return {
        ...base,
        twelve_months: null,
        five_years: null,
        five_year_multiple: null,
        note: "the purchase and spend models could not be fitted on this book, so there is no lifetime value",
      };
    }
    // The horizon sums of every (x, T) in the book, computed once per set and shared by every
    // owner's scope (each joins the pairs it has).
    const table = await horizonMemo.remember(store, [set.id, set.computedAt, versions], async () => {
      const pairs = await clvPairs(store, set.id, { scope: "book" });
      // A slice of pairs at a time, answering other calls in between (a million-customer book has
      // ~25,000 pairs: 1.4 s of arithmetic).
      const sums: ReturnType<typeof horizonSums> = [];
      for (let start = 0; start < pairs.length; start += HORIZON_SLICE) {
        if (start > 0) await yieldToCalls();
        sums.push(
          ...horizonSums(purchaseModel, pairs.slice(start, start + HORIZON_SLICE), {
            horizonMonths: LTV_LONG_MONTHS,
            annualDiscountRate: SCORING_DEFAULTS.annualDiscountRate,
            unit: set.models.unit,
          }),
        );
      }
      return horizonTable(pairs.map((pair, index) => ({ ...pair, ...sums[index] })));
    });
    const five = await clvTotals(store, set.id, selection, { kind: "horizon", table }, fitted);
    return {
      ...base,
      twelve_months: twelve.clv,
      five_years: five.clv,
      five_year_multiple: ltvMultiple(twelve.clv, five.clv),
      note: null,
    };
  });
}

/**
 * The headline indices of a scope as of a score set's date: CHI and LTV from the set, service
 * efficiency, emotion and activation over the months of `months`.
 */
export async function kpiSummary(
  store: Store,
  set: ScoreSet,
  options: { owner?: string; months: KpiMonths },
): Promise<KpiSummary> {
  const { owner, months } = options;
  const sla = await slaOf(store);
  // Tickets and feedback change only through writes that bump their areas' versions (imports and
  // the audited tools), so the period's service and emotion figures are remembered per version.
  const period = [months.asOf, months.start, months.end, owner ?? null];
  const serviceKey = [await store.areaVersions(["customers", "tickets"]), ...period];
  const emotionKey = [await store.areaVersions(["customers", "feedback"]), ...period];
  const [chi, ltv, cohorts, service, emotion] = await Promise.all([
    scopeChi(store, set, owner),
    scopeLtv(store, set, owner),
    scopeCohorts(store, set, months, owner),
    serviceMemo.remember(store, [...serviceKey, sla.firstResponseHours, sla.resolutionHours], () =>
      serviceCounts(store, months, months.asOf, owner, sla, "period", SERVICE_QUANTILES),
    ),
    emotionMemo.remember(store, emotionKey, () => emotionCounts(store, months, { owner }, "period")),
  ]);
  return {
    as_of: months.asOf.slice(0, 10),
    owner: owner ?? null,
    period: { from: months.from, to: months.to },
    chi: {
      index: chi.meanIndex,
      customers: chi.customers,
      components:
        chi.customers === 0
          ? null
          : { frequency: chi.meanFrequency!, value: chi.meanValue!, retention: chi.meanRetention! },
      bands: { healthy: chi.healthy, watch: chi.watch, at_risk: chi.atRisk },
      score_set_as_of: set.asOf.slice(0, 10),
    },
    service: serviceSummary(service[0], sla),
    emotion: emotionSummary(emotion[0]),
    ltv,
    activation: activationSummary(cohorts),
    formulas: { ...KPI_FORMULAS },
  };
}

const DAY_MS = 86_400_000;

/**
 * One customer's indices: CHI with its components from the set (percentiles against the book's
 * purchasing customers), EI over the 365 days up to the set's as-of date, and LTV over 12 months
 * (the set's) and 5 years (the same fitted models over 60 months).
 */
export async function customerKpis(store: Store, set: ScoreSet, score: CustomerScore): Promise<CustomerKpi> {
  const inputs = await customerChiInputs(store, set.id, score.customerId);
  let chi: CustomerKpi["chi"] = null;
  if (inputs) {
    const { columns } = await setChiOf(store, set);
    const percentile = (sorted: Float64Array, value: number) => {
      const { below, equal } = rankCounts(sorted, value);
      return midRankPercentile(below, equal, sorted.length);
    };
    const health = customerHealthIndex({
      frequencyPercentile: percentile(columns.rates, inputs.rate),
      valuePercentile: percentile(columns.spends, inputs.spend),
      churnProbability: inputs.churnProbability,
    });
    chi = {
      index: health.index,
      band: health.band,
      band_label: { ...CHI_BAND_LABELS[health.band] },
      components: health.components,
      purchase_rate_per_year: inputs.rate,
      average_spend: inputs.spend,
      churn_probability: inputs.churnProbability,
    };
  }
  const end = Date.parse(set.asOf);
  const [counts] = await emotionCounts(
    store,
    { start: storedTime(end - 365 * DAY_MS + 1000), end: set.asOf },
    { customerId: score.customerId },
    "period",
  );
  const purchaseModel = set.models.churn.purchaseModel;
  let fiveYears: number | null = null;
  if (purchaseModel && set.models.gammaGamma) {
    if (score.orders === 0 || score.pAlive === null || score.expectedSpend === null) fiveYears = 0;
    else {
      const [sums] = horizonSums(purchaseModel, [{ x: score.x, T: score.T }], {
        horizonMonths: LTV_LONG_MONTHS,
        annualDiscountRate: SCORING_DEFAULTS.annualDiscountRate,
        unit: set.models.unit,
      });
      // The order of operations of `core/clv.ts` and the store's horizon valuation.
      fiveYears = score.marginRate * score.expectedSpend * sums.discounted * score.pAlive;
    }
  }
  return {
    chi,
    emotion: emotionSummary(counts),
    ltv: { twelve_months: score.clv, five_years: fiveYears },
  };
}

function points(value: number | null | undefined): string {
  return value === null || value === undefined ? "-" : value.toFixed(1);
}

function hours(value: number | null): string {
  return value === null ? "-" : `${value.toFixed(1)} h`;
}

function share(value: number | null): string {
  return value === null ? "-" : formatPercent(value);
}

/** The headline indices in a few lines, as the briefing and `crm kpi` print them. */
export function kpiLines(summary: KpiSummary): string[] {
  const { chi, service, emotion, ltv, activation } = summary;
  const lines = [
    `CHI ${points(chi.index)} over ${formatCount(chi.customers)} customers (healthy ${formatCount(chi.bands.healthy)}, watch ${formatCount(chi.bands.watch)}, at risk ${formatCount(chi.bands.at_risk)})` +
      (chi.components
        ? `; frequency ${points(chi.components.frequency)}, value ${points(chi.components.value)}, retention ${points(chi.components.retention)}`
        : ""),
    service.tickets === 0
      ? "SE: no service tickets in the period"
      : `SE: ${formatCount(service.tickets)} tickets; first response median ${hours(service.first_response_hours.median)}, p90 ${hours(service.first_response_hours.p90)}; ` +
        `resolved ${share(service.resolution_rate)} (median ${hours(service.resolution_hours_median)}); ${formatCount(service.breaching.any)} breaching the SLA ` +
        `(${service.sla.first_response_hours} h response, ${service.sla.resolution_hours} h resolution)`,
    emotion.index === null
      ? "EI: no NPS answers or reviews in the period"
      : `EI ${points(emotion.index)}: NPS ${emotion.nps === null ? "-" : emotion.nps.toFixed(0)} from ${formatCount(emotion.nps_responses)} answers; ` +
        `reviews ${formatCount(emotion.positive_reviews)} positive / ${formatCount(emotion.negative_reviews)} negative of ${formatCount(emotion.reviews)}`,
    ltv.twelve_months === null
      ? `LTV: ${ltv.note ?? "not available"}`
      : `LTV ${formatMoney(ltv.twelve_months)} over 12 months, ${formatMoney(ltv.five_years ?? 0)} over 5 years` +
        (ltv.five_year_multiple === null ? "" : ` (×${ltv.five_year_multiple.toFixed(2)})`),
    `Activation (bought again within ${activation.window_days} days): ${share(activation.rate)} of ${formatCount(activation.eligible)} new customers whose window closed` +
      ` (${formatCount(activation.new_customers)} new in ${summary.period.from} to ${summary.period.to})`,
  ];
  return lines;
}
