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

/**
 * Computes the purchase-history features of one customer as of `asOf`.
 *
 * Transactions after `asOf` are ignored so that back-dated analyses see only what was known then.
 * Refunds (negative amounts) reduce spend but are not purchases.
 */
export function customerActivity(transactions: readonly ActivityTransaction[], asOf: Date): CustomerActivity {
  checkInputs(transactions, asOf);
  const asOfMs = asOf.getTime();
  const asOfDay = utcDay(asOfMs);
  const known = transactions.filter((transaction) => transaction.timestamp.getTime() <= asOfMs);
  const purchases = known.filter((transaction) => transaction.amount > 0);
  const totalSpend = known.reduce((sum, transaction) => sum + transaction.amount, 0);

  const purchaseTimes = purchases.map((transaction) => transaction.timestamp.getTime()).sort((a, b) => a - b);
  const days = [...new Set(purchaseTimes.map(utcDay))].sort((a, b) => a - b);
  const gaps = days.slice(1).map((day, index) => day - days[index]);
  const sortedGaps = [...gaps].sort((a, b) => a - b);
  const typicalGapDays = gaps.length > 0 ? median(sortedGaps) : null;
  const windowDays = Math.max(MIN_WINDOW_DAYS, typicalGapDays === null ? 0 : 2 * typicalGapDays);

  const firstDay = days.length > 0 ? days[0] : null;
  const lastDay = days.length > 0 ? days[days.length - 1] : null;

  // Windows are half-open on the left: recent = (asOf - W, asOf], previous = (asOf - 2W, asOf - W].
  const recentStart = asOfDay - windowDays;
  const previousStart = asOfDay - 2 * windowDays;
  const inRecent = (day: number): boolean => day > recentStart && day <= asOfDay;
  const inPrevious = (day: number): boolean => day > previousStart && day <= recentStart;

  const recentRate = (days.filter(inRecent).length * 30) / windowDays;
  const recentSpend = known
    .filter((transaction) => inRecent(utcDay(transaction.timestamp.getTime())))
    .reduce((sum, transaction) => sum + transaction.amount, 0);

  // Only the part of the previous window after the first purchase can hold purchases; comparing
  // against the whole window would make every young customer look like they are speeding up.
  const previousCoveredDays =
    firstDay === null
      ? 0
      : Math.max(0, Math.min(windowDays, recentStart - Math.max(previousStart, firstDay - 1)));
  let previousRate: number | null = null;
  let previousSpend: number | null = null;
  if (previousCoveredDays >= windowDays / 2) {
    previousRate = (days.filter(inPrevious).length * 30) / previousCoveredDays;
    const rawPreviousSpend = known
      .filter((transaction) => inPrevious(utcDay(transaction.timestamp.getTime())))
      .reduce((sum, transaction) => sum + transaction.amount, 0);
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
    const returnDay = days[index + 1];
    if (!inRecent(returnDay)) return;
    const otherGaps = gaps.filter((_, other) => other !== index).sort((a, b) => a - b);
    const usualGap = otherGaps.length > 0 ? median(otherGaps) : 0;
    const threshold = Math.max(MIN_LAPSE_DAYS, LAPSE_GAP_MULTIPLE * usualGap);
    if (gap > threshold && (lapseDays === null || gap > lapseDays)) lapseDays = gap;
  });

  return {
    asOf: new Date(asOfMs),
    firstPurchase: purchaseTimes.length > 0 ? new Date(purchaseTimes[0]) : null,
    lastPurchase: purchaseTimes.length > 0 ? new Date(purchaseTimes[purchaseTimes.length - 1]) : null,
    purchaseCount: purchases.length,
    purchaseDays: days.length,
    totalSpend,
    averageOrderValue: purchases.length > 0 ? totalSpend / purchases.length : null,
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
