/**
 * Customer lifecycle stages after the customer-lifecycle theory (acquisition, formation,
 * stability, decline and termination, plus recovery for customers who come back), decided by
 * fixed rules from purchase history and the model's P(alive).
 *
 * The rules are checked in this order and the first that holds wins:
 *
 * 1. prospect   - no purchase yet.
 * 2. win-back   - came back after a lapse (see `CustomerActivity.wonBack`): a return is the
 *                 newest fact about the customer, so it outranks the older history.
 * 3. churned    - no purchase for at least 180 days AND (P(alive) < 0.2 OR overdue ratio > 4
 *                 OR churn probability >= 90%): the book counts them as lost.
 * 4. onboarding - first purchase at most 90 days ago OR at most 2 purchase days, unless the
 *                 customer is already lapsing (overdue ratio > 2, P(alive) < 0.5 or churn
 *                 probability >= 75%): a new customer who stopped buying is in decline.
 * 5. decline    - overdue ratio > 2 OR P(alive) < 0.5 OR churn probability >= 75% OR
 *                 purchase-rate trend <= -0.3.
 * 6. growth     - purchase-rate trend >= +0.3.
 * 7. mature     - everything else: established and buying at a steady pace.
 *
 * The overdue ratio is days since the last purchase divided by the customer's own typical gap;
 * customers with a single purchase day have no gap of their own, so the reference gap (default
 * 90 days, the onboarding window; pass the population's median gap if known) stands in.
 * The rate trend is `CustomerActivity.purchaseRateTrend`: +-0.3 means the recent purchase rate
 * is about 1.43 times the previous one or 0.7 times it. The churn probability is the calibrated
 * P(no purchase in the horizon) of `churnCalibration.ts`; the rules keep the stage from
 * contradicting it: a customer in the critical band (>= 75%) is never onboarding, growth or mature.
 */

import type { Bilingual } from "./i18n.js";
import { formatOneDecimal, formatPercent, formatWhole } from "./i18n.js";

/** Lifecycle stage keys. */
export type LifecycleStageKey =
  "prospect" | "onboarding" | "growth" | "mature" | "decline" | "churned" | "win-back";

/** The kind of strategy a stage calls for. */
export type LifecycleStrategyKind =
  | "acquisition"
  | "activation"
  | "development"
  | "retention"
  | "rescue"
  | "win-back-or-let-go"
  | "re-onboarding";

/** Description of a lifecycle stage. */
export interface LifecycleStageInfo {
  key: LifecycleStageKey;
  label: Bilingual;
  description: Bilingual;
  strategyKind: LifecycleStrategyKind;
  strategy: Bilingual;
}

/**
 * Inputs of `lifecycleStage`. A `CustomerActivity` plus `pAlive` satisfies it, so callers can
 * pass `{ ...customerActivity(transactions, asOf), pAlive }`.
 */
export interface LifecycleInput {
  /** Number of purchases; used when `purchaseDays` is absent. */
  purchaseCount: number;
  /** Distinct purchase days, the better count (one basket split into lines is one purchase). */
  purchaseDays?: number;
  /** Days from the first purchase to the as-of date; null without purchases. */
  tenureDays: number | null;
  /** Days from the last purchase to the as-of date; null without purchases. */
  daysSinceLastPurchase: number | null;
  /** Median days between purchase days; null with fewer than two purchase days. */
  typicalGapDays?: number | null;
  /** Relative change of the purchase rate in [-1, 1]; null when unknown. */
  purchaseRateTrend?: number | null;
  /** Whether the customer came back after a lapse. */
  wonBack?: boolean;
  /** Model probability the customer is still active, in [0, 1]; null or absent when not modelled. */
  pAlive?: number | null;
  /** Calibrated probability of no purchase in the horizon, in [0, 1]; null or absent when unknown. */
  churnProbability?: number | null;
  /** Gap used for the overdue ratio when the customer has no typical gap; default 90 days. */
  referenceGapDays?: number;
}

/** A customer's lifecycle stage with the evidence for it. */
export interface LifecycleResult {
  stage: LifecycleStageKey;
  label: Bilingual;
  strategy: Bilingual;
  /** Why the rule fired, in English, with the numbers behind it. */
  reasons: string[];
  /** The same reasons in Chinese. */
  reasonsZh: string[];
  /** days since last purchase / typical (or reference) gap; null without purchases. */
  overdueRatio: number | null;
}

/** Rule thresholds, exported so documentation and tests quote the same numbers. */
export const LIFECYCLE_THRESHOLDS = {
  onboardingDays: 90,
  onboardingMaxPurchases: 2,
  churnMinDaysSincePurchase: 180,
  churnPAlive: 0.2,
  churnOverdueRatio: 4,
  churnChurnProbability: 0.9,
  declinePAlive: 0.5,
  declineChurnProbability: 0.75,
  declineOverdueRatio: 2,
  declineTrend: -0.3,
  growthTrend: 0.3,
  referenceGapDays: 90,
} as const;

/** The lifecycle stages in lifecycle order, with bilingual labels and strategies. */
export const LIFECYCLE_STAGES: Readonly<Record<LifecycleStageKey, LifecycleStageInfo>> = {
  prospect: {
    key: "prospect",
    label: { en: "Prospect", zh: "潜在客户期" },
    description: { en: "Known to us but has not bought yet.", zh: "已建立联系，但尚未购买。" },
    strategyKind: "acquisition",
    strategy: {
      en: "Acquire: make the value clear and convert with a first-purchase offer.",
      zh: "获取：讲清价值主张，用首单优惠促成首次购买。",
    },
  },
  onboarding: {
    key: "onboarding",
    label: { en: "Onboarding", zh: "考察期" },
    description: {
      en: "New customer still trying us out: first purchase recently or only one or two purchases.",
      zh: "新客户仍在考察：首次购买不久，或只购买过一两次。",
    },
    strategyKind: "activation",
    strategy: {
      en: "Activate: welcome series and getting-started help; make the second purchase easy.",
      zh: "激活：发送欢迎内容和上手指导，让第二次购买更容易。",
    },
  },
  growth: {
    key: "growth",
    label: { en: "Growth", zh: "成长期" },
    description: {
      en: "Buying more often than before; the relationship is deepening.",
      zh: "购买频率高于以往，关系正在加深。",
    },
    strategyKind: "development",
    strategy: {
      en: "Develop: cross-sell and up-sell, invite to the loyalty programme.",
      zh: "发展：交叉销售和追加销售，邀请加入会员计划。",
    },
  },
  mature: {
    key: "mature",
    label: { en: "Mature", zh: "稳定期" },
    description: {
      en: "Established customer buying at a steady pace.",
      zh: "关系稳定的老客户，购买节奏平稳。",
    },
    strategyKind: "retention",
    strategy: {
      en: "Retain and care: keep service excellent, reward loyalty, ask for referrals; do not over-contact.",
      zh: "维系关怀：保持优质服务，回馈忠诚，邀请推荐；避免过度打扰。",
    },
  },
  decline: {
    key: "decline",
    label: { en: "Decline", zh: "衰退期" },
    description: {
      en: "Buying less often than before or overdue against their own rhythm.",
      zh: "购买频率下降，或已超过其惯常的购买间隔。",
    },
    strategyKind: "rescue",
    strategy: {
      en: "Rescue: ask what changed, fix open issues, send a targeted re-engagement offer.",
      zh: "挽救：了解变化原因，解决未决问题，发送定向召回优惠。",
    },
  },
  churned: {
    key: "churned",
    label: { en: "Churned", zh: "终止期" },
    description: {
      en: "Very likely gone: long silence far beyond their usual rhythm.",
      zh: "很可能已流失：沉默时间远超其惯常间隔。",
    },
    strategyKind: "win-back-or-let-go",
    strategy: {
      en: "Win back or let go: one low-cost reactivation for valuable customers, otherwise stop spending on them.",
      zh: "挽回或放弃：对高价值客户做一次低成本召回，其余停止投入。",
    },
  },
  "win-back": {
    key: "win-back",
    label: { en: "Win-back", zh: "恢复期" },
    description: {
      en: "Came back after a long lapse.",
      zh: "长期中断后重新回来购买。",
    },
    strategyKind: "re-onboarding",
    strategy: {
      en: "Re-onboard: make sure what drove them away is fixed and help them rebuild the habit.",
      zh: "重新培育：确认导致流失的问题已解决，帮助其重新养成购买习惯。",
    },
  },
};

/** Stage keys in lifecycle order. */
export const LIFECYCLE_STAGE_KEYS = Object.keys(LIFECYCLE_STAGES) as LifecycleStageKey[];

function checkInput(input: LifecycleInput): void {
  const nonNegative = (name: string, value: number | null | undefined): void => {
    if (value === null || value === undefined) return;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `lifecycleStage: ${name} must be a non-negative number or null, got ${String(value)}`,
      );
    }
  };
  nonNegative("purchaseCount", input.purchaseCount);
  nonNegative("purchaseDays", input.purchaseDays);
  nonNegative("tenureDays", input.tenureDays);
  nonNegative("daysSinceLastPurchase", input.daysSinceLastPurchase);
  nonNegative("typicalGapDays", input.typicalGapDays);
  if (input.referenceGapDays !== undefined && !(input.referenceGapDays > 0)) {
    throw new RangeError(`lifecycleStage: referenceGapDays must be positive, got ${input.referenceGapDays}`);
  }
  const { pAlive, purchaseRateTrend, churnProbability } = input;
  if (pAlive !== null && pAlive !== undefined && !(pAlive >= 0 && pAlive <= 1)) {
    throw new RangeError(`lifecycleStage: pAlive must be a probability in [0, 1], got ${pAlive}`);
  }
  if (
    churnProbability !== null &&
    churnProbability !== undefined &&
    !(churnProbability >= 0 && churnProbability <= 1)
  ) {
    throw new RangeError(
      `lifecycleStage: churnProbability must be a probability in [0, 1], got ${churnProbability}`,
    );
  }
  if (
    purchaseRateTrend !== null &&
    purchaseRateTrend !== undefined &&
    !(purchaseRateTrend >= -1 && purchaseRateTrend <= 1)
  ) {
    throw new RangeError(
      `lifecycleStage: purchaseRateTrend must be a relative change in [-1, 1], got ${purchaseRateTrend}`,
    );
  }
  if ((input.purchaseDays ?? input.purchaseCount) > 0 && input.daysSinceLastPurchase === null) {
    throw new RangeError(
      "lifecycleStage: a customer with purchases needs daysSinceLastPurchase and tenureDays",
    );
  }
}

/** Which rule placed a customer, and the facts it read (see `lifecycleStage`). */
interface StageDecision {
  stage: LifecycleStageKey;
  /** Days since the last purchase over the gap it is judged against; null for prospects. */
  overdue: number | null;
  purchases: number;
  daysSince: number;
  tenure: number;
  gap: number;
  ownGap: number | null;
  pAlive: number | null;
  churn: number | null;
  trend: number | null;
  /** Churned: P(alive) low, far overdue, churn probability high. */
  lowPAlive: boolean;
  farOverdue: boolean;
  likelyGone: boolean;
  /** Decline: overdue, P(alive) low, churn probability critical, purchase rate falling. */
  lateForDecline: boolean;
  lowPAliveForDecline: boolean;
  critical: boolean;
  falling: boolean;
}

/** The ordered rules of this module's header, without the words (`checkInput` first). */
function decideStage(input: LifecycleInput): StageDecision {
  const t = LIFECYCLE_THRESHOLDS;
  const purchases = input.purchaseDays ?? input.purchaseCount;
  const pAlive = input.pAlive ?? null;
  const churn = input.churnProbability ?? null;
  const trend = input.purchaseRateTrend ?? null;
  const decision: StageDecision = {
    stage: "prospect",
    overdue: null,
    purchases,
    daysSince: 0,
    tenure: 0,
    gap: 0,
    ownGap: null,
    pAlive,
    churn,
    trend,
    lowPAlive: false,
    farOverdue: false,
    likelyGone: false,
    lateForDecline: false,
    lowPAliveForDecline: false,
    critical: false,
    falling: false,
  };
  if (purchases === 0 || input.daysSinceLastPurchase === null) return decision;

  const daysSince = input.daysSinceLastPurchase;
  decision.daysSince = daysSince;
  decision.tenure = input.tenureDays ?? daysSince;
  decision.ownGap = input.typicalGapDays ?? null;
  decision.gap = Math.max(1, decision.ownGap ?? input.referenceGapDays ?? t.referenceGapDays);
  const overdue = daysSince / decision.gap;
  decision.overdue = overdue;
  if (input.wonBack) return { ...decision, stage: "win-back" };

  if (daysSince >= t.churnMinDaysSincePurchase) {
    decision.lowPAlive = pAlive !== null && pAlive < t.churnPAlive;
    decision.farOverdue = overdue > t.churnOverdueRatio;
    decision.likelyGone = churn !== null && churn >= t.churnChurnProbability;
    if (decision.lowPAlive || decision.farOverdue || decision.likelyGone)
      return { ...decision, stage: "churned" };
  }

  decision.critical = churn !== null && churn >= t.declineChurnProbability;
  decision.lateForDecline = overdue > t.declineOverdueRatio;
  decision.lowPAliveForDecline = pAlive !== null && pAlive < t.declinePAlive;
  const lapsing = decision.lateForDecline || decision.lowPAliveForDecline || decision.critical;
  const isNew = decision.tenure <= t.onboardingDays || purchases <= t.onboardingMaxPurchases;
  if (isNew && !lapsing) return { ...decision, stage: "onboarding" };

  decision.falling = trend !== null && trend <= t.declineTrend;
  if (lapsing || decision.falling) return { ...decision, stage: "decline" };
  if (trend !== null && trend >= t.growthTrend) return { ...decision, stage: "growth" };
  return { ...decision, stage: "mature" };
}

/** The lifecycle stage alone (`lifecycleStage(input).stage`, without wording its reasons). */
export function lifecycleStageKey(input: LifecycleInput): LifecycleStageKey {
  checkInput(input);
  return decideStage(input).stage;
}

/**
 * Places a customer in a lifecycle stage by the ordered rules in this module's header, and says
 * which facts decided it.
 */
export function lifecycleStage(input: LifecycleInput): LifecycleResult {
  checkInput(input);
  const t = LIFECYCLE_THRESHOLDS;
  const decision = decideStage(input);
  const { stage, overdue, purchases, daysSince, tenure, gap, ownGap, pAlive, churn, trend } = decision;
  const reasons: string[] = [];
  const reasonsZh: string[] = [];
  const because = (en: string, zh: string): void => {
    reasons.push(en);
    reasonsZh.push(zh);
  };
  const result = (): LifecycleResult => ({
    stage,
    label: LIFECYCLE_STAGES[stage].label,
    strategy: LIFECYCLE_STAGES[stage].strategy,
    reasons,
    reasonsZh,
    overdueRatio: overdue,
  });

  if (stage === "prospect") {
    because("no purchase yet", "尚未购买");
    return result();
  }

  const days = formatWhole(daysSince);
  const gapText = formatWhole(gap);
  const ratioText = formatOneDecimal(overdue!);
  const overdueEn =
    ownGap === null
      ? `last purchase ${days} days ago, ${ratioText}x the ${gapText}-day reference gap (only one purchase day)`
      : `last purchase ${days} days ago, ${ratioText}x the usual ${gapText}-day gap`;
  const overdueZh =
    ownGap === null
      ? `上次购买在${days}天前，是${gapText}天参考间隔的${ratioText}倍（仅有一个购买日）`
      : `上次购买在${days}天前，是平时${gapText}天间隔的${ratioText}倍`;
  const pAliveEn = pAlive === null ? "" : `P(alive) ${formatPercent(pAlive)}`;
  const pAliveZh = pAlive === null ? "" : `存活概率${formatPercent(pAlive)}`;
  const churnEn = churn === null ? "" : `churn probability ${formatPercent(churn)}`;
  const churnZh = churn === null ? "" : `流失概率${formatPercent(churn)}`;
  const trendText = trend === null ? "" : formatPercent(Math.abs(trend));

  switch (stage) {
    case "win-back":
      because(`returned after a lapse; ${overdueEn}`, `中断后重新购买；${overdueZh}`);
      break;
    case "churned":
      if (decision.lowPAlive)
        because(
          `${pAliveEn} is below ${formatPercent(t.churnPAlive)}`,
          `${pAliveZh}，低于${formatPercent(t.churnPAlive)}`,
        );
      if (decision.farOverdue)
        because(
          `${overdueEn} (more than ${t.churnOverdueRatio}x)`,
          `${overdueZh}（超过${t.churnOverdueRatio}倍）`,
        );
      if (decision.likelyGone)
        because(
          `${churnEn} (at least ${formatPercent(t.churnChurnProbability)})`,
          `${churnZh}（不低于${formatPercent(t.churnChurnProbability)}）`,
        );
      because(
        `no purchase for ${days} days (at least ${t.churnMinDaysSincePurchase})`,
        `已${days}天未购买（不少于${t.churnMinDaysSincePurchase}天）`,
      );
      break;
    case "onboarding":
      if (tenure <= t.onboardingDays) {
        because(`first purchase ${formatWhole(tenure)} days ago`, `首次购买在${formatWhole(tenure)}天前`);
      } else {
        because(
          `only ${purchases} purchase day${purchases === 1 ? "" : "s"} so far`,
          `目前仅有${purchases}个购买日`,
        );
      }
      break;
    case "decline":
      if (decision.lateForDecline)
        because(
          `${overdueEn} (more than ${t.declineOverdueRatio}x)`,
          `${overdueZh}（超过${t.declineOverdueRatio}倍）`,
        );
      if (decision.lowPAliveForDecline) {
        because(
          `${pAliveEn} is below ${formatPercent(t.declinePAlive)}`,
          `${pAliveZh}，低于${formatPercent(t.declinePAlive)}`,
        );
      }
      if (decision.critical)
        because(
          `${churnEn} (at least ${formatPercent(t.declineChurnProbability)})`,
          `${churnZh}（不低于${formatPercent(t.declineChurnProbability)}）`,
        );
      if (decision.falling)
        because(
          `purchase rate down ${trendText} on the previous period`,
          `购买频率比上一周期下降${trendText}`,
        );
      break;
    case "growth":
      if (trend! >= 1) {
        because(
          "buying in the recent period after none in the period before",
          "上一周期没有购买，近期开始购买",
        );
      } else {
        const speedUp = formatOneDecimal(1 / (1 - trend!));
        because(`purchase rate ${speedUp}x the previous period's`, `购买频率是上一周期的${speedUp}倍`);
      }
      break;
    case "mature":
      because(
        `established for ${formatWhole(tenure)} days with ${purchases} purchase days; ${overdueEn}`,
        `已合作${formatWhole(tenure)}天，共${purchases}个购买日；${overdueZh}`,
      );
      if (pAliveEn) because(pAliveEn, pAliveZh);
      break;
  }
  return result();
}
