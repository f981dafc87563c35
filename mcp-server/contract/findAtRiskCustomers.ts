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
      "Rank by value at risk (CLV × risk, default: who is most worth saving) or by risk score alone.",
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
    .describe(`Only customers whose risk score (0-100) is at least this; default ${DEFAULT_MIN_RISK}.`),
  limit: limitInput,
  cursor: cursorInput,
  as_of: asOfInput,
};

export const atRiskRowOutput = z.object({
  rank: z.number().int(),
  customer: customerRefOutput,
  risk_score: z.number().describe("0-100; higher means more likely to be lost"),
  risk_level: z.enum(["low", "medium", "high", "critical"]),
  top_reasons: z
    .array(reasonOutput)
    .describe("the largest contributions to the score, with the numbers behind them"),
  p_alive: z.number().nullable().describe("BG/NBD probability the customer is still active"),
  clv: z.number().describe("12-month customer lifetime value (discounted expected profit)"),
  value_at_risk: z.number().describe("CLV × risk score / 100"),
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
  scores: scoreSetOutput,
});

export type FindAtRiskCustomersResult = z.infer<typeof findAtRiskCustomersOutput>;
