import type { Store } from "../store/store.js";
import { scoresTable } from "../store/setTables.js";

/** A column of numbers kept sorted ascending, with room to move one value at a time. */
class SortedColumn {
  private values: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(16, capacity));
  }

  /** Appends without keeping order: call `sort` once after the last. */
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  sort(): void {
    this.values.subarray(0, this.length).sort();
  }

  /** How many values are < `value`, and how many are equal to it. */
  count(value: number): { below: number; equal: number } {
    const below = this.bound(value, false);
    return { below, equal: this.bound(value, true) - below };
  }

  /** The sum of max(0, v) over values v > `value`. */
  positiveAbove(value: number): number {
    let sum = 0;
    for (let i = this.bound(value, true); i < this.length; i++) sum += Math.max(0, this.values[i]);
    return sum;
  }

  positiveTotal(): number {
    let sum = 0;
    for (let i = 0; i < this.length; i++) sum += Math.max(0, this.values[i]);
    return sum;
  }

  insert(value: number): void {
    const at = this.bound(value, true);
    this.push(value);
    this.values.copyWithin(at + 1, at, this.length - 1);
    this.values[at] = value;
  }

  remove(value: number): void {
    const at = this.bound(value, false);
    if (at >= this.length || this.values[at] !== value) return;
    this.values.copyWithin(at, at + 1, this.length);
    this.length--;
  }

  /** The first index whose value is >= `value` (or > it, with `after`). */
  private bound(value: number, after: boolean): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const v = this.values[middle];
      if (v < value || (after && v === value)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** What a customer's row contributes to the ranks. */
export interface RankedValues {
  /** A buyer: ranked by RFM and in the value matrix (a purchasing customer who was scored). */
  buyer: boolean;
  recencyDays: number;
  frequency: number;
  revenue: number;
  clv: number;
  loyalty: number;
}

/**
 * The population a score set's relative scores (RFM quintiles, ABC tiers, value-matrix halves)
 * were ranked over, as sorted columns held by this process: ranking one rescored customer against
 * the rest is a few binary searches instead of a scan of the set (a second at a million
 * customers). Kept in step with the set's data version; a set another process changed is read
 * again.
 */
export class SetRanks {
  private constructor(
    readonly setId: number,
    public dataVersion: number,
    private readonly recency: SortedColumn,
    private readonly frequency: SortedColumn,
    private readonly revenue: SortedColumn,
    private readonly clv: SortedColumn,
    private readonly loyalty: SortedColumn,
    /** CLV of every customer of the set, buyers or not (the ABC tiers rank them all). */
    private readonly allClv: SortedColumn,
  ) {}

  static async load(store: Store, setId: number, dataVersion: number, customers: number): Promise<SetRanks> {
    const columns = Array.from({ length: 6 }, () => new SortedColumn(customers));
    const ranks = new SetRanks(
      setId,
      dataVersion,
      ...(columns as [SortedColumn, SortedColumn, SortedColumn, SortedColumn, SortedColumn, SortedColumn]),
    );
    let after = 0;
    for (;;) {
      // A page at a time by customer id, so memory holds the columns and one page.
      const page = await store.db.all<{
        c: number;
        buyer: number;
        d: number | null;
        x: number;
        revenue: number;
        clv: number;
        e: number | null;
      }>(
        `SELECT customer_id AS c, churn_probability IS NOT NULL AS buyer, days_since_last_purchase AS d, x, revenue, clv,
                expected_purchases AS e
         FROM ${scoresTable(setId)} WHERE customer_id > ? ORDER BY customer_id LIMIT 20000`,
        [after],
      );
      if (page.length === 0) break;
      for (const row of page) {
        ranks.allClv.push(row.clv);
        if (!row.buyer) continue;
        ranks.recency.push(row.d ?? 0);
        ranks.frequency.push(row.x + 1);
        ranks.revenue.push(row.revenue);
        ranks.clv.push(row.clv);
        ranks.loyalty.push(row.e ?? 0);
      }
      after = page[page.length - 1].c;
    }
    for (const column of columns) column.sort();
    return ranks;
  }

  /** Takes a customer's old values out of the population. */
  remove(values: RankedValues): void {
    this.allClv.remove(values.clv);
    if (!values.buyer) return;
    this.recency.remove(values.recencyDays);
    this.frequency.remove(values.frequency);
    this.revenue.remove(values.revenue);
    this.clv.remove(values.clv);
    this.loyalty.remove(values.loyalty);
  }

  /** Puts a customer's new values into the population. */
  insert(values: RankedValues): void {
    this.allClv.insert(values.clv);
    if (!values.buyer) return;
    this.recency.insert(values.recencyDays);
    this.frequency.insert(values.frequency);
    this.revenue.insert(values.revenue);
    this.clv.insert(values.clv);
    this.loyalty.insert(values.loyalty);
  }

  /**
   * Where `values` rank among the population (the customer's own old values removed): counts
   * below and equal per measure, the buyers' count, and the positive CLV above and in total.
   */
  place(values: RankedValues) {
    const recency = this.recency.count(values.recencyDays);
    return {
      buyers: this.recency.length,
      // Fewer days since the last purchase rank higher: below = customers with more days.
      recency: { below: this.recency.length - recency.below - recency.equal, equal: recency.equal },
      frequency: this.frequency.count(values.frequency),
      revenue: this.revenue.count(values.revenue),
      clv: this.clv.count(values.clv),
      loyalty: this.loyalty.count(values.loyalty),
      positiveTotal: this.allClv.positiveTotal(),
      positiveAbove: this.allClv.positiveAbove(values.clv),
    };
  }
}

const cache = new Map<number, SetRanks>();
/** Sets whose ranks one process keeps (the sets carried over writes are few). */
const KEPT = 4;

/** The ranks of a set at `dataVersion`, read again when missing or at another version. */
export async function setRanksFor(
  store: Store,
  setId: number,
  dataVersion: number,
  customers: number,
): Promise<SetRanks> {
  const cached = cache.get(setId);
  if (cached && cached.dataVersion === dataVersion) return cached;
  const ranks = await SetRanks.load(store, setId, dataVersion, customers);
  cache.delete(setId);
  cache.set(setId, ranks);
  while (cache.size > KEPT) cache.delete(cache.keys().next().value!);
  return ranks;
}

/** Drops a set's ranks (after a failed carry, whose changes were rolled back). */
export function forgetSetRanks(setId: number): void {
  cache.delete(setId);
}
