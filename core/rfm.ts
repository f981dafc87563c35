/**
 * RFM scoring: recency, frequency and monetary quintile scores over a customer population, and
 * the standard named segments read off an R-versus-FM score grid.
 *
 * Scores are rank-based quintiles (1 = worst fifth, 5 = best fifth). Customers with equal values
 * get the average of the ranks they span (the "average" tie method) and share one score, so the
 * result never depends on input order and a block of ties never straddles two scores. The price
 * is that heavy ties (say 60% of customers with one purchase) can leave some scores unused.
 */

import type { Bilingual } from "./i18n.js";
import { lowerBound, upperBound } from "./sortedSearch.js";

/** One customer's RFM inputs. Use the same monetary measure for everyone (total or average spend). */
export interface RfmCustomer {
  id: string;
  /** Days since the last purchase; fewer days is better. */
  recencyDays: number;
  /** Number of purchases (or repeat purchases), more is better. */
  frequency: number;
  /** Spend, more is better. */
  monetary: number;
}

/** Keys of the named RFM segments. */
export type RfmSegmentKey =
  | "champions"
  | "loyal"
  | "potential-loyalist"
  | "new"
  | "promising"
  | "need-attention"
  | "about-to-sleep"
  | "at-risk"
  | "cant-lose-them"
  | "hibernating"
  | "lost";

/** One customer's RFM scores and segment. */
export interface RfmScore {
  id: string;
  /** Recency score 1-5, 5 = most recent fifth. */
  r: number;
  /** Frequency score 1-5, 5 = most frequent fifth. */
  f: number;
  /** Monetary score 1-5, 5 = highest-spending fifth. */
  m: number;
  /** floor((f + m) / 2): the column of the segment grid. */
  fm: number;
  /** The three scores as a code, e.g. "545". */
  code: string;
  segment: RfmSegmentKey;
}

/** Description of a named segment. */
export interface RfmSegmentInfo {
  key: RfmSegmentKey;
  label: Bilingual;
  description: Bilingual;
  /** Recommended action for the segment. */
  action: Bilingual;
  /** The grid cells the segment covers, as "R=a, FM=b..c" text. */
  rule: string;
}

/**
 * The segment grid: row = R score (index 0 = R 1), column = FM score (index 0 = FM 1), where
 * FM = floor((F + M) / 2). Rounding down means a cell is earned only when frequency and spend
 * together reach it.
 *
 * ```
 *        FM=1             FM=2                FM=3             FM=4               FM=5
 * R=5    new              potential-loyalist  loyal            champions          champions
 * R=4    promising        potential-loyalist  loyal            champions          champions
 * R=3    about-to-sleep   need-attention      need-attention   loyal              loyal
 * R=2    hibernating      about-to-sleep      at-risk          at-risk            at-risk
 * R=1    lost             hibernating         at-risk          cant-lose-them     cant-lose-them
 * ```
 *
 * It resolves the overlaps of the widely used R-versus-FM table (Champions R 4-5 / FM 4-5, Loyal
 * R 3-5 / FM 3-5, Potential Loyalist R 3-5 / FM 1-3, New R 4-5 / FM 1, Promising R 3-4 / FM 1,
 * Need Attention R 2-3 / FM 2-3, About to Sleep R 2-3 / FM 1-2, At Risk R 1-2 / FM 2-5,
 * Can't Lose Them R 1 / FM 4-5, Hibernating R 1-2 / FM 1-2, Lost R 1 / FM 1) into one partition
 * of the 25 cells: recency decides first, then the more specific segment wins.
 */
export const RFM_SEGMENT_GRID: readonly (readonly RfmSegmentKey[])[] = [
  ["lost", "hibernating", "at-risk", "cant-lose-them", "cant-lose-them"],
  ["hibernating", "about-to-sleep", "at-risk", "at-risk", "at-risk"],
  ["about-to-sleep", "need-attention", "need-attention", "loyal", "loyal"],
  ["promising", "potential-loyalist", "loyal", "champions", "champions"],
  ["new", "potential-loyalist", "loyal", "champions", "champions"],
];

/** The named segments, best first, with bilingual labels, descriptions and recommended actions. */
export const RFM_SEGMENTS: Readonly<Record<RfmSegmentKey, RfmSegmentInfo>> = {
  champions: {
    key: "champions",
    label: { en: "Champions", zh: "冠军客户" },
    description: {
      en: "Bought recently, buy often and spend the most.",
      zh: "最近购买过，购买频繁且消费最高。",
    },
    action: {
      en: "Reward them, offer early access and ask for reviews and referrals.",
      zh: "给予奖励和新品优先体验，邀请评价和推荐。",
    },
    rule: "R=4..5, FM=4..5",
  },
  loyal: {
    key: "loyal",
    label: { en: "Loyal", zh: "忠诚客户" },
    description: {
      en: "Buy regularly with good spend and respond to promotions.",
      zh: "定期购买，消费良好，对促销有响应。",
    },
    action: {
      en: "Up-sell higher-value products, enrol in the loyalty programme, ask for reviews.",
      zh: "推荐更高价值的产品，邀请加入会员计划，请求评价。",
    },
    rule: "R=4..5, FM=3; R=3, FM=4..5",
  },
  "potential-loyalist": {
    key: "potential-loyalist",
    label: { en: "Potential Loyalist", zh: "潜在忠诚客户" },
    description: {
      en: "Recent customers with average frequency and spend.",
      zh: "最近购买过，购买频率和消费处于中等水平。",
    },
    action: {
      en: "Offer membership or loyalty perks and recommend related products.",
      zh: "提供会员或积分权益，推荐相关产品。",
    },
    rule: "R=4..5, FM=2",
  },
  new: {
    key: "new",
    label: { en: "New", zh: "新客户" },
    description: {
      en: "Bought very recently but not often and not much yet.",
      zh: "刚刚购买过，但购买次数和消费还很少。",
    },
    action: {
      en: "Welcome them, help them get started and build the relationship early.",
      zh: "欢迎新客户，提供上手指导，尽早建立关系。",
    },
    rule: "R=5, FM=1",
  },
  promising: {
    key: "promising",
    label: { en: "Promising", zh: "有潜力客户" },
    description: {
      en: "Fairly recent buyers who have not bought much yet.",
      zh: "较近期购买过，但购买和消费还不多。",
    },
    action: {
      en: "Create brand awareness and offer a free trial or small incentive.",
      zh: "提升品牌认知，提供免费试用或小额激励。",
    },
    rule: "R=4, FM=1",
  },
  "need-attention": {
    key: "need-attention",
    label: { en: "Need Attention", zh: "需要关注客户" },
    description: {
      en: "Average recency, frequency and spend; may slip without contact.",
      zh: "最近购买时间、频率和消费均为中等，缺少联系可能流失。",
    },
    action: {
      en: "Make limited-time offers and recommend based on past purchases.",
      zh: "提供限时优惠，并根据购买历史推荐产品。",
    },
    rule: "R=3, FM=2..3",
  },
  "about-to-sleep": {
    key: "about-to-sleep",
    label: { en: "About to Sleep", zh: "即将沉睡客户" },
    description: {
      en: "Below-average recency, frequency and spend; will be lost without reactivation.",
      zh: "购买时间、频率和消费均低于平均，不激活就会流失。",
    },
    action: {
      en: "Share popular products and a discount; reconnect before they lapse.",
      zh: "推送热门产品和折扣，在流失前重新建立联系。",
    },
    rule: "R=3, FM=1; R=2, FM=2",
  },
  "at-risk": {
    key: "at-risk",
    label: { en: "At Risk", zh: "有流失风险客户" },
    description: {
      en: "Used to buy often and spend well, but not for a long time.",
      zh: "曾经频繁购买且消费较高，但已很久没有购买。",
    },
    action: {
      en: "Send personalised re-engagement messages and useful offers; find out what changed.",
      zh: "发送个性化的召回信息和实用优惠，了解发生了什么变化。",
    },
    rule: "R=2, FM=3..5; R=1, FM=3",
  },
  "cant-lose-them": {
    key: "cant-lose-them",
    label: { en: "Can't Lose Them", zh: "不能失去的客户" },
    description: {
      en: "Made the biggest and most frequent purchases but have not returned for a long time.",
      zh: "曾经购买最多、最频繁，但已很久没有回来。",
    },
    action: {
      en: "Win them back with a personal contact, new offerings and a strong incentive; do not lose them to a competitor.",
      zh: "通过专人联系、新品和有力的激励挽回，不要让他们流向竞争对手。",
    },
    rule: "R=1, FM=4..5",
  },
  hibernating: {
    key: "hibernating",
    label: { en: "Hibernating", zh: "休眠客户" },
    description: {
      en: "Last purchase long ago, low frequency and spend.",
      zh: "上次购买已很久，购买频率和消费都较低。",
    },
    action: {
      en: "Offer relevant products and special discounts; recreate brand value.",
      zh: "推荐相关产品和特别折扣，重新建立品牌价值。",
    },
    rule: "R=2, FM=1; R=1, FM=2",
  },
  lost: {
    key: "lost",
    label: { en: "Lost", zh: "流失客户" },
    description: {
      en: "Lowest recency, frequency and spend.",
      zh: "购买时间最久远，频率和消费最低。",
    },
    action: {
      en: "Try one low-cost reactivation campaign, otherwise stop spending on them.",
      zh: "尝试一次低成本的召回活动，否则停止投入。",
    },
    rule: "R=1, FM=1",
  },
};

/** Segment keys in the order of `RFM_SEGMENTS` (best first). */
export const RFM_SEGMENT_KEYS = Object.keys(RFM_SEGMENTS) as RfmSegmentKey[];

/**
 * Quintile scores 1-5 for a list of values, higher value = higher score.
 *
 * A value's position is its average rank among equal values (0-based), and the score is
 * floor(5 x position / n) + 1, so n distinct values split into five groups as equal as n allows
 * and tied values always share a score.
 */
export function quintileScores(values: readonly number[]): number[] {
  const n = values.length;
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const scores = new Array<number>(n);
  let start = 0;
  while (start < n) {
    let end = start;
    while (end + 1 < n && order[end + 1].value === order[start].value) end++;
    const averageRank = (start + end) / 2;
    const score = Math.min(5, Math.floor((5 * averageRank) / n) + 1);
    for (let k = start; k <= end; k++) scores[order[k].index] = score;
    start = end + 1;
  }
  return scores;
}

/** The segment of a customer with R score `r` and FM score `fm` (both 1-5). */
export function rfmSegment(r: number, fm: number): RfmSegmentKey {
  if (!Number.isInteger(r) || r < 1 || r > 5 || !Number.isInteger(fm) || fm < 1 || fm > 5) {
    throw new RangeError(`rfmSegment: r and fm must be whole scores from 1 to 5, got r=${r}, fm=${fm}`);
  }
  return RFM_SEGMENT_GRID[r - 1][fm - 1];
}

function checkCustomers(customers: readonly RfmCustomer[]): void {
  const seen = new Set<string>();
  customers.forEach((customer, index) => {
    for (const field of ["recencyDays", "frequency", "monetary"] as const) {
      const value = customer[field];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new RangeError(
          `rfmScores: customers[${index}] (id ${customer.id}) has ${field} = ${String(value)}; it must be a finite number`,
        );
      }
    }
    if (customer.recencyDays < 0) {
      throw new RangeError(
        `rfmScores: customers[${index}] (id ${customer.id}) has negative recencyDays; compute it against an as-of date after the last purchase`,
      );
    }
    if (seen.has(customer.id)) {
      throw new RangeError(`rfmScores: customer id ${customer.id} appears twice; pass one row per customer`);
    }
    seen.add(customer.id);
  });
}

/**
 * Scores a population of customers on recency, frequency and monetary value (1-5 each, 5 best)
 * and assigns each a named segment from `RFM_SEGMENT_GRID`.
 *
 * Scores are relative to the population passed in, so score the whole customer base together.
 * The result is in input order.
 */
export function rfmScores(customers: readonly RfmCustomer[]): RfmScore[] {
  checkCustomers(customers);
  // Fewer days since the last purchase is better, so rank the negated recency.
  const r = quintileScores(customers.map((customer) => -customer.recencyDays));
  const f = quintileScores(customers.map((customer) => customer.frequency));
  const m = quintileScores(customers.map((customer) => customer.monetary));
  return customers.map((customer, index) => {
    const fm = Math.floor((f[index] + m[index]) / 2);
    return {
      id: customer.id,
      r: r[index],
      f: f[index],
      m: m[index],
      fm,
      code: `${r[index]}${f[index]}${m[index]}`,
      segment: rfmSegment(r[index], fm),
    };
  });
}

/**
 * Each value's average 0-based rank among `values` (equal values share it), for columns of a
 * large book: one native sort and a binary search per value, no object per customer.
 */
export function averageRanks(values: Float64Array): Float64Array {
  const sorted = values.slice().sort();
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const start = lowerBound(sorted, values[i]);
    const end = upperBound(sorted, values[i]) - 1;
    ranks[i] = (start + end) / 2;
  }
  return ranks;
}

/** {@link quintileScores} over a column of finite values (the same scores, without objects). */
export function quintileScoresOfColumn(values: Float64Array): Uint8Array {
  const n = values.length;
  const ranks = averageRanks(values);
  const scores = new Uint8Array(n);
  for (let i = 0; i < n; i++) scores[i] = Math.min(5, Math.floor((5 * ranks[i]) / n) + 1);
  return scores;
}
