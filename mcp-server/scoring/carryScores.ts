import { rfmSegment } from "../../core/rfm.js";
import { ABC_THRESHOLDS, type AbcTier } from "../../core/valueTiers.js";
import type { Store } from "../store/store.js";
import { churnProbabilityOf } from "./churnModel.js";
import { dayOf } from "./customerState.js";
import type { ScoreFigures } from "./explain.js";
import { COLUMNS, recentlyServed, scoreToRow, type ScoreSetRow } from "./scoreCache.js";
import { BookColumns, bookValues, customerFigures, type BookModels } from "./scoreCustomers.js";
import { MODEL_VERSION } from "./settings.js";
import { historiesBetween } from "./storeHistory.js";

/** Sets served this recently are carried over a write besides the newest one. */
const CARRY_SERVED_WITHIN_MS = 10 * 60_000;

/** Where one customer's figures rank among the rest of a set (see {@link placeInSet}). */
interface Placement {
  buyers: number;
  r_below: number;
  r_equal: number;
  f_below: number;
  f_equal: number;
  m_below: number;
  m_equal: number;
  p_below: number;
  p_equal: number;
  l_below: number;
  l_equal: number;
  total_positive: number;
  positive_above: number;
}

/** A 1-5 quintile score from a rank among `n` (equal values share their average rank). */
function quintile(below: number, equal: number, n: number): number {
  return Math.min(5, Math.floor((5 * (below + equal / 2)) / n) + 1);
}

/**
 * Fills in the population-relative scores of one rescored customer by ranking them against the
 * other customers of the set, with the same rules as a full rescore (`core/rfm.ts`,
 * `core/valueTiers.ts`) in one scan of the set. The others keep their ranks until the next full
 * rescore: one customer moving shifts anyone else's quintile by at most one place in n.
 */
async function placeInSet(store: Store, setId: number, figures: ScoreFigures): Promise<void> {
  const recency = figures.daysSinceLastPurchase ?? 0;
  const frequency = figures.x + 1;
  const loyalty = figures.expectedPurchases ?? 0;
  const place = await store.db.get<Placement>(
    `SELECT COUNT(churn_probability) AS buyers,
       TOTAL(churn_probability IS NOT NULL AND days_since_last_purchase > ?) AS r_below,
       TOTAL(churn_probability IS NOT NULL AND days_since_last_purchase = ?) AS r_equal,
       TOTAL(churn_probability IS NOT NULL AND x + 1 < ?) AS f_below,
       TOTAL(churn_probability IS NOT NULL AND x + 1 = ?) AS f_equal,
       TOTAL(churn_probability IS NOT NULL AND revenue < ?) AS m_below,
       TOTAL(churn_probability IS NOT NULL AND revenue = ?) AS m_equal,
       TOTAL(churn_probability IS NOT NULL AND clv < ?) AS p_below,
       TOTAL(churn_probability IS NOT NULL AND clv = ?) AS p_equal,
       TOTAL(churn_probability IS NOT NULL AND IFNULL(expected_purchases, 0) < ?) AS l_below,
       TOTAL(churn_probability IS NOT NULL AND IFNULL(expected_purchases, 0) = ?) AS l_equal,
       TOTAL(MAX(clv, 0)) AS total_positive,
       TOTAL(CASE WHEN clv > ? THEN MAX(clv, 0) ELSE 0 END) AS positive_above
     FROM customer_scores WHERE score_set_id = ? AND customer_id <> ?`,
    [
      recency,
      recency,
      frequency,
      frequency,
      figures.revenue,
      figures.revenue,
      figures.clv,
      figures.clv,
      loyalty,
      loyalty,
      figures.clv,
      setId,
      figures.customerId,
    ],
  );
  if (!place) return;
  const total = place.total_positive + Math.max(0, figures.clv);
  const tolerance = 1e-12 * total;
  const tier: AbcTier =
    total > 0 && place.positive_above < ABC_THRESHOLDS.a * total - tolerance
      ? "A"
      : total > 0 && place.positive_above < ABC_THRESHOLDS.b * total - tolerance
        ? "B"
        : "C";
  figures.abcTier = tier;
  if (figures.churnProbability === null) return;
  const n = place.buyers + 1;
  const r = quintile(place.r_below, place.r_equal, n);
  const f = quintile(place.f_below, place.f_equal, n);
  const m = quintile(place.m_below, place.m_equal, n);
  figures.rfm = { r, f, m, segment: rfmSegment(r, Math.floor((f + m) / 2)) };
  const high = (below: number, equal: number) => below + equal / 2 > (n - 1) / 2;
  const profitHigh = high(place.p_below, place.p_equal);
  const loyaltyHigh = high(place.l_below, place.l_equal);
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
  await placeInSet(store, set.id, figures);
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
  const others = COLUMNS.filter((column) => column !== "score_set_id" && column !== "customer_id");
  for (const set of sets) {
    const models = JSON.parse(set.models) as BookModels;
    for (const customerId of customerIds) {
      const figures = await rescoreInSet(store, set, models, customerId);
      if (!figures) continue;
      const row = scoreToRow(set.id, figures);
      await store.db.run(
        `UPDATE customer_scores SET ${others.map((column) => `${column} = ?`).join(", ")}
         WHERE score_set_id = ? AND customer_id = ?`,
        [...row.slice(2), set.id, customerId],
      );
      models.unscored = models.unscored.filter((entry) => entry.customerId !== customerId);
      if (figures.scoreProblem) models.unscored.push({ customerId, reason: figures.scoreProblem });
    }
    await store.db.run("UPDATE score_sets SET data_version = ?, models = ? WHERE id = ?", [
      toVersion,
      JSON.stringify(models),
      set.id,
    ]);
  }
  return sets.length;
}
