import { z } from "zod";
import {
  asOfInput,
  bilingualOutput,
  cursorInput,
  customerRefOutput,
  lifecycleStageNames,
  limitInput,
  paginationOutput,
  reasonOutput,
  rfmSegmentNames,
  scoreSetOutput,
} from "./common.js";

export const FIND_AT_RISK_CUSTOMERS = "find_at_risk_customers";

/** Below this risk score a customer is not called at risk (the "medium" band starts here). */
export const DEFAULT_MIN_RISK = 25;

export const findAtRiskCustomersInput = {
  sort_by: z
    .enum(["value_at_risk", "risk"])
    .optional()
    .describe(
      "Rank by value at risk (value if retained × churn probability, default: who is most worth saving) or by churn probability alone.",
    ),
  owner: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe("Only this account manager's customers (exact name, case-insensitive)."),
  segment: z.enum(rfmSegmentNames).optional().describe("Only customers in this RFM segment."),
  lifecycle_stage: z.enum(lifecycleStageNames).optional().describe("Only customers in this lifecycle stage."),
  min_clv: z.number().min(0).optional().describe("Only customers whose 12-month CLV is at least this."),
  min_risk: z
    .number()
    .min(0)
    .max(100)
    .optional()
    .describe(
      `Only customers whose risk score (0-100, = churn probability in percent) is at least this; default ${DEFAULT_MIN_RISK}.`,
    ),
  include_lost: z
    .boolean()
    .optional()
    .describe(
      "Also list customers the book already counts as lost (lifecycle stage churned), labelled win-back. Default false: they are counted in lost_customers but do not crowd the list.",
    ),
  limit: limitInput,
  cursor: cursorInput,
  as_of: asOfInput,
};

export const atRiskRowOutput = z.object({
  rank: z.number().int(),
  customer: customerRefOutput,
  churn_probability: z
    .number()
    .describe(
      "probability of no purchase in the next horizon_days (see scores), calibrated on this book's history",
    ),
  risk_score: z.number().describe("0-100: round(100 × churn_probability)"),
  risk_level: z
    .enum(["low", "medium", "high", "critical"])
    .describe("churn-probability band: low < 25% <= medium < 50% <= high < 75% <= critical"),
  list: z
    .enum(["at-risk", "win-back"])
    .describe("win-back: the book already counts this customer as lost (lifecycle churned)"),
  top_reasons: z
    .array(reasonOutput)
    .describe("the signals pushing the churn probability up most, with the numbers behind them"),
  p_alive: z.number().nullable().describe("the purchase model's probability the customer is still active"),
  clv: z.number().describe("12-month customer lifetime value (discounted expected profit)"),
  value_if_retained: z
    .number()
    .describe(
      "discounted 12-month profit if the customer stays active (the CLV without its P(alive) factor)",
    ),
  value_at_risk: z.number().describe("value_if_retained × churn_probability"),
  last_purchase: z.string().nullable(),
  days_since_last_purchase: z.number().nullable(),
  typical_gap_days: z.number().nullable(),
  lifecycle_stage: z.enum(lifecycleStageNames),
  lifecycle_label: bilingualOutput,
  rfm_segment: z.enum(rfmSegmentNames).nullable(),
  next_action: bilingualOutput,
});

export const findAtRiskCustomersOutput = z.object({
  customers: z.array(atRiskRowOutput),
  ...paginationOutput,
  lost_customers: z
    .number()
    .int()
    .describe(
      "customers matching the filters whom the book counts as lost (churned); listed only with include_lost",
    ),
  scores: scoreSetOutput,
});

export type FindAtRiskCustomersResult = z.infer<typeof findAtRiskCustomersOutput>;
