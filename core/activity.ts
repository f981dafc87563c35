/**
 * Purchase-history features for one customer, the shared input of lifecycle stages and the
 * at-risk score.
 *
 * All day counts are whole UTC calendar days: a purchase at 23:59 and one at 00:01 the next day
 * are one day apart, and several orders on the same UTC day count as one purchase day. Using
 * calendar days rather than elapsed milliseconds keeps the numbers stable when order times are
 * recorded with different precision (date-only imports versus full timestamps).
 */

/** One purchase (or refund, when `amount` is negative). */
export interface ActivityTransaction {
  timestamp: Date;
  amount: number;
}

/** Purchase-history features of one customer as of a given date. */
export interface CustomerActivity {
  /** The date the features describe; transactions after it are ignored. */
  asOf: Date;
  /** Timestamp of the first purchase, or null when the customer never bought. */
  firstPurchase: Date | null;
  /** Timestamp of the latest purchase up to `asOf`, or null when the customer never bought. */
  lastPurchase: Date | null;
  /** Number of purchase transactions (amount > 0); refunds and zero-value rows are not purchases. */
  purchaseCount: number;
  /** Number of distinct UTC days with a purchase: the purchase occasions the gap statistics use. */
  purchaseDays: number;
  /** Sum of all amounts up to `asOf`, refunds included (net spend). */
  totalSpend: number;
  /** Net spend per purchase transaction, or null without purchases. */
  averageOrderValue: number | null;
  /** Whole days from the first purchase day to `asOf`, or null without purchases. */
  tenureDays: number | null;
  /** Whole days from the last purchase day to `asOf`, or null without purchases. */
  daysSinceLastPurchase: number | null;
  /** Median gap in days between consecutive purchase days; null with fewer than 2 purchase days. */
  typicalGapDays: number | null;
  /** Longest gap in days between consecutive purchase days; null with fewer than 2 purchase days. */
  longestGapDays: number | null;
  /**
   * Length of the comparison windows in days: max(90, 2 x typicalGapDays). A window shorter than
   * two typical gaps would often hold zero or one purchase by chance, so the rate comparison would
   * be noise; 90 days is the floor so frequent buyers are still compared over a quarter.
   */
  windowDays: number;
  /** Purchase days per 30 days in the recent window (asOf - windowDays, asOf]. */
  recentRate: number;
  /**
   * Purchase days per 30 days in the window before the recent one, counted only from the first
   * purchase day on; null when less than half of that window lies after the first purchase.
   */
  previousRate: number | null;
  /**
   * Relative change of the purchase rate, (recent - previous) / max(recent, previous), in [-1, 1]:
   * -0.5 means the rate halved, +0.5 that it doubled, -1 no purchase in the recent window.
   * Null when `previousRate` is null or both rates are zero.
   */
  purchaseRateTrend: number | null;
  /** Net spend in the recent window. */
  recentSpend: number;
  /** Net spend in the previous window, scaled to a full window; null when `previousRate` is null. */
  previousSpend: number | null;
  /** recentSpend / previousSpend (1 = flat, 0.5 = halved); null when previous spend is not positive. */
  spendTrend: number | null;
  /**
   * True when the customer came back after a lapse: a gap longer than max(180 days, 3 x the median
   * of the customer's other gaps) that ended with a purchase inside the recent window.
   */
  wonBack: boolean;
  /** Length in days of the lapse that ended in a win-back, or null when `wonBack` is false. */
  lapseDays: number | null;
}

const DAY_MS = 86_400_000;
/** Shortest comparison window: a quarter, so seasonal blips do not read as trends. */
const MIN_WINDOW_DAYS = 90;
/** Shortest gap that counts as a lapse, whatever the customer's rhythm. */
const MIN_LAPSE_DAYS = 180;
/** A gap must exceed this multiple of the customer's usual gap to count as a lapse. */
const LAPSE_GAP_MULTIPLE = 3;

/** Index of the UTC calendar day a timestamp falls on. */
function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function checkInputs(transactions: readonly ActivityTransaction[], asOf: Date): void {
  if (!(asOf instanceof Date) || Number.isNaN(asOf.getTime())) {
    throw new TypeError("customerActivity: asOf must be a valid Date; pass the as-of date explicitly");
  }
  transactions.forEach((transaction, index) => {
    const { timestamp, amount } = transaction;
    if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime())) {
      throw new TypeError(
        `customerActivity: transactions[${index}].timestamp must be a valid Date; fix or drop that row`,
      );
    }
    if (typeof amount !== "number" || !Number.isFinite(amount)) {
      throw new TypeError(
        `customerActivity: transactions[${index}].amount must be a finite number, got ${String(amount)}; fix or drop that row`,
      );
    }
  });
}

/** One customer's transactions summed per UTC day, days ascending (the store's daily view). */
export interface DailyHistory {
  /** UTC day numbers (days since 1970-01-01) with any transaction, strictly ascending. */
  days: ArrayLike<number>;
  /** Per day: the sum of positive amounts (purchases). */
  gross: ArrayLike<number>;
  /** Per day: the sum of all amounts, refunds included. */
  net: ArrayLike<number>;
  /** Per day: the number of purchase rows (amount > 0). */
  orders: ArrayLike<number>;
}

/** The day-level features of {@link CustomerActivity} (everything but the exact timestamps). */
export type DailyActivity = Omit<CustomerActivity, "asOf" | "firstPurchase" | "lastPurchase"> & {
  /** First and last purchase days (UTC day numbers), or null without purchases. */
  firstPurchaseDay: number | null;
  lastPurchaseDay: number | null;
};

/**
 * The purchase-history features of one customer as of the end of UTC day `asOfDay`, from their
 * daily totals (see the module comment for the definitions). Days after `asOfDay` are ignored.
 * Pure and allocation-light: scoring calls it for every customer of a book, and once per inner
 * window for the calibration sample.
 */
export function activityFromDays(history: DailyHistory, asOfDay: number): DailyActivity {
  const purchaseDays: number[] = [];
  let purchaseCount = 0;
  let totalSpend = 0;
  for (let i = 0; i < history.days.length; i++) {
    const day = history.days[i];
    if (day > asOfDay) break;
    totalSpend += history.net[i];
    if (history.gross[i] > 0) {
      purchaseDays.push(day);
      purchaseCount += history.orders[i];
    }
  }
  const gaps: number[] = [];
  for (let i = 1; i < purchaseDays.length; i++) gaps.push(purchaseDays[i] - purchaseDays[i - 1]);
  const sortedGaps = [...gaps].sort((a, b) => a - b);
  const typicalGapDays = gaps.length > 0 ? median(sortedGaps) : null;
  const windowDays = Math.max(MIN_WINDOW_DAYS, typicalGapDays === null ? 0 : 2 * typicalGapDays);
  const firstDay = purchaseDays.length > 0 ? purchaseDays[0] : null;
  const lastDay = purchaseDays.length > 0 ? purchaseDays[purchaseDays.length - 1] : null;

  // Windows are half-open on the left: recent = (asOf - W, asOf], previous = (asOf - 2W, asOf - W].
  const recentStart = asOfDay - windowDays;
  const previousStart = asOfDay - 2 * windowDays;
  const inRecent = (day: number): boolean => day > recentStart && day <= asOfDay;
  const inPrevious = (day: number): boolean => day > previousStart && day <= recentStart;

  let recentDays = 0;
  let previousDays = 0;
  for (const day of purchaseDays) {
    if (inRecent(day)) recentDays++;
    else if (inPrevious(day)) previousDays++;
  }
  let recentSpend = 0;
  let rawPreviousSpend = 0;
  for (let i = 0; i < history.days.length; i++) {
    const day = history.days[i];
    if (day > asOfDay) break;
    if (inRecent(day)) recentSpend += history.net[i];
    else if (inPrevious(day)) rawPreviousSpend += history.net[i];
  }
  const recentRate = (recentDays * 30) / windowDays;

  // Only the part of the previous window after the first purchase can hold purchases; comparing
  // against the whole window would make every young customer look like they are speeding up.
  const previousCoveredDays =
    firstDay === null
      ? 0
      : Math.max(0, Math.min(windowDays, recentStart - Math.max(previousStart, firstDay - 1)));
  let previousRate: number | null = null;
  let previousSpend: number | null = null;
  if (previousCoveredDays >= windowDays / 2) {
    previousRate = (previousDays * 30) / previousCoveredDays;
    previousSpend = (rawPreviousSpend * windowDays) / previousCoveredDays;
  }
  const fasterRate = previousRate === null ? 0 : Math.max(recentRate, previousRate);
  const purchaseRateTrend =
    previousRate === null || fasterRate === 0 ? null : (recentRate - previousRate) / fasterRate;
  const spendTrend = previousSpend !== null && previousSpend > 0 ? recentSpend / previousSpend : null;

  // A lapse is judged against the customer's other gaps, so one long gap cannot hide itself by
  // being part of the median it is compared with.
  let lapseDays: number | null = null;
  gaps.forEach((gap, index) => {
    const returnDay = purchaseDays[index + 1];
    if (!inRecent(returnDay)) return;
    const otherGaps = gaps.filter((_, other) => other !== index).sort((a, b) => a - b);
    const usualGap = otherGaps.length > 0 ? median(otherGaps) : 0;
    const threshold = Math.max(MIN_LAPSE_DAYS, LAPSE_GAP_MULTIPLE * usualGap);
    if (gap > threshold && (lapseDays === null || gap > lapseDays)) lapseDays = gap;
  });

  return {
    firstPurchaseDay: firstDay,
    lastPurchaseDay: lastDay,
    purchaseCount,
    purchaseDays: purchaseDays.length,
    totalSpend,
    averageOrderValue: purchaseCount > 0 ? totalSpend / purchaseCount : null,
    tenureDays: firstDay === null ? null : asOfDay - firstDay,
    daysSinceLastPurchase: lastDay === null ? null : asOfDay - lastDay,
    typicalGapDays,
    longestGapDays: gaps.length > 0 ? sortedGaps[sortedGaps.length - 1] : null,
    windowDays,
    recentRate,
    previousRate,
    purchaseRateTrend,
    recentSpend,
    previousSpend,
    spendTrend,
    wonBack: lapseDays !== null,
    lapseDays,
  };
}

/**
 * The first as-of day after `asOfDay` on which `activityFromDays(history, day)` may read
 * differently from `activity` (its result as of `asOfDay`) in more than the counts that move with
 * the as-of date itself (tenure, days since the last purchase), given a history with nothing after
 * `asOfDay`: the day a purchase or refund day leaves the recent window or the previous one, or,
 * while the previous window is not yet covered by the customer's tenure, the day that changes.
 * Infinity when nothing moves again. Scoring carries a customer's figures to a later day up to
 * this one instead of reading the history again.
 */
export function activityHoldsUntil(history: DailyHistory, asOfDay: number, activity: DailyActivity): number {
  const window = activity.windowDays;
  const first = activity.firstPurchaseDay;
  let until = Infinity;
  // The part of the previous window after the first purchase grows a day at a time until it spans
  // the window (as of first - 1 + 2 window); below half the window the previous rate and spend are
  // null whatever its size, so only the days from then on read differently.
  if (first !== null) {
    const halfCovered = Math.ceil(first - 1 + 1.5 * window);
    const covered = first - 1 + 2 * window;
    if (asOfDay < halfCovered) until = halfCovered;
    else if (asOfDay < covered) until = asOfDay + 1;
  }
  for (let i = 0; i < history.days.length; i++) {
    const day = history.days[i];
    if (day > asOfDay) break;
    // A day is in the recent window while as-of < day + window, in the previous one until day + 2 window.
    if (day + window > asOfDay) until = Math.min(until, day + window);
    else if (day + 2 * window > asOfDay) until = Math.min(until, day + 2 * window);
  }
  return until;
}

/** Sums transactions per UTC day (see {@link DailyHistory}); transactions after `asOfMs` are left out. */
export function dailyHistory(transactions: readonly ActivityTransaction[], asOfMs = Infinity): DailyHistory {
  const byDay = new Map<number, { gross: number; net: number; orders: number }>();
  for (const transaction of transactions) {
    const time = transaction.timestamp.getTime();
    if (time > asOfMs) continue;
    const day = utcDay(time);
    const entry = byDay.get(day) ?? { gross: 0, net: 0, orders: 0 };
    entry.net += transaction.amount;
    if (transaction.amount > 0) {
      entry.gross += transaction.amount;
      entry.orders++;
    }
    byDay.set(day, entry);
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  return {
    days,
    gross: days.map((day) => byDay.get(day)!.gross),
    net: days.map((day) => byDay.get(day)!.net),
    orders: days.map((day) => byDay.get(day)!.orders),
  };
}

/**
 * Computes the purchase-history features of one customer as of `asOf`.
 *
 * Transactions after `asOf` are ignored so that back-dated analyses see only what was known then.
 * Refunds (negative amounts) reduce spend but are not purchases.
 */
export function customerActivity(transactions: readonly ActivityTransaction[], asOf: Date): CustomerActivity {
  checkInputs(transactions, asOf);
  const asOfMs = asOf.getTime();
  // The exact first and last purchase times replace the day numbers.
  const {
    firstPurchaseDay: _first,
    lastPurchaseDay: _last,
    ...activity
  } = activityFromDays(dailyHistory(transactions, asOfMs), utcDay(asOfMs));
  let first = Infinity;
  let last = -Infinity;
  for (const transaction of transactions) {
    const time = transaction.timestamp.getTime();
    if (time > asOfMs || !(transaction.amount > 0)) continue;
    if (time < first) first = time;
    if (time > last) last = time;
  }
  return {
    ...activity,
    asOf: new Date(asOfMs),
    firstPurchase: Number.isFinite(first) ? new Date(first) : null,
    lastPurchase: Number.isFinite(last) ? new Date(last) : null,
  };
}
