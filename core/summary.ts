/**
 * Turns a customer's transactions into the (x, tx, T, monetary) summary that the BG/NBD and
 * Gamma-Gamma models take, with the definitions of the `lifetimes` library's
 * `summary_data_from_transaction_data(freq="D", freq_multiplier=1 or 7)`:
 *
 * - transactions are bucketed into calendar days in UTC, and a day's amounts are summed;
 * - x is the number of distinct purchase days after the first;
 * - tx is the time from the first purchase day to the last one, T the time from the first
 *   purchase day to the end day (asOf, or calibrationEnd when given), in days or in weeks = days / 7;
 * - monetary is the mean of the day totals of the repeat days (0 when x = 0).
 *
 * Transactions after the end day are ignored. A negative amount (a return) reduces its day's
 * total; a day with only returns still counts as a purchase day, as in `lifetimes`, so drop
 * return-only rows first if they should not count. Gamma-Gamma ignores customers whose monetary
 * value ends up <= 0.
 *
 * This reproduces the CDNOW calibration summary of Fader, Hardie and Lee exactly: weekly unit,
 * calibration ending 1997-09-30, each customer's T measured from their own first purchase.
 */

const DAY_MS = 86_400_000;

/** One purchase (or return, with a negative amount). */
export interface Transaction {
  timestamp: Date;
  amount: number;
}

/** A transaction that says whose it is, for {@link summarizeCustomers}. */
export interface CustomerTransaction<K> extends Transaction {
  customerId: K;
}

/** How to summarise. */
export interface SummaryOptions {
  /** The date of the analysis; later transactions are ignored. */
  asOf: Date;
  /** The time unit of tx and T: calendar days, or weeks of 7 days. */
  unit: "days" | "weeks";
  /** End of the calibration period, when it is earlier than asOf; T and the cut-off use it. */
  calibrationEnd?: Date;
}

/** A customer's repeat-buying summary. */
export interface CustomerSummary {
  /** Repeat purchase days: distinct purchase days after the first. */
  x: number;
  /** Time from the first to the last purchase day, in the unit. */
  tx: number;
  /** Time from the first purchase day to the end day, in the unit. */
  T: number;
  /** Mean day total over the repeat days; 0 when x = 0. */
  monetary: number;
  /** Timestamp of the earliest counted transaction. */
  firstPurchase: Date;
  /** Timestamp of the latest counted transaction. */
  lastPurchase: Date;
  /** Counted transactions (rows), including the first and any returns. */
  purchaseCount: number;
}

function checkOptions(options: SummaryOptions): { endDay: number; divisor: number } {
  const asOf = options.asOf?.getTime();
  if (!Number.isFinite(asOf)) throw new RangeError("summary option asOf must be a valid Date");
  if (options.unit !== "days" && options.unit !== "weeks") {
    throw new RangeError(`summary option unit must be "days" or "weeks", got ${String(options.unit)}`);
  }
  let end = asOf;
  if (options.calibrationEnd !== undefined) {
    const calibrationEnd = options.calibrationEnd.getTime();
    if (!Number.isFinite(calibrationEnd))
      throw new RangeError("summary option calibrationEnd must be a valid Date");
    if (calibrationEnd > asOf) {
      throw new RangeError("summary option calibrationEnd must not be after asOf");
    }
    end = calibrationEnd;
  }
  return { endDay: Math.floor(end / DAY_MS), divisor: options.unit === "weeks" ? 7 : 1 };
}

/**
 * Accumulates one customer's transactions; `add` may be called in any order of time.
 * Day totals are kept in a map from UTC day number to the summed amount.
 */
class Accumulator {
  readonly days = new Map<number, number>();
  first = Infinity;
  last = -Infinity;
  count = 0;

  add(time: number, amount: number): void {
    const day = Math.floor(time / DAY_MS);
    this.days.set(day, (this.days.get(day) ?? 0) + amount);
    if (time < this.first) this.first = time;
    if (time > this.last) this.last = time;
    this.count++;
  }

  summary(endDay: number, divisor: number): CustomerSummary {
    let firstDay = Infinity;
    let lastDay = -Infinity;
    for (const day of this.days.keys()) {
      if (day < firstDay) firstDay = day;
      if (day > lastDay) lastDay = day;
    }
    let repeatTotal = 0;
    for (const [day, total] of this.days) if (day !== firstDay) repeatTotal += total;
    const x = this.days.size - 1;
    return {
      x,
      tx: (lastDay - firstDay) / divisor,
      T: (endDay - firstDay) / divisor,
      monetary: x > 0 ? repeatTotal / x : 0,
      firstPurchase: new Date(this.first),
      lastPurchase: new Date(this.last),
      purchaseCount: this.count,
    };
  }
}

function checkTransaction(time: number, amount: number, where: string): void {
  if (!Number.isFinite(time)) throw new RangeError(`${where}: timestamp must be a valid Date`);
  if (!Number.isFinite(amount))
    throw new RangeError(`${where}: amount must be a finite number, got ${amount}`);
}

/**
 * Summarises one customer's transactions into (x, tx, T, monetary) as `lifetimes` does (see the
 * module comment). Throws a RangeError when no transaction falls on or before the end day.
 */
export function customerSummary(
  transactions: readonly Transaction[],
  options: SummaryOptions,
): CustomerSummary {
  const { endDay, divisor } = checkOptions(options);
  const accumulator = new Accumulator();
  for (let i = 0; i < transactions.length; i++) {
    const time = transactions[i].timestamp.getTime();
    checkTransaction(time, transactions[i].amount, `transaction ${i}`);
    if (Math.floor(time / DAY_MS) <= endDay) accumulator.add(time, transactions[i].amount);
  }
  if (accumulator.count === 0) {
    throw new RangeError(
      "customerSummary needs at least one transaction on or before the end date (asOf or calibrationEnd)",
    );
  }
  return accumulator.summary(endDay, divisor);
}

/**
 * Summarises many customers at once from one flat list of transactions, in a single pass over
 * the list. Customers with no transaction on or before the end day are left out of the result.
 * The map keeps the order in which customers first appear.
 */
export function summarizeCustomers<K>(
  transactions: readonly CustomerTransaction<K>[],
  options: SummaryOptions,
): Map<K, CustomerSummary> {
  const { endDay, divisor } = checkOptions(options);
  const accumulators = new Map<K, Accumulator>();
  for (let i = 0; i < transactions.length; i++) {
    const row = transactions[i];
    const time = row.timestamp.getTime();
    checkTransaction(time, row.amount, `transaction ${i} (customer ${String(row.customerId)})`);
    if (Math.floor(time / DAY_MS) > endDay) continue;
    let accumulator = accumulators.get(row.customerId);
    if (!accumulator) accumulators.set(row.customerId, (accumulator = new Accumulator()));
    accumulator.add(time, row.amount);
  }
  const result = new Map<K, CustomerSummary>();
  for (const [id, accumulator] of accumulators) result.set(id, accumulator.summary(endDay, divisor));
  return result;
}
