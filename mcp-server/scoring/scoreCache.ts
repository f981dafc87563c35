import type { SqlValue } from "../store/database.js";
import { BulkInsert, bulkColumn, type BulkColumn } from "../store/bulkInsert.js";
import type { Store } from "../store/store.js";
import {
  DEFAULT_HORIZON_DAYS,
  scoreBook,
  type BookModels,
  type CustomerScore,
  type HistorySource,
  type EarlyScores,
  type ReusedModels,
} from "./scoreCustomers.js";
import { backfillFeedbackSentiment } from "../store/feedbackSentiment.js";
import { withReasons, type ScoreFigures } from "./explain.js";
import { carriedSource, carrySourceFor } from "./carriedInputs.js";
import { PendingScores } from "./pendingScores.js";
import { storeSource } from "./storeHistory.js";
import { KEPT_SCORE_SETS, MODEL_VERSION, REFIT_AFTER_CHANGE, REFIT_AFTER_DAYS } from "./settings.js";
import { storedTime } from "../store/timestamps.js";
import {
  SCORE_COLUMNS,
  dropScoresTables,
  dropScoresView,
  refreshScoresView,
  scoresTable,
  setTableIds,
} from "../store/setTables.js";

/** A computed set of scores: one as-of date, one version of the data, one version of the models. */
export interface ScoreSet {
  id: number;
  asOf: string;
  /** Churn horizon in days: the churn probability is P(no purchase in the next horizonDays). */
  horizonDays: number;
  dataVersion: number;
  modelVersion: string;
  computedAt: string;
  seconds: number;
  customers: number;
  models: BookModels;
  /**
   * Set when this set was served in place of one still being computed (see `ensureScores`'s
   * `freshWaitMs`): what was asked for, so answers can say their scores are behind.
   */
  staleFor?: { asOf: string; dataVersion: number };
}

/** How long a read may wait for a score set being computed, in ms (see `ensureScores`). */
export interface FreshnessOptions {
  /**
   * Wait at most this long for a set being computed, then answer from the newest set that can
   * stand in for it (same horizon; the same as-of date on older data, or an as-of date up to
   * `STALE_STAND_IN_DAYS` earlier), marked `staleFor`; the computation goes on and its set
   * replaces the stand-in for later reads. Absent: wait for the fresh set.
   */
  freshWaitMs?: number;
  /**
   * With `freshWaitMs`: when no set can stand in (a new book, a date never scored), wait at most
   * this long, then throw `ScoresComputingError`, so the caller answers in time (MCP clients give
   * up after 60 s; a million-customer book scores in one to two minutes) while the computation
   * goes on for the next call. Default `COMPUTING_WAIT_MS`.
   */
  computingWaitMs?: number;
}

/** How long a tool call waits for a set nothing can stand in for before it says so. */
export const COMPUTING_WAIT_MS = 25_000;

/** A score set is still being computed and nothing can stand in for it: ask again later. */
export class ScoresComputingError extends Error {}

/** How far back an earlier as-of date's set may stand in for a set being computed. */
export const STALE_STAND_IN_DAYS = 7;

/** Columns of a set's rows in the order `scoreToRow` writes them. */
export const COLUMNS = SCORE_COLUMNS;

/** Columns holding whole numbers and text; every other one is a computed real. */
const WHOLE_COLUMNS = new Set<string>([
  "customer_id",
  "orders",
  "days_since_last_purchase",
  "x",
  "rfm_r",
  "rfm_f",
  "rfm_m",
  "open_complaints",
  "purchase_days",
  "won_back",
  "feedback_count",
  "negative_feedback_count",
  "inputs_until",
]);
const TEXT_COLUMNS = new Set<string>([
  "first_purchase",
  "last_purchase",
  "risk_level",
  "lifecycle_stage",
  "rfm_segment",
  "abc_tier",
  "value_quadrant",
  "last_interaction",
  "score_problem",
]);

/** `COLUMNS` as a bulk insert writes them (`BulkInsert`: one JSON text per batch of rows). */
export const BULK_COLUMNS: readonly BulkColumn[] = COLUMNS.map((name) =>
  WHOLE_COLUMNS.has(name)
    ? bulkColumn.integer(name)
    : TEXT_COLUMNS.has(name)
      ? bulkColumn.text(name)
      : bulkColumn.computed(name),
);

/** A row of a set's table as SQLite returns it. */
export type ScoreRow = Record<(typeof COLUMNS)[number], SqlValue>;

export function scoreToRow(score: ScoreFigures): SqlValue[] {
  return [
    score.customerId,
    score.orders,
    score.revenue,
    score.firstPurchase,
    score.lastPurchase,
    score.daysSinceLastPurchase,
    score.typicalGapDays,
    score.x,
    score.tx,
    score.T,
    score.monetary,
    score.marginRate,
    score.pAlive,
    score.churnProbability,
    score.expectedPurchases,
    score.horizonExpectedPurchases,
    score.expectedSpend,
    score.clv,
    score.valueIfRetained,
    score.riskScore,
    score.riskLevel,
    score.valueAtRisk,
    score.lifecycleStage,
    score.rfm?.r ?? null,
    score.rfm?.f ?? null,
    score.rfm?.m ?? null,
    score.rfm?.segment ?? null,
    score.abcTier,
    score.valueQuadrant,
    score.latestNps,
    score.openComplaints,
    score.lastInteraction,
    score.scoreProblem,
    score.purchaseDays,
    score.purchaseRateTrend,
    score.wonBack ? 1 : 0,
    score.averageSpend,
    score.spendTrend,
    score.feedbackCount,
    score.negativeFeedbackCount,
    score.trailingYear,
    score.inputsUntil,
  ];
}

/** Each served or computed set's models and as-of date, by set id: what rows' reasons are worded with. */
const setModels = new Map<number, { churn: BookModels["churn"]; asOf: Date }>();

function remember(set: ScoreSet): void {
  if (setModels.size > 64) setModels.delete(setModels.keys().next().value!);
  setModels.set(set.id, { churn: set.models.churn, asOf: new Date(set.asOf) });
}

/**
 * Turns a row of set `setId` back into the score it was written from. Its reasons are worded on
 * first read from the row and its set's churn model (the set must have been returned by
 * `ensureScores` or `latestScoreSet` in this process, as every tool's is).
 */
export function rowToScore(setId: number, row: ScoreRow): CustomerScore {
  const number = (value: SqlValue) => (value === null ? null : Number(value));
  const set = setModels.get(setId);
  if (!set) throw new Error(`score set ${setId} was read before its models; read it with ensureScores`);
  const figures: ScoreFigures = {
    customerId: Number(row.customer_id),
    orders: Number(row.orders),
    revenue: Number(row.revenue),
    firstPurchase: row.first_purchase as string | null,
    lastPurchase: row.last_purchase as string | null,
    daysSinceLastPurchase: number(row.days_since_last_purchase),
    typicalGapDays: number(row.typical_gap_days),
    x: Number(row.x),
    tx: Number(row.tx),
    T: Number(row.t),
    monetary: Number(row.monetary),
    marginRate: Number(row.margin_rate),
    pAlive: number(row.p_alive),
    churnProbability: number(row.churn_probability),
    expectedPurchases: number(row.expected_purchases),
    horizonExpectedPurchases: number(row.horizon_expected_purchases),
    expectedSpend: number(row.expected_spend),
    clv: Number(row.clv),
    valueIfRetained: Number(row.value_if_retained),
    riskScore: Number(row.risk_score),
    riskLevel: row.risk_level as CustomerScore["riskLevel"],
    valueAtRisk: Number(row.value_at_risk),
    lifecycleStage: row.lifecycle_stage as CustomerScore["lifecycleStage"],
    rfm:
      row.rfm_segment === null
        ? null
        : {
            r: Number(row.rfm_r),
            f: Number(row.rfm_f),
            m: Number(row.rfm_m),
            segment: row.rfm_segment as NonNullable<CustomerScore["rfm"]>["segment"],
          },
    abcTier: row.abc_tier as CustomerScore["abcTier"],
    valueQuadrant: row.value_quadrant as CustomerScore["valueQuadrant"],
    latestNps: number(row.latest_nps),
    openComplaints: Number(row.open_complaints),
    lastInteraction: row.last_interaction as string | null,
    scoreProblem: row.score_problem as string | null,
    purchaseDays: Number(row.purchase_days),
    purchaseRateTrend: number(row.purchase_rate_trend),
    wonBack: row.won_back === 1,
    averageSpend: Number(row.average_spend),
    spendTrend: number(row.spend_trend),
    feedbackCount: Number(row.feedback_count),
    negativeFeedbackCount: Number(row.negative_feedback_count),
    // Sets stored before these were kept read NULL.
    trailingYear: Number(row.trailing_year ?? 0),
    inputsUntil: number(row.inputs_until),
  };
  return withReasons(figures, set.churn, set.asOf);
}

export interface ScoreSetRow {
  id: number;
  as_of: string;
  horizon_days: number;
  data_version: number;
  model_version: string;
  computed_at: string;
  seconds: number;
  customers: number;
  models: string;
}

function toScoreSet(row: ScoreSetRow): ScoreSet {
  const set: ScoreSet = {
    id: row.id,
    asOf: row.as_of,
    horizonDays: row.horizon_days,
    dataVersion: row.data_version,
    modelVersion: row.model_version,
    computedAt: row.computed_at,
    seconds: row.seconds,
    customers: row.customers,
    models: JSON.parse(row.models),
  };
  remember(set);
  return set;
}

const inFlight = new Map<string, Promise<ScoreSet>>();

/**
 * A set handed to a caller in the last minute may still be being read (a page of a list, a
 * customer's card): it is not evicted under that read, whichever process computed the newer set.
 */
const READ_GRACE_MS = 60_000;
/** However many sets are in use, the store never keeps more than this. */
const MAX_KEPT_SCORE_SETS = 16;
/** When this process last handed out each set, by id. */
const servedAt = new Map<number, number>();

function served(set: ScoreSet): ScoreSet {
  servedAt.set(set.id, Date.now());
  return set;
}

/** Ids of the sets this process handed out within the last `withinMs`. */
export function recentlyServed(withinMs: number): number[] {
  const since = Date.now() - withinMs;
  return [...servedAt].filter(([, at]) => at >= since).map(([id]) => id);
}

/**
 * Drops score sets beyond the newest `KEPT_SCORE_SETS`, except those computed (by any process,
 * by its `computed_at`) or served by this one within `READ_GRACE_MS`, up to `MAX_KEPT_SCORE_SETS`.
 */
async function evictOldSets(store: Store, computedNow: Date): Promise<void> {
  const now = Date.now();
  for (const [id, at] of servedAt) if (now - at > READ_GRACE_MS) servedAt.delete(id);
  const inUse = [...servedAt.keys()];
  // Not `NOT IN (NULL)` for none: that is NULL, which kept every set up to the maximum.
  const notInUse = inUse.length > 0 ? `AND id NOT IN (${inUse.map(() => "?").join(", ")})` : "";
  await store.db.run(
    `DELETE FROM score_sets
     WHERE id NOT IN (SELECT id FROM score_sets ORDER BY id DESC LIMIT ${MAX_KEPT_SCORE_SETS})
        OR (id NOT IN (SELECT id FROM score_sets ORDER BY id DESC LIMIT ${KEPT_SCORE_SETS})
            AND computed_at < ? ${notInUse})`,
    // `computed_at` is stamped by the caller's clock (a fixed one in tests and demos): measured on it.
    [storedTime(new Date(computedNow.getTime() - READ_GRACE_MS)), ...inUse],
  );
  // Every table no `score_sets` row names: the sets just dropped, and any whose row someone
  // deleted by hand.
  const kept = new Set((await store.db.all<{ id: number }>("SELECT id FROM score_sets")).map(({ id }) => id));
  await dropScoresTables(
    store.db,
    (await setTableIds(store.db)).filter((id) => !kept.has(id)),
  );
}

/**
 * The score set for `asOf` and the churn horizon on the current data: read from the cache when it
 * is there, else computed once (concurrent callers share the computation) and stored. Older sets
 * beyond `KEPT_SCORE_SETS` are dropped.
 */
export async function ensureScores(
  store: Store,
  asOf: Date,
  now: () => Date = () => new Date(),
  horizonDays: number = DEFAULT_HORIZON_DAYS,
  freshness: FreshnessOptions = {},
): Promise<ScoreSet> {
  const asOfText = storedTime(asOf);
  const dataVersion = await store.dataVersion();
  const key = [asOfText, horizonDays, dataVersion, MODEL_VERSION] as const;
  const cached = await store.db.get<ScoreSetRow>(SELECT_SET, [...key]);
  if (cached) return served(toScoreSet(cached));
  const flightKey = `${store.path}|${key.join("|")}`;
  let pending = inFlight.get(flightKey);
  if (!pending) {
    pending = computeAndStore(store, asOf, horizonDays, dataVersion, now)
      .then(served)
      .finally(() => inFlight.delete(flightKey));
    inFlight.set(flightKey, pending);
  }
  if (freshness.freshWaitMs === undefined) return pending;
  const standIn = await store.db.get<ScoreSetRow>(
    `SELECT * FROM score_sets WHERE horizon_days = ? AND model_version = ? AND as_of <= ? AND as_of >= ?
     ORDER BY as_of DESC, data_version DESC LIMIT 1`,
    [
      horizonDays,
      MODEL_VERSION,
      asOfText,
      storedTime(new Date(asOf.getTime() - STALE_STAND_IN_DAYS * 86_400_000)),
    ],
  );
  // Nobody else may await the computation: its failure must not go unhandled.
  pending.catch(() => undefined);
  if (!standIn) {
    const fresh = await within(pending, freshness.computingWaitMs ?? COMPUTING_WAIT_MS);
    if (fresh) return fresh;
    throw new ScoresComputingError(await computingMessage(store, asOfText));
  }
  const fresh = await within(pending, freshness.freshWaitMs);
  if (fresh) return fresh;
  return { ...served(toScoreSet(standIn)), staleFor: { asOf: asOfText, dataVersion } };
}

/** What `pending` gives if it settles within `ms`, else null (the work goes on). */
export async function within<T>(pending: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([pending, waited]).finally(() => clearTimeout(timer));
}

/** What a caller is told while a set nothing can stand in for is computed: when to ask again. */
async function computingMessage(store: Store, asOfText: string): Promise<string> {
  const [counts, last] = await Promise.all([
    store.db.get<{ customers: number }>("SELECT COUNT(*) AS customers FROM customers"),
    store.db.get<{ seconds: number; customers: number }>(
      "SELECT seconds, customers FROM score_sets ORDER BY id DESC LIMIT 1",
    ),
  ]);
  const customers = (counts?.customers ?? 0).toLocaleString("en-US");
  const took = last
    ? ` The last scoring of this store took ${Math.round(last.seconds)} s for ${last.customers.toLocaleString("en-US")} customers.`
    : "";
  return (
    `The scores as of ${asOfText.slice(0, 10)} are still being computed for ${customers} customers, and no earlier set can stand in for them.${took} ` +
    "Ask again in a minute: the computation goes on, and the next call is answered from its result."
  );
}

const SELECT_SET =
  "SELECT * FROM score_sets WHERE as_of = ? AND horizon_days = ? AND data_version = ? AND model_version = ?";

/**
 * The newest set's fits, when a set as of `asOf` may reuse them: same horizon and model version,
 * fitted at most `REFIT_AFTER_DAYS` before `asOf` (never after it: that would let later data into
 * the fit) on a book within `REFIT_AFTER_CHANGE` of this one's size.
 */
async function reusableFits(
  store: Store,
  asOf: Date,
  horizonDays: number,
  source: HistorySource,
): Promise<ReusedModels | undefined> {
  const row = await store.db.get<ScoreSetRow>(
    "SELECT * FROM score_sets WHERE horizon_days = ? AND model_version = ? ORDER BY id DESC LIMIT 1",
    [horizonDays, MODEL_VERSION],
  );
  if (!row) return undefined;
  const models = JSON.parse(row.models) as BookModels;
  const fit = models.fit;
  if (!fit || fit.transactions === null || source.transactions === undefined) return undefined;
  const days = (asOf.getTime() - Date.parse(`${fit.asOf}T23:59:59.999Z`)) / 86_400_000;
  const changed = (now: number, then: number) => Math.abs(now - then) / Math.max(1, then);
  if (days < -0.5 || days > REFIT_AFTER_DAYS) return undefined;
  if (changed(source.customers, fit.customers) > REFIT_AFTER_CHANGE) return undefined;
  if (changed(source.transactions, fit.transactions) > REFIT_AFTER_CHANGE) return undefined;
  return {
    churn: models.churn,
    gammaGamma: models.gammaGamma,
    notes: models.fit.reused ? models.notes.slice(1) : models.notes,
    fit,
  };
}

/**
 * Scores the book into a table of its own a chunk at a time (so neither the book nor its scores
 * are ever all in memory), then publishes the set in one short transaction that makes that table
 * the set's: readers see the old set or the whole new one, never part of it.
 */
async function computeAndStore(
  store: Store,
  asOf: Date,
  horizonDays: number,
  dataVersion: number,
  now: () => Date,
): Promise<ScoreSet> {
  const started = performance.now();
  const asOfText = storedTime(asOf);
  // Feedback written by an older version has no stored sentiment yet: fill it in once, so this
  // and every later scoring counts negatives from the stored label instead of reading the texts.
  await backfillFeedbackSentiment(store);
  const book = await storeSource(store, asOf);
  const reuse = await reusableFits(store, asOf, horizonDays, book);
  // With the fits reused, figures that hold from an earlier set on the same data are carried over.
  const carryFrom = reuse ? await carrySourceFor(store, asOf, dataVersion) : null;
  const source = carryFrom ? carriedSource(store, book, asOf, carryFrom) : book;
  // Score rows travel as JSON, not bound value by value: binding ~40 values a customer cost the
  // JavaScript thread 1.9 s of a 100k-customer rescore. With reused fits each chunk's rows are
  // written (by a connection of their own) while the next chunk is read; see `PendingScores`.
  const pending = await PendingScores.open(store, BULK_COLUMNS, reuse !== undefined);
  try {
    const writeScores = (scores: ScoreFigures[]) => pending.writeScores(scores.map(scoreToRow));
    const early: EarlyScores | undefined = pending.early
      ? { scores: writeScores, ranks: (ranks) => pending.writeRanks(ranks) }
      : undefined;
    const models = await scoreBook(source, asOf, { horizonDays, reuse, early }, writeScores);
    const written = await pending.finish();
    const seconds = (performance.now() - started) / 1000;
    const computedAt = storedTime(now());
    return await store.db.transaction(async () => {
      // Another process may have computed the same set while this one worked.
      const existing = await store.db.get<ScoreSetRow>(SELECT_SET, [
        asOfText,
        horizonDays,
        dataVersion,
        MODEL_VERSION,
      ]);
      if (existing) return toScoreSet(existing);
      await store.db.run(
        "INSERT INTO score_sets (id, as_of, horizon_days, data_version, model_version, computed_at, seconds, customers, models) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
          pending.setId,
          asOfText,
          horizonDays,
          dataVersion,
          MODEL_VERSION,
          computedAt,
          seconds,
          written,
          JSON.stringify(models),
        ],
      );
      // A rename reads every view again, and one naming a set table dropped by hand would fail it:
      // the view goes first and comes back over the sets kept.
      await dropScoresView(store.db);
      await pending.publish();
      await evictOldSets(store, new Date(computedAt));
      await refreshScoresView(store.db);
      const set: ScoreSet = {
        id: pending.setId,
        asOf: asOfText,
        horizonDays,
        dataVersion,
        modelVersion: MODEL_VERSION,
        computedAt,
        seconds,
        customers: written,
        models,
      };
      remember(set);
      return set;
    });
  } finally {
    await pending.dispose();
  }
}

/** One customer's cached score in a set. */
export async function readScore(
  store: Store,
  set: ScoreSet,
  customerId: number,
): Promise<CustomerScore | undefined> {
  const row = await store.db.get<ScoreRow>(`SELECT * FROM ${scoresTable(set.id)} WHERE customer_id = ?`, [
    customerId,
  ]);
  return row ? rowToScore(set.id, row) : undefined;
}
