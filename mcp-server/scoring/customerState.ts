import { customerActivity, type CustomerActivity } from "../../core/activity.js";
import { SANE_MAGNITUDE } from "../store/rows.js";
import type { CustomerRecord } from "./loadBook.js";

const DAY_MS = 86_400_000;

/** One customer's history condensed as of a cutoff: what the models and the churn features read. */
export interface CustomerState {
  activity: CustomerActivity;
  /** Repeat purchase days, time from the first to the last purchase day and age, in days. */
  x: number;
  tx: number;
  T: number;
  /**
   * Mean repeat purchase-day spend, scaled by the customer's net/gross ratio (clamped to [0, 1]) so
   * refunds lower it; 0 without repeat purchases. The spend input of Gamma-Gamma.
   */
  monetary: number;
  /** Net spend per purchase day (refunds included), at least 0. */
  averageSpend: number;
  latestNps: number | null;
  feedbackCount: number;
  negativeFeedbackCount: number;
  openComplaints: number;
  lastInteraction: Date | null;
}

/**
 * The customer as of `cutoff` (everything dated after it ignored), or null when they had made no
 * purchase by then. A purchase is a row with a positive amount; refunds lower spend but are not
 * purchases. `negative[i]` says whether feedback item i reads negative (computed once per text).
 * Throws a RangeError naming the problem when the history cannot be summarised (an amount beyond
 * ±1e15, a row without a valid date), so the caller can skip this one customer with a stated reason.
 */
export function customerState(
  record: CustomerRecord,
  cutoff: Date,
  negative: readonly boolean[],
): CustomerState | null {
  checkRows(record);
  const cutoffMs = cutoff.getTime();
  const known = record.transactions.filter((row) => row.timestamp.getTime() <= cutoffMs);
  if (!known.some((row) => row.amount > 0)) return null;
  const activity = customerActivity(known, cutoff);
  const dayTotals = new Map<number, number>();
  let gross = 0;
  for (const row of known) {
    if (!(row.amount > 0)) continue;
    const day = Math.floor(row.timestamp.getTime() / DAY_MS);
    dayTotals.set(day, (dayTotals.get(day) ?? 0) + row.amount);
    gross += row.amount;
  }
  const firstDay = Math.min(...dayTotals.keys());
  let repeatTotal = 0;
  for (const [day, total] of dayTotals) if (day !== firstDay) repeatTotal += total;
  const x = dayTotals.size - 1;
  const T = activity.tenureDays ?? 0;
  const netShare = gross > 0 ? Math.min(1, Math.max(0, activity.totalSpend / gross)) : 0;

  let latestNps: number | null = null;
  let feedbackCount = 0;
  let negativeFeedbackCount = 0;
  let openComplaints = 0;
  record.feedback.forEach((item, index) => {
    if (item.timestamp.getTime() > cutoffMs) return;
    if (item.text.trim() !== "") {
      feedbackCount++;
      if (negative[index]) negativeFeedbackCount++;
    }
    if (item.source === "nps" && item.score !== null && Number.isFinite(item.score)) latestNps = item.score;
    // The store keeps a complaint's current status only: one open now was open at the cutoff too.
    if (item.source === "complaint" && item.status === "open") openComplaints++;
  });
  let lastInteraction: Date | null = null;
  for (const time of record.interactions) if (time.getTime() <= cutoffMs) lastInteraction = time;

  return {
    activity,
    x,
    tx: T - (activity.daysSinceLastPurchase ?? 0),
    T,
    monetary: x > 0 ? (repeatTotal / x) * netShare : 0,
    averageSpend: Math.max(0, activity.totalSpend / dayTotals.size),
    latestNps,
    feedbackCount,
    negativeFeedbackCount,
    openComplaints,
    lastInteraction,
  };
}

/**
 * Refuses a history holding values no import accepts (a store edited by hand or by an older
 * version), naming the row, so the customer is reported instead of breaking the book's sums.
 */
function checkRows(record: CustomerRecord): void {
  for (const row of record.transactions) {
    if (Number.isNaN(row.timestamp.getTime())) {
      throw new RangeError("one of its transactions has no valid date; fix or delete that row");
    }
    const day = row.timestamp.toISOString().slice(0, 10);
    if (!(Math.abs(row.amount) <= SANE_MAGNITUDE)) {
      throw new RangeError(
        `its transaction of ${day} has an amount that is not a real amount (${Number.isFinite(row.amount) ? row.amount : "not a finite number"}); fix or delete that row`,
      );
    }
  }
  for (const item of record.feedback) {
    if (Number.isNaN(item.timestamp.getTime()))
      throw new RangeError("one of its feedback items has no valid date; fix or delete that row");
  }
  for (const time of record.interactions) {
    if (Number.isNaN(time.getTime()))
      throw new RangeError("one of its interactions has no valid date; fix or delete that row");
  }
}

/** Whether the customer made a purchase (positive amount) in (from, to]. */
export function boughtBetween(record: CustomerRecord, from: Date, to: Date): boolean {
  const start = from.getTime();
  const end = to.getTime();
  return record.transactions.some((row) => {
    const time = row.timestamp.getTime();
    return row.amount > 0 && time > start && time <= end;
  });
}

/** Whole days between two moments, rounded down. */
export function daysBetween(earlier: Date, later: Date): number {
  return Math.floor((later.getTime() - earlier.getTime()) / DAY_MS);
}
