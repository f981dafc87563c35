import { activityFromDays, type DailyActivity } from "../../core/activity.js";
import type { CustomerHistory } from "./history.js";

/** One customer's history condensed as of a cutoff day: what the models and the churn features read. */
export interface CustomerState {
  activity: DailyActivity;
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
  /** Day of the last interaction up to the cutoff, or null. */
  lastInteractionDay: number | null;
}

/** What the churn model reads of a customer state (scoring keeps these as columns for big books). */
export type ChurnState = Pick<
  CustomerState,
  | "x"
  | "tx"
  | "T"
  | "averageSpend"
  | "latestNps"
  | "feedbackCount"
  | "negativeFeedbackCount"
  | "openComplaints"
  | "lastInteractionDay"
> & { activity: Pick<DailyActivity, "daysSinceLastPurchase" | "typicalGapDays" | "spendTrend"> };

/**
 * The customer as of the end of UTC day `cutoffDay` (everything after it ignored), or null when
 * they had made no purchase by then. A purchase is a positive amount; refunds lower spend but are
 * not purchases. Throws a RangeError with the history's stated problem (a stored value no import
 * accepts), so the caller can leave this one customer unscored with that reason.
 */
export function customerState(history: CustomerHistory, cutoffDay: number): CustomerState | null {
  if (history.problem) throw new RangeError(history.problem);
  const activity = activityFromDays(history, cutoffDay);
  if (activity.firstPurchaseDay === null) return null;
  let gross = 0;
  let repeatTotal = 0;
  for (let i = 0; i < history.days.length && history.days[i] <= cutoffDay; i++) {
    const amount = history.gross[i];
    if (!(amount > 0)) continue;
    gross += amount;
    if (history.days[i] !== activity.firstPurchaseDay) repeatTotal += amount;
  }
  const x = activity.purchaseDays - 1;
  const T = activity.tenureDays ?? 0;
  const netShare = gross > 0 ? Math.min(1, Math.max(0, activity.totalSpend / gross)) : 0;

  let latestNps: number | null = null;
  let feedbackCount = 0;
  let negativeFeedbackCount = 0;
  let openComplaints = 0;
  for (const item of history.feedback) {
    if (item.day > cutoffDay) continue;
    if (item.hasText) {
      feedbackCount++;
      if (item.negative) negativeFeedbackCount++;
    }
    if (item.source === "nps" && item.score !== null) latestNps = item.score;
    // The store keeps a complaint's current status only: one open now was open at the cutoff too.
    if (item.source === "complaint" && item.open) openComplaints++;
  }
  openComplaints += openTicketsOn(history, cutoffDay);
  let lastInteractionDay: number | null = null;
  for (const day of history.interactionDays) {
    if (day <= cutoffDay && (lastInteractionDay === null || day > lastInteractionDay))
      lastInteractionDay = day;
  }
  return {
    activity,
    x,
    tx: T - (activity.daysSinceLastPurchase ?? 0),
    T,
    monetary: x > 0 ? (repeatTotal / x) * netShare : 0,
    averageSpend: Math.max(0, activity.totalSpend / activity.purchaseDays),
    latestNps,
    feedbackCount,
    negativeFeedbackCount,
    openComplaints,
    lastInteractionDay,
  };
}

/**
 * Open service tickets that count as open complaints on `day` (tickets raised for an open
 * complaint row are in the feedback count already). Exact on the history's own cutoff, which is
 * what scores use. Earlier days (the calibration's origins) see the tickets still open at the
 * cutoff that were opened by then: all once the newest was, at least the oldest once it was,
 * none before; a ticket opened after the day never leaks back into it.
 */
export function openTicketsOn(history: CustomerHistory, day: number): number {
  const tickets = history.openTickets;
  if (!tickets || tickets.count === 0) return 0;
  if (day >= tickets.newestDay) return tickets.count;
  return day >= tickets.oldestDay ? 1 : 0;
}

/** Whether the customer made a purchase (positive amount) on a day in (fromDay, toDay]. */
export function boughtBetween(history: CustomerHistory, fromDay: number, toDay: number): boolean {
  for (let i = 0; i < history.days.length; i++) {
    const day = history.days[i];
    if (day > toDay) return false;
    if (day > fromDay && history.gross[i] > 0) return true;
  }
  return false;
}

/** The UTC day number of a moment. */
export function dayOf(moment: Date): number {
  return Math.floor(moment.getTime() / 86_400_000);
}

/** The date (YYYY-MM-DD) of a UTC day number. */
export function dayText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
