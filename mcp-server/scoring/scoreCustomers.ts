import { readAhead } from "./readAhead.js";
import { Slices } from "./yieldToCalls.js";
import {
  DAYS_PER_MONTH,
  lifetimeValueColumns,
  type ClvColumnValues,
  type HorizonSums,
} from "../../core/clv.js";
import { fitGammaGammaSteps, type GammaGammaFit } from "../../core/gammaGamma.js";
import type { LifecycleStageKey } from "../../core/lifecycle.js";
import { modelConditionalExpected, modelPAlive, type PurchaseModelFit } from "../../core/purchaseModel.js";
import type { PurchaseRow } from "../../core/purchaseRows.js";
import { quintileScoresOfColumn, rfmSegment, type RfmSegmentKey } from "../../core/rfm.js";
import { riskLevel, riskScore, valueAtRisk, type RiskLevel, type RiskReason } from "../../core/risk.js";
import {
  abcTiersOfColumn,
  upperHalfOfColumn,
  type AbcTier,
  type ValueQuadrant,
} from "../../core/valueTiers.js";

const ABC_TIER_NAMES: readonly AbcTier[] = ["A", "B", "C"];
import { asOfDay } from "../asOf.js";
import { storedTime } from "../store/timestamps.js";
import {
  buildChurnModel,
  churnProbabilityOf,
  referenceGapDays,
  type ChurnModelReport,
} from "./churnModel.js";
import { customerState, dayOf, type ChurnState, type CustomerState } from "./customerState.js";
import { lifecycleStageOf, withReasons, type ScoreFigures } from "./explain.js";
import { carried, isCarried, type CarriedRow } from "./carriedInputs.js";
import { historyFromRecord, type CustomerHistory, type CustomerRecord } from "./history.js";
import { SCORING_DEFAULTS } from "./settings.js";
import { activityHoldsUntil } from "../../core/activity.js";

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
  /** The fits in use: when and on what they were made, and whether this set reused them. */
  fit: ModelFitInfo;
  /**
   * Customers whose history-derived figures were carried over from an earlier set on the same
   * data instead of read again (`carriedInputs.ts`); absent when none were.
   */
  inputsCarried?: { fromAsOf: string; customers: number };
}

/** When and on what a set's models were fitted. */
export interface ModelFitInfo {
  /** The as-of date (YYYY-MM-DD) the models were fitted at. */
  asOf: string;
  /** Customers and transactions in the book when they were fitted. */
  customers: number;
  transactions: number | null;
  /** True when this set reused an earlier set's fits instead of refitting. */
  reused: boolean;
}

/** Fitted models an earlier set made, for a set that reuses them (see `scoreCache.ts`). */
export interface ReusedModels {
  churn: ChurnModelReport;
  gammaGamma: GammaGammaFit | null;
  /** The earlier set's notes on the fits (why a model is missing, sampling, ...). */
  notes: string[];
  fit: ModelFitInfo;
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
  // The rest of the inputs the reasons are worded from (see `explain.ts`).
  purchaseDays: number;
  purchaseRateTrend: number | null;
  wonBack: boolean;
  /** Net spend per purchase day. */
  averageSpend: number;
  spendTrend: number | null;
  /** Feedback items with text up to the as-of date, and how many of them read negative. */
  feedbackCount: number;
  negativeFeedbackCount: number;
  /** Net revenue of the 365 days up to the as-of date, at least 0 (the base of `valueIfRetained`). */
  trailingYear: number;
  /**
   * The first as-of day (UTC day number) on which this customer's history-derived figures may read
   * differently with no new data (a purchase day leaving a trend window or the year); until then a
   * later day's scoring carries them over instead of reading the history again. Null: read it.
   */
  inputsUntil: number | null;
}

/** How to score. */
export interface ScoringOptions {
  /** Days ahead the churn probability looks (default 90). */
  horizonDays: number;
  /** Fits to use instead of fitting (same horizon, fitted at or before `asOf`). */
  reuse?: ReusedModels;
  /**
   * With `reuse`: hand each chunk's scores over as soon as the chunk is read, without the
   * population ranks (RFM, ABC tier and value quadrant are null), then the ranks of every customer
   * once the whole book is read (`EarlyScores`); the main sink then gets nothing. A store can
   * write a chunk's scores while the next chunk is read. Ignored without `reuse`: fitting needs
   * the whole book first.
   */
  early?: EarlyScores;
  /**
   * How long scoring computes before calls waiting on the event loop get a turn (default
   * `SLICE_MS`); 0 gives them a turn at every step.
   */
  sliceMs?: number;
}

/** A customer's population ranks, which only the whole book decides. */
export interface ScoreRanks {
  customerId: number;
  rfm: ScoreFigures["rfm"];
  abcTier: ScoreFigures["abcTier"];
  valueQuadrant: ScoreFigures["valueQuadrant"];
}

/** Where a pass with reused fits sends scores chunk by chunk, then the ranks (`ScoringOptions.early`). */
export interface EarlyScores {
  scores: ScoreSink;
  ranks: (ranks: ScoreRanks[]) => Promise<void> | void;
}

export const DEFAULT_HORIZON_DAYS = 90;

/**
 * Customers whose full histories the churn model replays on its inner windows. Up to this many
 * the whole book is used (the published backtests are on books this size); above it a fixed
 * random sample, which holds the calibration's error well below its spread between windows.
 */
export const CALIBRATION_SAMPLE = 50_000;
/** A mask: the scoring loops look at the clock (`Slices.pause`) once every 512 customers. */
const PAUSE_EVERY = 511;
/** Purchasers valued at a time on the first pass, between pauses. */
const VALUE_SLICE = 20_000;
/** Scores handed to the sink at a time. */
const SINK_CHUNK = 5_000;
const DAY_MS = 86_400_000;

/** A book to score, read a chunk of customers at a time. */
export interface HistorySource {
  /** Customers in the book (an estimate is enough: it sets the calibration sample's rate). */
  customers: number;
  /** Transactions in the book, when known (reported with the fit, to judge when to refit). */
  transactions?: number;
  /** Each chunk's customers by store id: histories, or figures carried over from an earlier set. */
  chunks(): AsyncIterable<readonly (CustomerHistory | CarriedRow)[]>;
  /** The as-of date of the set carried rows come from, when they do. */
  carriedFrom?: string;
}

/** Where scores go, a chunk at a time, in the source's order. */
export type ScoreSink = (scores: ScoreFigures[]) => Promise<void> | void;

function iso(ms: number): string | null {
  return Number.isNaN(ms) ? null : storedTime(new Date(ms));
}

const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

/** Stands for "never" in `inputsUntil`, which is stored as a whole number. */
const HOLDS_FOREVER = 2_147_483_647;
const storedDay = (day: number): number | null => (Number.isNaN(day) ? null : Math.min(day, HOLDS_FOREVER));
const nanIfNull = (value: number | null): number => (value === null ? NaN : value);

/** A fixed pseudo-random draw in [0, 1) per customer id, so the sample is the same run to run. */
function idDraw(id: number): number {
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4_294_967_296;
}

/**
 * What scoring keeps per customer between reading the book and writing the scores: numbers in
 * columns (NaN for "none"), about 200 bytes a customer, never a customer's transactions.
 */
const COLUMN_NAMES = [
  "id",
  "status",
  "orders",
  "purchaseDays",
  "revenue",
  "firstMs",
  "lastMs",
  "tenure",
  "daysSince",
  "typicalGap",
  "rateTrend",
  "spendTrend",
  "wonBack",
  "x",
  "tx",
  "T",
  "monetary",
  "averageSpend",
  "latestNps",
  "feedbackCount",
  "negativeCount",
  "openComplaints",
  "lastInteractionDay",
  "lastInteractionMs",
  "margin",
  "trailingYear",
  "inputsUntil",
] as const;

type ColumnName = (typeof COLUMN_NAMES)[number];

/**
 * What the population ranks read once the whole book is in (and the problems and id of every
 * customer): a pass with reused fits scores each chunk as it is read and keeps only these for the
 * whole book, 48 bytes a customer instead of 208.
 */
const RANK_INPUTS: readonly ColumnName[] = ["id", "status", "daysSince", "x", "revenue", "monetary"];

export class BookColumns {
  id: Float64Array;
  /** 0: cannot be scored (see `problems`), 1: no purchase yet, 2: purchasing. */
  status: Float64Array;
  orders: Float64Array;
  purchaseDays: Float64Array;
  revenue: Float64Array;
  firstMs: Float64Array;
  lastMs: Float64Array;
  tenure: Float64Array;
  daysSince: Float64Array;
  typicalGap: Float64Array;
  rateTrend: Float64Array;
  spendTrend: Float64Array;
  wonBack: Float64Array;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  monetary: Float64Array;
  averageSpend: Float64Array;
  latestNps: Float64Array;
  feedbackCount: Float64Array;
  negativeCount: Float64Array;
  openComplaints: Float64Array;
  lastInteractionDay: Float64Array;
  lastInteractionMs: Float64Array;
  margin: Float64Array;
  trailingYear: Float64Array;
  /** The first day a later scoring must read the history again (see `CustomerScore.inputsUntil`); NaN: always. */
  inputsUntil: Float64Array;
  readonly problems = new Map<number, string>();
  private count = 0;

  /** The columns this book keeps (the others stay empty). */
  private readonly kept: readonly ColumnName[];

  /**
   * `capacity`: the customers expected (the columns grow past it if need be). `columns`: the
   * columns kept, all by default; a book of fewer (see `RANK_INPUTS`) can only `copyFrom` another.
   */
  constructor(capacity = 16, columns: readonly ColumnName[] = COLUMN_NAMES) {
    this.kept = columns;
    const size = (name: ColumnName) => (columns.includes(name) ? Math.max(1, capacity) : 0);
    this.id = new Float64Array(size("id"));
    this.status = new Float64Array(size("status"));
    this.orders = new Float64Array(size("orders"));
    this.purchaseDays = new Float64Array(size("purchaseDays"));
    this.revenue = new Float64Array(size("revenue"));
    this.firstMs = new Float64Array(size("firstMs"));
    this.lastMs = new Float64Array(size("lastMs"));
    this.tenure = new Float64Array(size("tenure"));
    this.daysSince = new Float64Array(size("daysSince"));
    this.typicalGap = new Float64Array(size("typicalGap"));
    this.rateTrend = new Float64Array(size("rateTrend"));
    this.spendTrend = new Float64Array(size("spendTrend"));
    this.wonBack = new Float64Array(size("wonBack"));
    this.x = new Float64Array(size("x"));
    this.tx = new Float64Array(size("tx"));
    this.T = new Float64Array(size("T"));
    this.monetary = new Float64Array(size("monetary"));
    this.averageSpend = new Float64Array(size("averageSpend"));
    this.latestNps = new Float64Array(size("latestNps"));
    this.feedbackCount = new Float64Array(size("feedbackCount"));
    this.negativeCount = new Float64Array(size("negativeCount"));
    this.openComplaints = new Float64Array(size("openComplaints"));
    this.lastInteractionDay = new Float64Array(size("lastInteractionDay"));
    this.lastInteractionMs = new Float64Array(size("lastInteractionMs"));
    this.margin = new Float64Array(size("margin"));
    this.trailingYear = new Float64Array(size("trailingYear"));
    this.inputsUntil = new Float64Array(size("inputsUntil"));
  }

  get length(): number {
    return this.count;
  }

  private grow(): void {
    for (const name of this.kept) {
      const old = this[name];
      this[name] = new Float64Array(old.length * 2);
      this[name].set(old);
    }
  }

  /** Room for one more customer; returns their index. */
  private append(): number {
    if (this.count === this.id.length) this.grow();
    return this.count++;
  }

  /** `append` for a customer whose every column is filled (`add`, `addCarried`). */
  private appendWhole(): number {
    if (this.kept !== COLUMN_NAMES) throw new Error("a book of some columns is filled by copyFrom");
    return this.append();
  }

  /** Empties the book for the next chunk, keeping its columns' room. */
  clear(): void {
    this.count = 0;
    this.problems.clear();
  }

  /** Appends customer `i` of `other`: the columns this book keeps, and their problem. */
  copyFrom(other: BookColumns, i: number): void {
    const index = this.append();
    for (const name of this.kept) this[name][index] = other[name][i];
    const problem = other.problems.get(i);
    if (problem !== undefined) this.problems.set(index, problem);
  }

  /** Adds one customer as of `asOfDay`; returns their state, or null (no purchase or a problem). */
  add(history: CustomerHistory, asOfDay: number): CustomerState | null {
    const index = this.appendWhole();
    this.id[index] = history.id;
    let state: CustomerState | null = null;
    let problem: string | null = null;
    try {
      state = customerState(history, asOfDay);
    } catch (error) {
      problem = (error as Error).message;
    }
    let net = 0;
    let trailing = 0;
    // The year's revenue holds until its oldest day leaves the year.
    let trailingUntil = Infinity;
    for (let i = 0; i < history.days.length && history.days[i] <= asOfDay; i++) {
      net += history.net[i];
      if (history.days[i] > asOfDay - 365) {
        trailing += history.net[i];
        trailingUntil = Math.min(trailingUntil, history.days[i] + 365);
      }
    }
    const margin = history.marginBase > 0 ? history.marginSum / history.marginBase : NaN;
    this.status[index] = problem ? 0 : state ? 2 : 1;
    if (problem) this.problems.set(index, problem);
    this.margin[index] = Number.isFinite(margin) ? Math.min(1, Math.max(0, margin)) : SCORING_DEFAULTS.margin;
    this.trailingYear[index] = Number.isFinite(trailing) ? Math.max(0, trailing) : 0;
    this.inputsUntil[index] = problem
      ? NaN
      : Math.min(trailingUntil, state ? activityHoldsUntil(history, asOfDay, state.activity) : Infinity);
    this.revenue[index] = state ? state.activity.totalSpend : Number.isFinite(net) ? net : 0;
    this.lastInteractionMs[index] = history.lastInteractionMs;
    const activity = state?.activity;
    // The exact times of the first and last purchase, when the history's agree with its days.
    const exact = (ms: number, day: number | null | undefined) =>
      day == null ? NaN : dayOf(new Date(ms)) === day ? ms : day * DAY_MS;
    this.firstMs[index] = exact(history.firstPurchaseMs, activity?.firstPurchaseDay);
    this.lastMs[index] = exact(history.lastPurchaseMs, activity?.lastPurchaseDay);
    this.orders[index] = activity?.purchaseCount ?? 0;
    this.purchaseDays[index] = activity?.purchaseDays ?? 0;
    this.tenure[index] = nanIfNull(activity?.tenureDays ?? null);
    this.daysSince[index] = nanIfNull(activity?.daysSinceLastPurchase ?? null);
    this.typicalGap[index] = nanIfNull(activity?.typicalGapDays ?? null);
    this.rateTrend[index] = nanIfNull(activity?.purchaseRateTrend ?? null);
    this.spendTrend[index] = nanIfNull(activity?.spendTrend ?? null);
    this.wonBack[index] = activity?.wonBack ? 1 : 0;
    this.x[index] = state?.x ?? 0;
    this.tx[index] = state?.tx ?? 0;
    this.T[index] = state?.T ?? 0;
    this.monetary[index] = state?.monetary ?? 0;
    this.averageSpend[index] = state?.averageSpend ?? 0;
    this.latestNps[index] = nanIfNull(state?.latestNps ?? null);
    this.feedbackCount[index] = state?.feedbackCount ?? 0;
    this.negativeCount[index] = state?.negativeFeedbackCount ?? 0;
    this.openComplaints[index] = state?.openComplaints ?? 0;
    this.lastInteractionDay[index] = nanIfNull(state?.lastInteractionDay ?? null);
    return state;
  }

  /**
   * Adds one customer as of `asOfDay` from their figures in an earlier set on the same data, which
   * hold until a later day (`row.inputs_until > asOfDay`, the caller checks it, and no event of
   * theirs in between): the columns `add` would have read from the history, with the counts that
   * move with the as-of date (tenure, days since the last purchase, T) moved to `asOfDay`.
   */
  addCarried(row: CarriedRow, asOfDay: number): void {
    const index = this.appendWhole();
    this.id[index] = carried(row, "customer_id");
    this.margin[index] = carried(row, "margin_rate");
    this.trailingYear[index] = carried(row, "trailing_year");
    this.inputsUntil[index] = carried(row, "inputs_until");
    this.revenue[index] = carried(row, "revenue");
    this.lastInteractionMs[index] = carried(row, "last_interaction");
    const firstMs = carried(row, "first_purchase");
    const lastMs = carried(row, "last_purchase");
    const purchasing = !Number.isNaN(firstMs);
    const tenure = purchasing ? asOfDay - Math.floor(firstMs / DAY_MS) : NaN;
    this.status[index] = purchasing ? 2 : 1;
    this.firstMs[index] = firstMs;
    this.lastMs[index] = lastMs;
    this.orders[index] = carried(row, "orders");
    this.purchaseDays[index] = carried(row, "purchase_days");
    this.tenure[index] = tenure;
    this.daysSince[index] = purchasing ? asOfDay - Math.floor(lastMs / DAY_MS) : NaN;
    this.typicalGap[index] = carried(row, "typical_gap_days");
    this.rateTrend[index] = carried(row, "purchase_rate_trend");
    this.spendTrend[index] = carried(row, "spend_trend");
    this.wonBack[index] = carried(row, "won_back");
    this.x[index] = carried(row, "x");
    this.tx[index] = carried(row, "tx");
    this.T[index] = purchasing ? tenure : 0;
    this.monetary[index] = carried(row, "monetary");
    this.averageSpend[index] = carried(row, "average_spend");
    this.latestNps[index] = carried(row, "latest_nps");
    this.feedbackCount[index] = carried(row, "feedback_count");
    this.negativeCount[index] = carried(row, "negative_feedback_count");
    this.openComplaints[index] = carried(row, "open_complaints");
    this.lastInteractionDay[index] = purchasing ? Math.floor(this.lastInteractionMs[index] / DAY_MS) : NaN;
  }

  /** The churn model's view of a purchasing customer, rebuilt from the columns. */
  churnState(i: number): ChurnState {
    return {
      x: this.x[i],
      tx: this.tx[i],
      T: this.T[i],
      averageSpend: this.averageSpend[i],
      latestNps: orNull(this.latestNps[i]),
      feedbackCount: this.feedbackCount[i],
      negativeFeedbackCount: this.negativeCount[i],
      openComplaints: this.openComplaints[i],
      lastInteractionDay: orNull(this.lastInteractionDay[i]),
      activity: {
        daysSinceLastPurchase: this.daysSince[i],
        typicalGapDays: orNull(this.typicalGap[i]),
        spendTrend: orNull(this.spendTrend[i]),
      },
    };
  }
}

/** Gamma-Gamma on returning customers, or why not; a fit with an infinite mean spend is unusable. */
async function fitSpendModel(
  book: BookColumns,
  notes: string[],
  slices: Slices,
): Promise<GammaGammaFit | null> {
  const returning: { x: number; monetary: number }[] = [];
  for (let i = 0; i < book.length; i++) {
    if ((i & PAUSE_EVERY) === 0) await slices.pause();
    if (book.status[i] === 2 && book.x[i] > 0 && book.monetary[i] > 0)
      returning.push({ x: book.x[i], monetary: book.monetary[i] });
  }
  if (returning.length < MIN_RETURNING_TO_FIT) {
    notes.push(
      `Gamma-Gamma not fitted: ${returning.length} returning customers, at least ${MIN_RETURNING_TO_FIT} needed; spend per purchase is each customer's own average.`,
    );
    return null;
  }
  const fit = await slices.run(fitGammaGammaSteps(returning));
  if (!(fit.q > 1)) {
    notes.push(
      `Gamma-Gamma not used: its fit has q = ${fit.q.toPrecision(3)} <= 1, an infinite mean spend; spend per purchase is each customer's own average.`,
    );
    return null;
  }
  return fit;
}

/** CLV of every purchasing customer (by book index), or null without both models. */
function lifetimeValues(
  model: PurchaseModelFit | null,
  gammaGamma: GammaGammaFit | null,
  book: BookColumns,
  purchasers: readonly number[],
  horizonSums?: HorizonSums,
): ClvColumnValues | null {
  if (!model || !gammaGamma) return null;
  const pick = (column: Float64Array) => Float64Array.from(purchasers, (i) => column[i]);
  return lifetimeValueColumns(
    model,
    gammaGamma,
    {
      x: pick(book.x),
      tx: pick(book.tx),
      T: pick(book.T),
      monetary: pick(book.monetary),
      margin: pick(book.margin),
    },
    { ...SCORING_DEFAULTS, unit: "days" },
    horizonSums,
  );
}

function unscoredCustomer(customerId: number, reason: string | null): ScoreFigures {
  return {
    customerId,
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
    lifecycleStage: "prospect",
    rfm: null,
    abcTier: null,
    valueQuadrant: null,
    latestNps: null,
    openComplaints: 0,
    lastInteraction: null,
    scoreProblem: reason,
    purchaseDays: 0,
    purchaseRateTrend: null,
    wonBack: false,
    averageSpend: 0,
    spendTrend: null,
    feedbackCount: 0,
    negativeFeedbackCount: 0,
    trailingYear: 0,
    inputsUntil: null,
  };
}

/** Per purchasing customer (by purchaser index): the value figures the population scores rank. */
export interface BookValues {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedSpend: Float64Array;
  clv: Float64Array;
  valueIfRetained: Float64Array;
}

/**
 * The value figures of the book's purchasing customers (`purchasers` holds their book indices):
 * CLV with both models; without them, the purchase model's figures where there is one and the
 * trailing year's margin as the value if retained.
 */
export function bookValues(
  model: PurchaseModelFit | null,
  gammaGamma: GammaGammaFit | null,
  book: BookColumns,
  purchasers: readonly number[],
  /** Shared by the chunks of one scoring (see `lifetimeValueColumns`). */
  horizonSums?: HorizonSums,
): BookValues {
  const clvValues = lifetimeValues(model, gammaGamma, book, purchasers, horizonSums);
  const count = purchasers.length;
  const values: BookValues = {
    pAlive: new Float64Array(count).fill(NaN),
    expectedPurchases: new Float64Array(count).fill(NaN),
    expectedSpend: new Float64Array(count),
    clv: new Float64Array(count),
    valueIfRetained: new Float64Array(count),
  };
  purchasers.forEach((i, k) => {
    if (clvValues) {
      values.pAlive[k] = clvValues.pAlive[k];
      values.expectedPurchases[k] = clvValues.expectedPurchases[k];
      values.expectedSpend[k] = clvValues.expectedSpendPerPurchase[k];
      values.clv[k] = clvValues.discountedValue[k];
      values.valueIfRetained[k] = clvValues.retainedValue[k];
      return;
    }
    if (model) {
      values.pAlive[k] = modelPAlive(model, book.x[i], book.tx[i], book.T[i]);
      values.expectedPurchases[k] = modelConditionalExpected(
        model,
        CLV_HORIZON_DAYS,
        book.x[i],
        book.tx[i],
        book.T[i],
      );
    }
    values.expectedSpend[k] = book.x[i] > 0 ? book.monetary[i] : book.averageSpend[i];
    values.valueIfRetained[k] = book.margin[i] * book.trailingYear[i];
  });
  return values;
}

/** {@link bookValues} of the whole book, a slice of purchasers at a time with pauses between. */
async function bookValuesSliced(
  model: PurchaseModelFit | null,
  gammaGamma: GammaGammaFit | null,
  book: BookColumns,
  purchasers: readonly number[],
  slices: Slices,
): Promise<BookValues> {
  const count = purchasers.length;
  const values: BookValues = {
    pAlive: new Float64Array(count),
    expectedPurchases: new Float64Array(count),
    expectedSpend: new Float64Array(count),
    clv: new Float64Array(count),
    valueIfRetained: new Float64Array(count),
  };
  const horizonSums: HorizonSums = new Map();
  for (let start = 0; start < count; start += VALUE_SLICE) {
    await slices.pause();
    const part = bookValues(
      model,
      gammaGamma,
      book,
      purchasers.slice(start, start + VALUE_SLICE),
      horizonSums,
    );
    for (const name of Object.keys(values) as (keyof BookValues)[]) values[name].set(part[name], start);
  }
  return values;
}

function figuresFinite(book: BookColumns, i: number, values: BookValues, k: number): boolean {
  return [book.revenue[i], book.monetary[i], values.clv[k], values.valueIfRetained[k]].every(Number.isFinite);
}

/** What scoring one customer needs besides their columns. */
export interface FigureContext {
  scoreChurn: (state: ChurnState) => number;
  model: PurchaseModelFit | null;
  horizonDays: number;
}

/**
 * One customer's score figures (book index `i`, purchaser index `k` or -1), without the
 * population-relative ones (RFM, ABC tier, value quadrant), which the caller ranks. Throws a
 * RangeError when the figures are not finite numbers.
 */
export function customerFigures(
  book: BookColumns,
  i: number,
  k: number,
  values: BookValues,
  context: FigureContext,
): ScoreFigures {
  const id = book.id[i];
  const problem = book.problems.get(i);
  if (problem) return unscoredCustomer(id, problem);
  if (k < 0) {
    return {
      ...unscoredCustomer(id, null),
      marginRate: book.margin[i],
      lastInteraction: iso(book.lastInteractionMs[i]),
      revenue: book.revenue[i],
      trailingYear: book.trailingYear[i],
      inputsUntil: storedDay(book.inputsUntil[i]),
    };
  }
  const { model, horizonDays } = context;
  const state = book.churnState(i);
  const probability = context.scoreChurn(state);
  const score: ScoreFigures = {
    customerId: id,
    orders: book.orders[i],
    revenue: book.revenue[i],
    firstPurchase: iso(book.firstMs[i]),
    lastPurchase: iso(book.lastMs[i]),
    daysSinceLastPurchase: book.daysSince[i],
    typicalGapDays: orNull(book.typicalGap[i]),
    x: book.x[i],
    tx: book.tx[i],
    T: book.T[i],
    monetary: book.monetary[i],
    marginRate: book.margin[i],
    pAlive: orNull(values.pAlive[k]),
    churnProbability: probability,
    expectedPurchases: orNull(values.expectedPurchases[k]),
    horizonExpectedPurchases: model
      ? modelConditionalExpected(model, horizonDays, state.x, state.tx, state.T)
      : null,
    expectedSpend: values.expectedSpend[k],
    clv: values.clv[k],
    valueIfRetained: values.valueIfRetained[k],
    riskScore: riskScore(probability),
    riskLevel: riskLevel(probability),
    valueAtRisk: valueAtRisk(values.valueIfRetained[k], probability),
    lifecycleStage: "prospect",
    rfm: null,
    abcTier: null,
    valueQuadrant: null,
    latestNps: state.latestNps,
    openComplaints: state.openComplaints,
    lastInteraction: iso(book.lastInteractionMs[i]),
    scoreProblem: null,
    purchaseDays: book.purchaseDays[i],
    purchaseRateTrend: orNull(book.rateTrend[i]),
    wonBack: book.wonBack[i] === 1,
    averageSpend: state.averageSpend,
    spendTrend: state.activity.spendTrend,
    feedbackCount: state.feedbackCount,
    negativeFeedbackCount: state.negativeFeedbackCount,
    trailingYear: book.trailingYear[i],
    inputsUntil: storedDay(book.inputsUntil[i]),
  };
  score.lifecycleStage = lifecycleStageOf(score);
  if (!figuresFinite(book, i, values, k) || ![score.valueAtRisk, probability].every(Number.isFinite))
    throw new RangeError("its scores are not finite numbers; check its amounts");
  return score;
}

/**
 * The per-customer half of a pass with reused fits (`ScoringOptions.early`): each chunk's figures
 * as soon as it is read, by the same rules as the whole-book pass, with the value columns the
 * population ranks need kept for the end (in purchaser order, as `bookValues` gives them).
 */
class EarlyPass {
  private readonly context: FigureContext;
  private readonly gammaGamma: GammaGammaFit | null;
  private readonly clv: number[] = [];
  private readonly expectedPurchases: number[] = [];
  private readonly valueIfRetained: number[] = [];
  private readonly horizonSums: HorizonSums = new Map();
  /** Book indices whose figures could not be computed (they keep their ABC tier only). */
  private readonly failures = new Set<number>();
  readonly unscored: BookModels["unscored"] = [];

  constructor(reuse: ReusedModels, asOfDay: number, horizonDays: number) {
    this.gammaGamma = reuse.gammaGamma;
    this.context = {
      scoreChurn: churnProbabilityOf(reuse.churn, asOfDay),
      model: reuse.churn.purchaseModel,
      horizonDays,
    };
  }

  /**
   * The figures of the customers `from` to `to` (exclusive) of `chunk` (a book of one chunk),
   * ranks null; `offset` is the whole book's index of the chunk's first customer. Called on
   * consecutive ranges, in order.
   */
  score(chunk: BookColumns, offset: number, from = 0, to = chunk.length): ScoreFigures[] {
    const purchasers: number[] = [];
    for (let i = from; i < to; i++) if (chunk.status[i] === 2) purchasers.push(i);
    const values = bookValues(this.context.model, this.gammaGamma, chunk, purchasers, this.horizonSums);
    const scores: ScoreFigures[] = [];
    let next = 0;
    for (let i = from; i < to; i++) {
      const k = next < purchasers.length && purchasers[next] === i ? next++ : -1;
      if (k >= 0) {
        this.clv.push(values.clv[k]);
        this.expectedPurchases.push(values.expectedPurchases[k]);
        this.valueIfRetained.push(values.valueIfRetained[k]);
      }
      try {
        scores.push(customerFigures(chunk, i, k, values, this.context));
      } catch (error) {
        const reason = (error as Error).message;
        this.unscored.push({ customerId: chunk.id[i], reason });
        this.failures.add(offset + i);
        scores.push(unscoredCustomer(chunk.id[i], reason));
      }
    }
    return scores;
  }

  failed(i: number): boolean {
    return this.failures.has(i);
  }

  /** The value columns of every purchaser read, for the ranks (P(alive) and spend are not kept). */
  values(): BookValues {
    const count = this.clv.length;
    return {
      pAlive: new Float64Array(count).fill(NaN),
      expectedPurchases: Float64Array.from(this.expectedPurchases),
      expectedSpend: new Float64Array(count).fill(NaN),
      clv: Float64Array.from(this.clv),
      valueIfRetained: Float64Array.from(this.valueIfRetained),
    };
  }
}

/**
 * Scores every customer as of a date: chooses and fits a purchase model (BG/NBD, MBG/NBD or
 * Pareto/NBD), calibrates the churn probability on the book's own history, fits Gamma-Gamma, then
 * derives P(alive), churn probability, CLV, value at risk, lifecycle stage, RFM segment, ABC tier
 * and value quadrant per customer, and hands the scores to `sink` a chunk at a time.
 *
 * The book is read once, a chunk of customers at a time; what is kept per customer is a row of
 * numbers (see `BookColumns`), so memory follows the number of customers, never their
 * transactions. Histories must be cut at `asOf` (the store's reader and `historyFromRecord` do).
 * Deterministic: the same book, as-of and options give the same scores. A customer whose history
 * cannot be summarised is reported in `unscored` and never stops the book.
 */
export async function scoreBook(
  source: HistorySource,
  asOf: Date,
  options: ScoringOptions,
  sink: ScoreSink,
): Promise<BookModels> {
  const horizonDays = options.horizonDays;
  const asOfDayNumber = dayOf(asOf);
  const notes: string[] = [];
  const warnings: string[] = [];
  const unscored: BookModels["unscored"] = [];
  const early = options.reuse ? options.early : undefined;
  const earlyPass = early && options.reuse ? new EarlyPass(options.reuse, asOfDayNumber, horizonDays) : null;
  // With reused fits each chunk is scored as soon as it is read: the whole book keeps only what
  // the ranks need, and each chunk is read into a book of its own.
  const book = earlyPass ? new BookColumns(source.customers, RANK_INPUTS) : new BookColumns(source.customers);
  const reading = earlyPass ? new BookColumns(SINK_CHUNK) : book;
  const sampleRate = Math.min(1, CALIBRATION_SAMPLE / Math.max(1, source.customers));
  const sample: CustomerHistory[] = [];
  const rowsAtAsOf: PurchaseRow[] = [];
  const purchasers: number[] = [];
  let firstPurchaseDay = Infinity;
  let newestMs = -Infinity;
  let carriedCount = 0;
  const slices = new Slices(options.sliceMs);
  let step = 0;
  for await (const chunk of readAhead(source.chunks())) {
    const chunkStart = book.length;
    if (reading !== book) reading.clear();
    for (const item of chunk) {
      if ((++step & PAUSE_EVERY) === 0) await slices.pause();
      const history = isCarried(item) ? null : item;
      let state: CustomerState | null = null;
      if (history) {
        state = reading.add(history, asOfDayNumber);
      } else {
        // Only a pass with reused fits is given carried rows: a fit reads every history.
        if (!options.reuse) throw new Error("carried figures need reused fits; read the histories");
        reading.addCarried(item as CarriedRow, asOfDayNumber);
        carriedCount++;
      }
      const index = reading.length - 1;
      if (reading !== book) book.copyFrom(reading, index);
      if (reading.status[index] !== 2) continue;
      purchasers.push(book.length - 1);
      newestMs = Math.max(newestMs, reading.lastMs[index]);
      if (!state || !history) continue;
      if (state.T > 0 && !options.reuse) rowsAtAsOf.push({ x: state.x, tx: state.tx, T: state.T });
      firstPurchaseDay = Math.min(firstPurchaseDay, state.activity.firstPurchaseDay!);
      if (!options.reuse && (sampleRate >= 1 || idDraw(history.id) < sampleRate)) sample.push(history);
    }
    // A chunk read is scored and handed over a sink's worth at a time, so that neither the figures
    // nor the rows' encoding holds the event loop for a whole chunk.
    for (let from = 0; earlyPass && early && from < reading.length; from += SINK_CHUNK) {
      await slices.pause();
      await early.scores(
        earlyPass.score(reading, chunkStart, from, Math.min(reading.length, from + SINK_CHUNK)),
      );
    }
  }
  for (const [index, reason] of book.problems) unscored.push({ customerId: book.id[index], reason });
  // Customers whose figures failed come after the stored problems, as in the whole-book pass.
  if (earlyPass) unscored.push(...earlyPass.unscored);

  const newestPurchase = Number.isFinite(newestMs) ? new Date(newestMs) : null;
  if (newestPurchase) {
    const gap = asOfDayNumber - dayOf(newestPurchase);
    if (gap > STALE_HORIZONS * horizonDays) {
      warnings.push(
        `The newest purchase is ${asOfDay(newestPurchase)}, ${gap.toLocaleString("en-US")} days before the as-of date ${asOfDay(asOf)}; every customer looks long gone. Pass --as-of ${asOfDay(newestPurchase)} (as_of "${asOfDay(newestPurchase)}") to score the book as of its last day.`,
      );
    }
  }

  const churnReport =
    options.reuse?.churn ??
    (await buildChurnModel(
      {
        sample,
        bookCustomers: purchasers.length,
        asOfDay: asOfDayNumber,
        horizonDays,
        firstPurchaseDay: Number.isFinite(firstPurchaseDay) ? firstPurchaseDay : null,
        rowsAtAsOf,
        referenceGapDays: referenceGapDays(book.typicalGap.subarray(0, book.length)),
      },
      slices,
    ));
  sample.length = 0;
  rowsAtAsOf.length = 0;
  const scoreChurn = churnProbabilityOf(churnReport, asOfDayNumber);
  const model = churnReport.purchaseModel;
  const gammaGamma = options.reuse ? options.reuse.gammaGamma : await fitSpendModel(book, notes, slices);
  const values = earlyPass
    ? earlyPass.values()
    : await bookValuesSliced(model, gammaGamma, book, purchasers, slices);
  const finite = (k: number) => figuresFinite(book, purchasers[k], values, k);

  // Population-relative scores: RFM quintiles and the value matrix over buyers, ABC tiers over
  // all, ranked over columns (the same rules as `core/rfm.ts` and `core/valueTiers.ts`).
  const buyers = Int32Array.from(purchasers.keys()).filter(finite);
  const ofBuyers = (value: (k: number) => number) => {
    const column = new Float64Array(buyers.length);
    for (let b = 0; b < buyers.length; b++) column[b] = value(buyers[b]);
    return column;
  };
  // Each ranking sorts the whole book (about half a second at a million customers): calls that
  // answer from the previous set meanwhile are answered between them.
  await slices.pause();
  const r = quintileScoresOfColumn(ofBuyers((k) => -book.daysSince[purchasers[k]]));
  await slices.pause();
  const f = quintileScoresOfColumn(ofBuyers((k) => book.x[purchasers[k]] + 1));
  await slices.pause();
  const m = quintileScoresOfColumn(ofBuyers((k) => book.revenue[purchasers[k]]));
  await slices.pause();
  const highProfit = upperHalfOfColumn(ofBuyers((k) => values.clv[k]));
  await slices.pause();
  const highLoyalty = upperHalfOfColumn(
    ofBuyers((k) => (Number.isNaN(values.expectedPurchases[k]) ? 0 : values.expectedPurchases[k])),
  );
  await slices.pause();
  const buyerOf = new Int32Array(purchasers.length).fill(-1);
  buyers.forEach((k, b) => (buyerOf[k] = b));
  const purchaserOf = new Int32Array(book.length).fill(-1);
  purchasers.forEach((i, k) => (purchaserOf[i] = k));
  const valueOfEach = new Float64Array(book.length);
  for (let i = 0; i < book.length; i++) {
    const k = purchaserOf[i];
    valueOfEach[i] = k >= 0 && finite(k) ? values.clv[k] : 0;
  }
  await slices.pause();
  const tiers = abcTiersOfColumn(valueOfEach);
  await slices.pause();
  const tierOf = (i: number): AbcTier => ABC_TIER_NAMES[tiers[i]];
  const QUADRANTS = [
    ["strangers", "barnacles"],
    ["butterflies", "true-friends"],
  ] as const;

  const scoreOf = (i: number): ScoreFigures => {
    const k = purchaserOf[i];
    const score = customerFigures(book, i, k, values, { scoreChurn, model, horizonDays });
    score.abcTier = tierOf(i);
    const b = k >= 0 ? buyerOf[k] : -1;
    if (b >= 0 && score.scoreProblem === null) {
      score.rfm = { r: r[b], f: f[b], m: m[b], segment: rfmSegment(r[b], Math.floor((f[b] + m[b]) / 2)) };
      score.valueQuadrant = QUADRANTS[highProfit[b]][highLoyalty[b]];
    }
    return score;
  };

  if (earlyPass && early) {
    // The scores went out chunk by chunk; what is left is every customer's ranks, by the rules
    // `scoreOf` applies (a customer whose figures failed keeps the ABC tier only).
    let ranks: ScoreRanks[] = [];
    for (let i = 0; i < book.length; i++) {
      if ((i & PAUSE_EVERY) === 0) await slices.pause();
      const k = purchaserOf[i];
      const b = k >= 0 ? buyerOf[k] : -1;
      const ranked = b >= 0 && !earlyPass.failed(i);
      ranks.push({
        customerId: book.id[i],
        abcTier: tierOf(i),
        rfm: ranked
          ? { r: r[b], f: f[b], m: m[b], segment: rfmSegment(r[b], Math.floor((f[b] + m[b]) / 2)) }
          : null,
        valueQuadrant: ranked ? QUADRANTS[highProfit[b]][highLoyalty[b]] : null,
      });
      if (ranks.length >= SINK_CHUNK) {
        await early.ranks(ranks);
        ranks = [];
      }
    }
    if (ranks.length > 0) await early.ranks(ranks);
  }
  let batch: ScoreFigures[] = [];
  for (let i = earlyPass ? book.length : 0; i < book.length; i++) {
    if ((i & PAUSE_EVERY) === 0) await slices.pause();
    let score: ScoreFigures;
    try {
      score = scoreOf(i);
    } catch (error) {
      const reason = (error as Error).message;
      unscored.push({ customerId: book.id[i], reason });
      score = { ...unscoredCustomer(book.id[i], reason), abcTier: tierOf(i) };
    }
    batch.push(score);
    if (batch.length >= SINK_CHUNK) {
      await sink(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await sink(batch);
  if (unscored.length > 0) {
    warnings.push(
      `${unscored.length} customer${unscored.length === 1 ? "" : "s"} could not be scored (first: store id ${unscored[0].customerId}, ${unscored[0].reason}); the rest of the book is scored.`,
    );
  }

  return {
    unit: "days",
    horizonDays,
    churn: churnReport,
    gammaGamma,
    notes: options.reuse
      ? [
          `Models fitted as of ${options.reuse.fit.asOf} and reused: the as-of date and the data have moved too little since to change them (see fit).`,
          ...options.reuse.notes,
        ]
      : [...churnReport.notes, ...notes],
    warnings,
    newestPurchase: newestPurchase ? asOfDay(newestPurchase) : null,
    purchasingCustomers: purchasers.length,
    returningCustomers: purchasers.filter((i) => book.x[i] > 0).length,
    unscored,
    ...(source.carriedFrom
      ? { inputsCarried: { fromAsOf: source.carriedFrom, customers: carriedCount } }
      : {}),
    fit: options.reuse
      ? { ...options.reuse.fit, reused: true }
      : {
          asOf: asOfDay(asOf),
          customers: book.length,
          transactions: source.transactions ?? null,
          reused: false,
        },
  };
}

/** A book held in memory as a history source (tests, backtests of in-memory books). */
export function recordSource(records: readonly CustomerRecord[], asOf: Date): HistorySource {
  return {
    customers: records.length,
    async *chunks() {
      for (let start = 0; start < records.length; start += SINK_CHUNK) {
        yield records.slice(start, start + SINK_CHUNK).map((record) => historyFromRecord(record, asOf));
      }
    },
  };
}

/** Scores an in-memory book and returns every score (see {@link scoreBook}). */
export async function scoreCustomers(
  records: readonly CustomerRecord[],
  asOf: Date,
  options: ScoringOptions = { horizonDays: DEFAULT_HORIZON_DAYS },
): Promise<{ models: BookModels; scores: CustomerScore[] }> {
  const figures: ScoreFigures[] = [];
  const models = await scoreBook(recordSource(records, asOf), asOf, options, (chunk) => {
    figures.push(...chunk);
  });
  return { models, scores: figures.map((score) => withReasons(score, models.churn, asOf)) };
}
