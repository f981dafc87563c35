import { rfmSegment } from "../../core/rfm.js";
import { ABC_THRESHOLDS, type AbcTier } from "../../core/valueTiers.js";
import type { Store } from "../store/store.js";
import { scoresTable } from "../store/setTables.js";
import { churnProbabilityOf } from "./churnModel.js";
import { dayOf } from "./customerState.js";
import type { ScoreFigures } from "./explain.js";
import { COLUMNS, recentlyServed, scoreToRow, type ScoreSetRow } from "./scoreCache.js";
import { BookColumns, bookValues, customerFigures, type BookModels } from "./scoreCustomers.js";
import { MODEL_VERSION } from "./settings.js";
import { forgetSetRanks, setRanksFor, type RankedValues, type SetRanks } from "./setRanks.js";
import { historiesBetween } from "./storeHistory.js";

/** Sets served this recently are carried over a write besides the newest one. */
const CARRY_SERVED_WITHIN_MS = 10 * 60_000;

/** A 1-5 quintile score from a rank among `n` (equal values share their average rank). */
function quintile(below: number, equal: number, n: number): number {
  return Math.min(5, Math.floor((5 * (below + equal / 2)) / n) + 1);
}

/** What a score contributes to its set's ranks. */
function rankedValues(score: {
  churnProbability: number | null;
  scoreProblem: string | null;
  daysSinceLastPurchase: number | null;
  x: number;
  revenue: number;
  clv: number;
  expectedPurchases: number | null;
}): RankedValues {
  return {
    buyer: score.churnProbability !== null && score.scoreProblem === null,
    recencyDays: score.daysSinceLastPurchase ?? 0,
    frequency: score.x + 1,
    revenue: score.revenue,
    clv: score.clv,
    loyalty: score.expectedPurchases ?? 0,
  };
}

/**
 * Fills in the population-relative scores of one rescored customer by ranking them against the
 * other customers of the set, with the same rules as a full rescore (`core/rfm.ts`,
 * `core/valueTiers.ts`), and moves them in the set's ranks. The others keep their ranks until
 * the next full rescore: one customer moving shifts anyone else's quintile by at most one place
 * in n.
 */
function placeInSet(ranks: SetRanks, old: RankedValues | null, figures: ScoreFigures): void {
  if (old) ranks.remove(old);
  const values = rankedValues(figures);
  const place = ranks.place(values);
  ranks.insert(values);
  const total = place.positiveTotal + Math.max(0, figures.clv);
  const tolerance = 1e-12 * total;
  const tier: AbcTier =
    total > 0 && place.positiveAbove < ABC_THRESHOLDS.a * total - tolerance
      ? "A"
      : total > 0 && place.positiveAbove < ABC_THRESHOLDS.b * total - tolerance
        ? "B"
        : "C";
  figures.abcTier = tier;
  if (!values.buyer) return;
  const n = place.buyers + 1;
  const r = quintile(place.recency.below, place.recency.equal, n);
  const f = quintile(place.frequency.below, place.frequency.equal, n);
  const m = quintile(place.revenue.below, place.revenue.equal, n);
  figures.rfm = { r, f, m, segment: rfmSegment(r, Math.floor((f + m) / 2)) };
  const high = (rank: { below: number; equal: number }) => rank.below + rank.equal / 2 > (n - 1) / 2;
  const profitHigh = high(place.clv);
  const loyaltyHigh = high(place.loyalty);
  figures.valueQuadrant = profitHigh
    ? loyaltyHigh
      ? "true-friends"
      : "butterflies"
    : loyaltyHigh
      ? "barnacles"
      : "strangers";
}

/** One customer's figures in a set, scored with the set's own fits. */
async function rescoreInSet(
  store: Store,
  set: ScoreSetRow,
  models: BookModels,
  ranks: SetRanks,
  customerId: number,
): Promise<ScoreFigures | null> {
  const asOf = new Date(set.as_of);
  const [history] = await historiesBetween(store, customerId, customerId, asOf);
  if (!history) return null;
  const book = new BookColumns();
  const state = book.add(history, dayOf(asOf));
  const model = models.churn.purchaseModel;
  const values = bookValues(model, models.gammaGamma, book, state ? [0] : []);
  let figures: ScoreFigures;
  try {
    figures = customerFigures(book, 0, state ? 0 : -1, values, {
      scoreChurn: churnProbabilityOf(models.churn, dayOf(asOf)),
      model,
      horizonDays: set.horizon_days,
    });
  } catch (error) {
    book.problems.set(0, (error as Error).message);
    figures = customerFigures(book, 0, -1, values, {
      scoreChurn: () => NaN,
      model,
      horizonDays: set.horizon_days,
    });
  }
  const old = await store.db.get<{
    churn_probability: number | null;
    score_problem: string | null;
    days_since_last_purchase: number | null;
    x: number;
    revenue: number;
    clv: number;
    expected_purchases: number | null;
  }>(
    `SELECT churn_probability, score_problem, days_since_last_purchase, x, revenue, clv, expected_purchases
     FROM ${scoresTable(set.id)} WHERE customer_id = ?`,
    [customerId],
  );
  placeInSet(
    ranks,
    old
      ? rankedValues({
          churnProbability: old.churn_probability,
          scoreProblem: old.score_problem,
          daysSinceLastPurchase: old.days_since_last_purchase,
          x: old.x,
          revenue: old.revenue,
          clv: old.clv,
          expectedPurchases: old.expected_purchases,
        })
      : null,
    figures,
  );
  return figures;
}

/**
 * Carries the score sets computed on data version `fromVersion` over to `toVersion` when the only
 * change between them is to the given customers (a tool's write): each of those customers is
 * scored again with the set's own fits and ranked against the rest of the set, and the set is
 * re-labelled with the new version, so the next read answers at once and reflects the write
 * instead of waiting for a full rescore. Call it inside the writing transaction, after the write
 * and the version bump, so no other write can fall in between.
 *
 * @returns how many sets were carried.
 */
export async function carryScoreSets(
  store: Store,
  customerIds: readonly number[],
  fromVersion: number,
  toVersion: number,
): Promise<number> {
  // The newest set of each horizon, and any other this process served lately: the ones the next
  // reads will ask for. Others stay on the old version and are recomputed if asked for again.
  const recent = recentlyServed(CARRY_SERVED_WITHIN_MS);
  const sets = await store.db.all<ScoreSetRow>(
    `SELECT * FROM score_sets s WHERE data_version = ? AND model_version = ?
       AND (id = (SELECT MAX(id) FROM score_sets o WHERE o.horizon_days = s.horizon_days)
            OR id IN (${recent.map(() => "?").join(", ") || "NULL"}))`,
    [fromVersion, MODEL_VERSION, ...recent],
  );
  for (const set of sets) {
    const models = JSON.parse(set.models) as BookModels;
    const ranks = await setRanksFor(store, set.id, fromVersion, set.customers);
    try {
      await carrySet(store, set, models, ranks, customerIds);
    } catch (error) {
      forgetSetRanks(set.id);
      throw error;
    }
    ranks.dataVersion = toVersion;
    await store.db.run("UPDATE score_sets SET data_version = ?, models = ? WHERE id = ?", [
      toVersion,
      JSON.stringify(models),
      set.id,
    ]);
  }
  return sets.length;
}

/** Rescores `customerIds` in one set, in place. */
async function carrySet(
  store: Store,
  set: ScoreSetRow,
  models: BookModels,
  ranks: SetRanks,
  customerIds: readonly number[],
): Promise<void> {
  const others = COLUMNS.filter((column) => column !== "customer_id");
  for (const customerId of customerIds) {
    const figures = await rescoreInSet(store, set, models, ranks, customerId);
    if (!figures) continue;
    const row = scoreToRow(figures);
    await store.db.run(
      `UPDATE ${scoresTable(set.id)} SET ${others.map((column) => `${column} = ?`).join(", ")}
         WHERE customer_id = ?`,
      [...row.slice(1), customerId],
    );
    models.unscored = models.unscored.filter((entry) => entry.customerId !== customerId);
    if (figures.scoreProblem) models.unscored.push({ customerId, reason: figures.scoreProblem });
  }
}
