import { asOfDay } from "../asOf.js";
import type { Store } from "../store/store.js";
import { storedTime } from "../store/timestamps.js";
import { backtestBook, type BacktestResult, type HoldoutOutcome } from "./backtest.js";
import { storeSource } from "./storeHistory.js";
import { MODEL_VERSION } from "./settings.js";

/** A backtest as kept in the store. */
export interface StoredBacktest {
  ranAt: string;
  dataVersion: number;
  modelVersion: string;
  result: BacktestResult;
}

/** Keeps a backtest's result, so status reports can say how far to trust the at-risk list. */
export async function saveBacktest(store: Store, result: BacktestResult, ranAt: Date): Promise<void> {
  const product = result.rankings.find((ranking) => ranking.name === "churn_probability")!;
  await store.db.run(
    `INSERT INTO backtests (ran_at, as_of, horizon_days, data_version, model_version, customers, churn_rate, auc,
       expected_calibration_error, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      storedTime(ranAt),
      result.asOf,
      result.horizonDays,
      await store.dataVersion(),
      MODEL_VERSION,
      result.customers,
      result.churnRate,
      product.auc,
      result.calibration.expectedCalibrationError,
      JSON.stringify(result),
    ],
  );
}

/** The latest backtest run by this version of the scoring, or null. */
export async function latestBacktest(store: Store): Promise<StoredBacktest | null> {
  const row = await store.db.get<{
    ran_at: string;
    data_version: number;
    model_version: string;
    result: string;
  }>(
    "SELECT ran_at, data_version, model_version, result FROM backtests WHERE model_version = ? ORDER BY ran_at DESC, id DESC LIMIT 1",
    [MODEL_VERSION],
  );
  if (!row) return null;
  return {
    ranAt: row.ran_at,
    dataVersion: row.data_version,
    modelVersion: row.model_version,
    result: JSON.parse(row.result) as BacktestResult,
  };
}

const DAY_MS = 86_400_000;
/** Longest horizon a backtest or a score set accepts: two years. */
export const MAX_HORIZON_DAYS = 730;

/** Thrown when a backtest cannot run on this book; the message says what to change. */
export class BacktestError extends Error {}

/**
 * Runs a time-split backtest on the store's own book: the split defaults to the newest purchase
 * minus the horizon, so the holdout is complete. Keeps the result (see `saveBacktest`).
 */
export async function runBacktest(
  store: Store,
  options: { asOf?: Date; horizonDays: number; now: Date },
): Promise<BacktestResult> {
  const { horizonDays } = options;
  if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > MAX_HORIZON_DAYS) {
    throw new BacktestError(
      `--horizon must be a whole number of days from 1 to ${MAX_HORIZON_DAYS}, got ${horizonDays}`,
    );
  }
  const span = await store.db.get<{ first: string | null; last: string | null }>(
    "SELECT MIN(occurred_at) AS first, MAX(occurred_at) AS last FROM transactions WHERE amount > 0",
  );
  if (!span?.first || !span.last) {
    throw new BacktestError(
      "the store has no purchases to backtest on; import transactions first (crm import transactions FILE)",
    );
  }
  const newest = new Date(span.last);
  const first = new Date(span.first);
  const lastDay = Date.UTC(newest.getUTCFullYear(), newest.getUTCMonth(), newest.getUTCDate(), 23, 59, 59);
  const asOf = options.asOf ?? new Date(lastDay - horizonDays * DAY_MS);
  if (asOf.getTime() <= first.getTime()) {
    throw new BacktestError(
      `the split ${asOfDay(asOf)} is not after the first purchase (${asOfDay(first)}): the book spans ${Math.floor((newest.getTime() - first.getTime()) / DAY_MS)} days, so try a shorter --horizon or a later --as-of`,
    );
  }
  if (asOf.getTime() >= newest.getTime()) {
    throw new BacktestError(
      `nothing happens after the split ${asOfDay(asOf)}: the newest purchase is ${asOfDay(newest)}. Pick an --as-of at least a few days before it (at most ${asOfDay(new Date(lastDay - horizonDays * DAY_MS))} for a full ${horizonDays}-day holdout)`,
    );
  }
  const holdoutEnd = new Date(asOf.getTime() + horizonDays * DAY_MS);
  const outcomes = new Map<number, HoldoutOutcome>();
  const rows = await store.db.all<{ customer_id: number; bought: number; spend: number }>(
    `SELECT customer_id, MAX(amount > 0) AS bought, SUM(amount) AS spend FROM transactions
     WHERE occurred_at > ? AND occurred_at <= ? GROUP BY customer_id`,
    [storedTime(asOf), storedTime(holdoutEnd)],
  );
  for (const row of rows) outcomes.set(row.customer_id, { bought: row.bought === 1, spend: row.spend });
  // The book covers the whole of its newest day.
  const result = await backtestBook(
    await storeSource(store, asOf),
    asOf,
    horizonDays,
    new Date(lastDay),
    (id) => outcomes.get(id) ?? { bought: false, spend: 0 },
  );
  await saveBacktest(store, result, options.now);
  return result;
}
