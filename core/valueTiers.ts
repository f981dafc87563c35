/**
 * Customer value tiers: ABC tiers by cumulative share of value (the Pareto view), and the
 * profitability-versus-loyalty matrix of Reinartz and Kumar, "The Mismanagement of Customer
 * Loyalty", Harvard Business Review, July 2002 (true friends, butterflies, barnacles, strangers).
 */

import type { Bilingual } from "./i18n.js";
import { averageRanks } from "./rfm.js";

/** ABC tier: A = the few customers who make most of the value, C = the long tail. */
export type AbcTier = "A" | "B" | "C";

/** A customer and the value to tier by (CLV, margin, revenue: the caller's choice). */
export interface AbcCustomer {
  id: string;
  value: number;
}

/** One customer's place in the ABC ranking. */
export interface AbcAssignment {
  id: string;
  value: number;
  /** 1 = most valuable. */
  rank: number;
  tier: AbcTier;
  /** This customer's share of total value (negative values count as 0). */
  share: number;
  /** Share of total value held by this customer and everyone ranked above. */
  cumulativeShare: number;
}

/** Totals of one tier. */
export interface AbcTierSummary {
  count: number;
  value: number;
  /** Share of total value held by the tier; the three shares sum to 1 when total value > 0. */
  valueShare: number;
  /** Share of customers in the tier. */
  customerShare: number;
}

/** Result of `abcTiers`. */
export interface AbcResult {
  /** Customers from most to least valuable. */
  customers: AbcAssignment[];
  tiers: Record<AbcTier, AbcTierSummary>;
  /** Sum of the positive values. */
  totalValue: number;
}

/** Cumulative-share cut-offs: A up to 80% of value, B the next 15%, C the last 5%. */
export const ABC_THRESHOLDS = { a: 0.8, b: 0.95 } as const;

/** Labels of the ABC tiers. */
export const ABC_TIERS: Readonly<Record<AbcTier, { label: Bilingual; description: Bilingual }>> = {
  A: {
    label: { en: "A: key customers", zh: "A类：核心客户" },
    description: { en: "The customers making up the top 80% of value.", zh: "贡献前80%价值的客户。" },
  },
  B: {
    label: { en: "B: important customers", zh: "B类：重要客户" },
    description: { en: "The customers making up the next 15% of value.", zh: "贡献其后15%价值的客户。" },
  },
  C: {
    label: { en: "C: long tail", zh: "C类：一般客户" },
    description: { en: "The customers making up the last 5% of value.", zh: "贡献最后5%价值的客户。" },
  },
};

function checkIds(customers: readonly { id: string }[], caller: string): void {
  const seen = new Set<string>();
  for (const customer of customers) {
    if (seen.has(customer.id))
      throw new RangeError(`${caller}: customer id ${customer.id} appears twice; pass one row per customer`);
    seen.add(customer.id);
  }
}

function checkFinite(caller: string, index: number, id: string, field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(
      `${caller}: customers[${index}] (id ${id}) has ${field} = ${String(value)}; it must be a finite number`,
    );
  }
}

/**
 * Splits customers into ABC tiers by cumulative share of value.
 *
 * Customers are ranked by value, highest first (equal values by id, so the order is stable).
 * Boundary handling: a customer is in A when the customers ranked above it hold less than 80% of
 * the value, so the customer who crosses the 80% line is still A and A always covers at least
 * 80%; likewise B up to 95%. Equal values never split across tiers: a tied group takes the tier
 * of its first member, which keeps tiers monotone in value. Negative values (loss-making
 * customers) count as zero value and land in C; when no one has positive value everyone is C.
 */
export function abcTiers(customers: readonly AbcCustomer[]): AbcResult {
  customers.forEach((customer, index) =>
    checkFinite("abcTiers", index, customer.id, "value", customer.value),
  );
  checkIds(customers, "abcTiers");
  const ranked = [...customers].sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const totalValue = ranked.reduce((sum, customer) => sum + Math.max(0, customer.value), 0);
  // A relative tolerance keeps a share that is exactly 80% on paper from landing on the wrong
  // side through floating-point sums.
  const tolerance = 1e-12 * totalValue;

  const assignments: AbcAssignment[] = [];
  let valueBefore = 0;
  let previous: AbcAssignment | undefined;
  for (const [index, customer] of ranked.entries()) {
    const positive = Math.max(0, customer.value);
    let tier: AbcTier;
    if (previous !== undefined && previous.value === customer.value) tier = previous.tier;
    else if (totalValue > 0 && valueBefore < ABC_THRESHOLDS.a * totalValue - tolerance) tier = "A";
    else if (totalValue > 0 && valueBefore < ABC_THRESHOLDS.b * totalValue - tolerance) tier = "B";
    else tier = "C";
    valueBefore += positive;
    previous = {
      id: customer.id,
      value: customer.value,
      rank: index + 1,
      tier,
      share: totalValue > 0 ? positive / totalValue : 0,
      cumulativeShare: totalValue > 0 ? valueBefore / totalValue : 0,
    };
    assignments.push(previous);
  }

  const tiers = {} as Record<AbcTier, AbcTierSummary>;
  for (const tier of ["A", "B", "C"] as const) {
    const members = assignments.filter((assignment) => assignment.tier === tier);
    const value = members.reduce((sum, member) => sum + Math.max(0, member.value), 0);
    tiers[tier] = {
      count: members.length,
      value,
      valueShare: totalValue > 0 ? value / totalValue : 0,
      customerShare: assignments.length > 0 ? members.length / assignments.length : 0,
    };
  }
  return { customers: assignments, tiers, totalValue };
}

/** Quadrants of the Reinartz-Kumar profitability-versus-loyalty matrix. */
export type ValueQuadrant = "true-friends" | "butterflies" | "barnacles" | "strangers";

/** Description of a value-matrix quadrant. */
export interface ValueQuadrantInfo {
  key: ValueQuadrant;
  profit: "high" | "low";
  loyalty: "long-term" | "short-term";
  label: Bilingual;
  description: Bilingual;
  strategy: Bilingual;
}

/** The four quadrants with the strategies Reinartz and Kumar (2002) recommend. */
export const VALUE_QUADRANTS: Readonly<Record<ValueQuadrant, ValueQuadrantInfo>> = {
  "true-friends": {
    key: "true-friends",
    profit: "high",
    loyalty: "long-term",
    label: { en: "True friends", zh: "真朋友" },
    description: {
      en: "Profitable and likely to stay: a good fit between what we offer and what they need.",
      zh: "利润高且可能长期留存：我们的产品与其需求高度契合。",
    },
    strategy: {
      en: "Communicate consistently but not too often; build attitudinal as well as behavioural loyalty; delight them to nurture and defend the relationship.",
      zh: "保持稳定但不过度的沟通；培养态度与行为上的双重忠诚；用惊喜维护并守住关系。",
    },
  },
  butterflies: {
    key: "butterflies",
    profit: "high",
    loyalty: "short-term",
    label: { en: "Butterflies", zh: "蝴蝶" },
    description: {
      en: "Profitable but short-lived: they buy a lot for a while, then move on.",
      zh: "利润高但停留短暂：一段时间内大量购买，随后离开。",
    },
    strategy: {
      en: "Aim for satisfaction with each transaction, not attitudinal loyalty; make the most of the account while it is active, then stop investing.",
      zh: "追求每笔交易的满意，而非长期忠诚；在其活跃期内充分获利，之后停止投入。",
    },
  },
  barnacles: {
    key: "barnacles",
    profit: "low",
    loyalty: "long-term",
    label: { en: "Barnacles", zh: "藤壶" },
    description: {
      en: "Loyal but not very profitable: they stay, yet the relationship earns little.",
      zh: "忠诚但利润不高：长期留存，但贡献的利润很少。",
    },
    strategy: {
      en: "Measure size and share of wallet: with a low share, up-sell and cross-sell; with a small wallet, impose strict cost control.",
      zh: "衡量钱包规模与份额：份额低则追加销售和交叉销售；钱包小则严格控制服务成本。",
    },
  },
  strangers: {
    key: "strangers",
    profit: "low",
    loyalty: "short-term",
    label: { en: "Strangers", zh: "陌生人" },
    description: {
      en: "Little profit and little loyalty: little fit between what we offer and what they need.",
      zh: "利润低且不忠诚：我们的产品与其需求契合度低。",
    },
    strategy: {
      en: "Make a profit on every transaction and do not invest in the relationship.",
      zh: "确保每笔交易都盈利，不在关系上投入。",
    },
  },
};

/** A customer's profit measure (e.g. CLV or margin) and projected-loyalty measure (e.g. P(alive) or expected purchases). */
export interface ValueMatrixCustomer {
  id: string;
  profit: number;
  loyalty: number;
}

/** One customer's quadrant. */
export interface ValueMatrixAssignment {
  id: string;
  profit: number;
  loyalty: number;
  highProfit: boolean;
  highLoyalty: boolean;
  quadrant: ValueQuadrant;
}

/** Result of `valueMatrix`. */
export interface ValueMatrixResult {
  /** Median profit and loyalty of the population (or the thresholds passed in). */
  profitSplit: number;
  loyaltySplit: number;
  /** Customers in input order. */
  customers: ValueMatrixAssignment[];
  counts: Record<ValueQuadrant, number>;
}

/** Options of `valueMatrix`: fixed thresholds instead of median splits. */
export interface ValueMatrixOptions {
  /** Profit at or above this is high. */
  profitThreshold?: number;
  /** Loyalty at or above this is long-term. */
  loyaltyThreshold?: number;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * True for values in the upper half by rank. Ties share their average rank, as in RFM scoring,
 * so a block of equal values falls wholly on one side: a plain "value >= median" test would put
 * a majority of zero-profit customers in the high half.
 */
function upperHalf(values: readonly number[]): boolean[] {
  const n = values.length;
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const high = new Array<boolean>(n);
  let start = 0;
  while (start < n) {
    let end = start;
    while (end + 1 < n && order[end + 1].value === order[start].value) end++;
    const isHigh = (start + end) / 2 > (n - 1) / 2;
    for (let k = start; k <= end; k++) high[order[k].index] = isHigh;
    start = end + 1;
  }
  return high;
}

/**
 * Places customers in the Reinartz-Kumar matrix by median splits of profit and projected loyalty.
 *
 * A customer is high on a measure when its rank is in the upper half of the population (equal
 * values share their average rank; the median customer of an odd-sized population is low). Pass
 * `profitThreshold` / `loyaltyThreshold` to use fixed cut-offs instead (value >= threshold is high).
 */
export function valueMatrix(
  customers: readonly ValueMatrixCustomer[],
  options: ValueMatrixOptions = {},
): ValueMatrixResult {
  customers.forEach((customer, index) => {
    checkFinite("valueMatrix", index, customer.id, "profit", customer.profit);
    checkFinite("valueMatrix", index, customer.id, "loyalty", customer.loyalty);
  });
  checkIds(customers, "valueMatrix");
  const profits = customers.map((customer) => customer.profit);
  const loyalties = customers.map((customer) => customer.loyalty);
  const { profitThreshold, loyaltyThreshold } = options;
  const highProfit =
    profitThreshold === undefined ? upperHalf(profits) : profits.map((profit) => profit >= profitThreshold);
  const highLoyalty =
    loyaltyThreshold === undefined
      ? upperHalf(loyalties)
      : loyalties.map((loyalty) => loyalty >= loyaltyThreshold);

  const counts: Record<ValueQuadrant, number> = {
    "true-friends": 0,
    butterflies: 0,
    barnacles: 0,
    strangers: 0,
  };
  const assignments = customers.map((customer, index): ValueMatrixAssignment => {
    const quadrant: ValueQuadrant = highProfit[index]
      ? highLoyalty[index]
        ? "true-friends"
        : "butterflies"
      : highLoyalty[index]
        ? "barnacles"
        : "strangers";
    counts[quadrant]++;
    return {
      id: customer.id,
      profit: customer.profit,
      loyalty: customer.loyalty,
      highProfit: highProfit[index],
      highLoyalty: highLoyalty[index],
      quadrant,
    };
  });
  return {
    profitSplit: profitThreshold ?? median(profits),
    loyaltySplit: loyaltyThreshold ?? median(loyalties),
    customers: assignments,
    counts,
  };
}

/**
 * {@link abcTiers} over a column of finite values: the same tier per customer (0 = A, 1 = B,
 * 2 = C), for a large book without an object per customer. A value's tier depends only on the
 * positive value held by strictly greater values (ties take their group's first member's tier),
 * so one descending sort with running sums in the same order gives it exactly.
 */
export function abcTiersOfColumn(values: Float64Array): Uint8Array {
  const descending = values.slice().sort().reverse();
  let totalValue = 0;
  for (let i = 0; i < descending.length; i++) totalValue += Math.max(0, descending[i]);
  const tolerance = 1e-12 * totalValue;
  // The positive value above a value's first occurrence only grows down the sorted column, so
  // tiers do too: a value is in A when it is at least the smallest value whose first occurrence
  // is in A, and likewise for B.
  let smallestA = Infinity;
  let smallestB = Infinity;
  let valueBefore = 0;
  for (let i = 0; i < descending.length; i++) {
    const value = descending[i];
    if (i === 0 || value !== descending[i - 1]) {
      if (totalValue > 0 && valueBefore < ABC_THRESHOLDS.a * totalValue - tolerance) smallestA = value;
      else if (totalValue > 0 && valueBefore < ABC_THRESHOLDS.b * totalValue - tolerance) smallestB = value;
    }
    valueBefore += Math.max(0, value);
  }
  const tiers = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++)
    tiers[i] = values[i] >= smallestA ? 0 : values[i] >= smallestB ? 1 : 2;
  return tiers;
}

/** Whether each value is in the upper half, as {@link valueMatrix} decides it, over a column. */
export function upperHalfOfColumn(values: Float64Array): Uint8Array {
  const middle = (values.length - 1) / 2;
  const ranks = averageRanks(values);
  const upper = new Uint8Array(ranks.length);
  for (let i = 0; i < ranks.length; i++) upper[i] = ranks[i] > middle ? 1 : 0;
  return upper;
}
