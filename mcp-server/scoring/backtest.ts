import {
  auc,
  calibration,
  spearman,
  topDecile,
  topShareCaptured,
  type Calibration,
} from "../../core/evaluation.js";
import { PURCHASE_MODELS } from "../../core/purchaseModel.js";
import { asOfDay } from "../asOf.js";
import type { CustomerRecord } from "./history.js";
import { recordSource, scoreBook, type BookModels, type HistorySource } from "./scoreCustomers.js";

const DAY_MS = 86_400_000;

/** One ranking's figures for "no purchase in the horizon". */
export interface RankingFigures {
  name: "churn_probability" | "days_since_last_purchase" | "expected_purchases";
  /** What it is, for the report. */
  label: string;
  auc: number;
  /** Churn rate among the top 10% by this ranking. */
  topDecileRate: number;
  topDecileLift: number;
}

/** The result of one time-split backtest. */
export interface BacktestResult {
  /** The split: scores as of the end of this day (YYYY-MM-DD). */
  asOf: string;
  horizonDays: number;
  /** Last day of the holdout (YYYY-MM-DD). */
  holdoutEnd: string;
  /** Days of the holdout the book covers (less than the horizon when it ends early). */
  holdoutDaysObserved: number;
  /** Customers evaluated: bought on or before the split, and scored. */
  customers: number;
  /** Their share with no purchase in the holdout. */
  churnRate: number;
  method: BookModels["churn"]["method"];
  model: string | null;
  rankings: RankingFigures[];
  /** Reliability of the churn probability: ten equal-count bins and the ECE. */
  calibration: Calibration;
  value: {
    /** Spearman correlation of 12-month CLV with holdout spend. */
    clvSpendSpearman: number;
    /** Share of holdout revenue from the top 20% by CLV, and by past spend. */
    topFifthByClv: number;
    topFifthByPastSpend: number;
  };
  /** How the scoring made its probabilities (history too short, fallbacks). */
  notes: string[];
  warnings: string[];
}

/** What a customer did in the holdout. */
export interface HoldoutOutcome {
  /** Whether they made a purchase (positive amount) in it. */
  bought: boolean;
  /** Their net spend in it. */
  spend: number;
}

/**
 * Scores the book as of `asOf` exactly as the product does (rows after it unseen, the
 * calibration fitted on inner windows before it) and compares the churn probabilities with what
 * customers did in the following `horizonDays`: a purchase with a positive amount in the holdout
 * means they stayed (label 0), none means they churned (label 1). Baselines on the same customers:
 * days since the last purchase, and the purchase model's expected purchases (negated). Definitions
 * follow the project's backtesting guide. `source` must be cut at `asOf`; `outcomeOf` says what
 * each customer did after it.
 */
export async function backtestBook(
  source: HistorySource,
  asOf: Date,
  horizonDays: number,
  /** The end of the last day the book covers; null when it runs past the holdout. */
  newestTransaction: Date | null,
  outcomeOf: (customerId: number) => HoldoutOutcome,
): Promise<BacktestResult> {
  const probability: number[] = [];
  const recency: number[] = [];
  const expected: number[] = [];
  const labels: number[] = [];
  const clv: number[] = [];
  const pastSpend: number[] = [];
  const holdoutSpend: number[] = [];
  const models = await scoreBook(source, asOf, { horizonDays }, (scores) => {
    for (const score of scores) {
      if (score.churnProbability === null || score.daysSinceLastPurchase === null) continue;
      const outcome = outcomeOf(score.customerId);
      probability.push(score.churnProbability);
      recency.push(score.daysSinceLastPurchase);
      expected.push(-(score.horizonExpectedPurchases ?? 0));
      labels.push(outcome.bought ? 0 : 1);
      clv.push(score.clv);
      pastSpend.push(score.revenue);
      holdoutSpend.push(Number.isFinite(outcome.spend) ? outcome.spend : 0);
    }
  });
  const holdoutEnd = new Date(asOf.getTime() + horizonDays * DAY_MS);
  const observedEnd = newestTransaction && newestTransaction < holdoutEnd ? newestTransaction : holdoutEnd;
  const holdoutDaysObserved = Math.max(0, Math.floor((observedEnd.getTime() - asOf.getTime()) / DAY_MS));
  const warnings = [...models.warnings];
  if (holdoutDaysObserved < horizonDays) {
    warnings.push(
      `The book ends ${holdoutDaysObserved} days after the split, short of the ${horizonDays}-day horizon: customers who would have bought later count as churned. Pick an earlier --as-of (at most ${asOfDay(new Date((newestTransaction ?? asOf).getTime() - horizonDays * DAY_MS))}).`,
    );
  }
  const model = models.churn.purchaseModel;
  const rank = (name: RankingFigures["name"], label: string, values: number[]): RankingFigures => {
    const decile = topDecile(values, labels);
    return { name, label, auc: auc(values, labels), topDecileRate: decile.rate, topDecileLift: decile.lift };
  };
  const rankings = [rank("churn_probability", "churn probability (the product)", probability)];
  rankings.push(rank("days_since_last_purchase", "days since the last purchase", recency));
  if (model) {
    rankings.push(
      rank(
        "expected_purchases",
        `${PURCHASE_MODELS[model.kind].label} expected purchases, negated`,
        expected,
      ),
    );
  }
  return {
    asOf: asOfDay(asOf),
    horizonDays,
    holdoutEnd: asOfDay(holdoutEnd),
    holdoutDaysObserved,
    customers: labels.length,
    churnRate: labels.length ? labels.reduce((sum, label) => sum + label, 0) / labels.length : 0,
    method: models.churn.method,
    model: model ? PURCHASE_MODELS[model.kind].label : null,
    rankings,
    calibration: calibration(probability, labels),
    value: {
      clvSpendSpearman: spearman(clv, holdoutSpend),
      topFifthByClv: topShareCaptured(clv, holdoutSpend),
      topFifthByPastSpend: topShareCaptured(pastSpend, holdoutSpend),
    },
    notes: models.notes,
    warnings,
  };
}

/** {@link backtestBook} on an in-memory book whose records run past the split. */
export function backtestRecords(
  records: readonly CustomerRecord[],
  asOf: Date,
  horizonDays: number,
  newestTransaction: Date | null,
): Promise<BacktestResult> {
  const holdoutEnd = new Date(asOf.getTime() + horizonDays * DAY_MS);
  const outcomes = new Map<number, HoldoutOutcome>();
  for (const record of records) {
    const outcome = { bought: false, spend: 0 };
    for (const row of record.transactions) {
      if (row.timestamp > asOf && row.timestamp <= holdoutEnd) {
        outcome.spend += row.amount;
        if (row.amount > 0) outcome.bought = true;
      }
    }
    outcomes.set(record.id, outcome);
  }
  return backtestBook(
    recordSource(records, asOf),
    asOf,
    horizonDays,
    newestTransaction,
    (id) => outcomes.get(id) ?? { bought: false, spend: 0 },
  );
}
