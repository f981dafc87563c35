/**
 * A customer's lifecycle stage as it stood at each month end: the same rules as today's stage
 * (`core/lifecycle.ts`), read off the customer's own history cut at that day, with the score set's
 * fitted purchase and churn models. One customer's rows are read (one small query per kind), and
 * each month end costs one pass over that history, so a profile stays fast.
 *
 * The models are the set's, fitted as of its date, not refitted for each month: the track shows how
 * today's rules and models read the customer's past, which is what the stage today is compared to.
 * A past stage sees nothing after its day (no later purchase, feedback or contact), except what the
 * store does not date: a complaint's or ticket's status is kept as it is now, so one still open
 * counts as open from when it was raised (as the churn calibration reads it too).
 */
import { lifecycleStageKey, type LifecycleStageKey } from "../../core/lifecycle.js";
import { modelPAlive } from "../../core/purchaseModel.js";
import { churnProbabilityOf, type ChurnModelReport } from "../scoring/churnModel.js";
import { customerState, dayOf } from "../scoring/customerState.js";
import type { CustomerHistory } from "../scoring/history.js";
import type { ScoreSet } from "../scoring/scoreCache.js";
import { historiesBetween } from "../scoring/storeHistory.js";
import type { Store } from "../store/store.js";

/** Month ends a stage history reaches back (besides the as-of day itself). */
export const STAGE_HISTORY_MONTHS = 24;

const DAY_MS = 86_400_000;

/** The stage the rules gave on one day, with the model figures that fed them. */
export interface StagePoint {
  /** UTC day number. */
  day: number;
  /** A month end, or the as-of day (the last point, equal to today's stage). */
  at: "month_end" | "as_of";
  stage: LifecycleStageKey;
  churnProbability: number | null;
  pAlive: number | null;
  daysSinceLastPurchase: number | null;
}

/** A change of stage: the first checkpoint at which `to` was read (`from` null for the first point). */
export interface StageChange {
  day: number;
  from: LifecycleStageKey | null;
  to: LifecycleStageKey;
}

/** The UTC day number of the last day of the month holding `day`. */
function monthEndOf(day: number): number {
  const date = new Date(day * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0) / DAY_MS;
}

/**
 * The days a history is read at: the last `months` month ends before `asOfDay` that are on or after
 * `sinceDay`'s month end, then `asOfDay`, ascending.
 */
export function checkpointDays(asOfDay: number, months: number, sinceDay: number): number[] {
  const days: number[] = [];
  const asOf = new Date(asOfDay * DAY_MS);
  const earliest = monthEndOf(sinceDay);
  for (let back = months; back >= 1; back--) {
    const end = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - back + 1, 0) / DAY_MS;
    if (end >= earliest && end < asOfDay) days.push(end);
  }
  days.push(asOfDay);
  return days;
}

/**
 * The customer's stage at each checkpoint day (see {@link checkpointDays}), each read from the
 * history up to that day only, with the churn model `churn` (the score set's report: its purchase
 * model gives P(alive), its calibration the churn probability). Throws the history's RangeError
 * when it cannot be scored at all.
 */
export function stageHistory(
  history: CustomerHistory,
  churn: ChurnModelReport,
  days: readonly number[],
): StagePoint[] {
  const model = churn.purchaseModel;
  return days.map((day, index) => {
    const at = index === days.length - 1 ? "as_of" : "month_end";
    const state = customerState(history, day);
    if (!state) {
      return {
        day,
        at,
        stage: "prospect",
        churnProbability: null,
        pAlive: null,
        daysSinceLastPurchase: null,
      };
    }
    const churnProbability = churnProbabilityOf(churn, day)(state);
    const pAlive = model ? modelPAlive(model, state.x, state.tx, state.T) : null;
    const { activity } = state;
    // The inputs exactly as `scoring/explain.ts` hands a score to the rules.
    const stage = lifecycleStageKey({
      purchaseCount: activity.purchaseCount,
      purchaseDays: activity.purchaseDays,
      tenureDays: state.T,
      daysSinceLastPurchase: activity.daysSinceLastPurchase,
      typicalGapDays: activity.typicalGapDays,
      purchaseRateTrend: activity.purchaseRateTrend,
      wonBack: activity.wonBack,
      pAlive,
      churnProbability,
    });
    return {
      day,
      at,
      stage,
      churnProbability,
      pAlive,
      daysSinceLastPurchase: activity.daysSinceLastPurchase,
    };
  });
}

/** Where the stage changed along a history, the first point included. */
export function stageChanges(points: readonly StagePoint[]): StageChange[] {
  const changes: StageChange[] = [];
  let previous: LifecycleStageKey | null = null;
  for (const point of points) {
    if (point.stage === previous) continue;
    changes.push({ day: point.day, from: previous, to: point.stage });
    previous = point.stage;
  }
  return changes;
}

/** The earliest day the customer is known from: their record, acquisition or first transaction. */
function firstKnownDay(history: CustomerHistory, dates: readonly (string | null)[]): number {
  let first = history.days.length > 0 ? history.days[0] : Infinity;
  for (const date of dates) {
    const time = date ? Date.parse(date) : NaN;
    if (Number.isFinite(time)) first = Math.min(first, dayOf(new Date(time)));
  }
  return first;
}

/**
 * One stored customer's stage history in a score set: the set's own cutoff and churn model, month
 * ends from the month the customer is first known in (their record, acquisition or first
 * transaction), at most `months` of them. Null when the history cannot be scored.
 */
export async function customerStageHistory(
  store: Store,
  set: ScoreSet,
  customer: { id: number; created_at: string; acquired_at: string | null },
  months = STAGE_HISTORY_MONTHS,
): Promise<StagePoint[] | null> {
  const cutoff = new Date(set.asOf);
  const [history] = await historiesBetween(store, customer.id, customer.id, cutoff);
  if (!history || history.problem) return null;
  const asOfDay = dayOf(cutoff);
  const since = Math.min(asOfDay, firstKnownDay(history, [customer.created_at, customer.acquired_at]));
  return stageHistory(history, set.models.churn, checkpointDays(asOfDay, months, since));
}
